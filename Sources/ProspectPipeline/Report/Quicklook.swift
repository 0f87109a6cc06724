import Foundation
import ProspectCore
import ProspectGDAL

/// What a quicklook draws: the map, and optionally targets and deposits over it.
public struct QuicklookRequest: Sendable {
    /// The map; band 1 is drawn.
    public var mapPath: String
    /// Width of the map in pixels (the figure's width); the height follows the map's shape.
    public var width = 1200
    /// Targets (polygons with a `rank` field, any OGR format and CRS) to outline and number.
    public var targets: VectorSource?
    /// Deposit points to mark.
    public var deposits: VectorSource?
    /// The CRS of deposits whose file declares none.
    public var depositsCRS: String?
    public var depositSelection = DepositSelection()
    public var stretch = ColorRamp.Stretch.linear

    public init(mapPath: String) { self.mapPath = mapPath }

    /// Refuses a width outside 64–8192 pixels.
    public func validate() throws(OptionError) {
        guard (64...8192).contains(width) else { throw OptionError(.quicklookWidth, "give a width of 64 to 8192 pixels, got \(width)") }
    }
}

/// A rendered quicklook of a map: the figure (the map with targets, deposits, a legend, a scale
/// bar and the CRS), the bare coloured map for an interactive view, and what both show.
///
/// GDAL does the raster work (`GDALAlgorithms.colorRelief`: average resampling to the width,
/// `gdaldem color-relief` with a viridis colour table and an alpha band, nodata transparent);
/// the overlays, legend and scale bar are drawn into the RGBA buffer (`RGBAImage`) and the PNG
/// is written by GDAL's PNG driver.
public struct Quicklook: Sendable {
    /// The whole figure: map, overlays, and the legend panel beneath.
    public var figure: RGBAImage
    /// The coloured map alone, pixel for pixel the map part of the figure before the overlays.
    public var map: RGBAImage
    /// The map's extent in its CRS.
    public var extent: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    /// "EPSG:32645 — WGS 84 / UTM zone 45N".
    public var crs: String
    /// What the values are ("posterior probability per unit cell of 0.01 km²").
    public var valueName: String
    /// The range the ramp spans: the map's minimum and maximum.
    public var low: Double
    public var high: Double
    public var stretch: ColorRamp.Stretch
    /// The legend's text for the ramp ("viridis, linear from the map's minimum 0.0001 to its maximum 0.95").
    public var rampText: String
    /// The targets as GeoJSON in the map's CRS (the coordinates Leaflet's plane uses), if given.
    public var targetsGeoJSON: String?
    /// The deposits as GeoJSON points in the map's CRS, with their ids.
    public var depositsGeoJSON: String?
    public var targetCount = 0
    public var depositCount = 0
    /// Metres per unit of the map's x coordinate at its centre, for the scale bar: the CRS's
    /// linear unit, or for a geographic CRS a degree of longitude at the centre latitude on a
    /// sphere of the WGS 84 mean radius (6 371 008.8 m); nil when the map has no CRS.
    public var metresPerUnit: Double?

    /// The ramp every quicklook uses.
    public static let ramp = ColorRamp.viridis

    /// GDAL's colour-relief table for the ramp over [low, high]: one line per stop, and
    /// transparent nodata.
    public static func colorTable(low: Double, high: Double, stretch: ColorRamp.Stretch) -> String {
        let values = ramp.stopValues(low: low, high: high, stretch: stretch)
        var lines = ["nv 0 0 0 0"]
        for (v, c) in zip(values, ramp.stops) { lines.append("\(String(format: "%.9g", v)) \(c.r) \(c.g) \(c.b) 255") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Renders the quicklook.
    /// - Throws: `PipelineError`/`GDALError` naming the map, targets or deposits file;
    ///   `OptionError` for `--stretch log` on a map with values at or below 0.
    public static func render(_ request: QuicklookRequest) throws -> Quicklook {
        try request.validate()
        let dataset = try RasterDataset.open(request.mapPath)
        let grid = dataset.grid
        let metadata = dataset.metadata()
        guard let stats = try dataset.statistics(approximate: true) else {
            throw PipelineError(request.mapPath, "band 1 has no valid cell to draw")
        }
        let crsRef = dataset.spatialReference
        try dataset.close()
        var (low, high) = (stats.min, stats.max)
        if request.stretch == .log, low <= 0 {
            throw OptionError(
                .quicklookStretch,
                "log needs values above 0; \(DisplayPath.of(request.mapPath)) has a minimum of \(String(format: "%g", low))")
        }
        if high <= low { high = low + (low == 0 ? 1 : abs(low) * 1e-6) }
        let width = request.width
        let e = grid.extent
        let height = max(1, Int((Double(width) * (e.maxY - e.minY) / (e.maxX - e.minX)).rounded()))
        let relief = try GDALAlgorithms.colorRelief(
            source: request.mapPath, width: width, height: height, colorTable: colorTable(low: low, high: high, stretch: request.stretch))
        let crs = crsRef.map { c in c.epsgCode.map { "EPSG:\($0) — \(c.name)" } ?? c.name } ?? "no CRS"
        let valueName = Self.valueName(metadata: metadata)
        let stretchText = request.stretch == .linear ? "linear" : "log10"
        var quicklook = Quicklook(
            figure: relief.image, map: relief.image, extent: e, crs: crs, valueName: valueName, low: low, high: high,
            stretch: request.stretch,
            rampText:
                "\(ramp.name), \(stretchText) from the map's minimum \(Self.short(low)) to its maximum \(Self.short(high))")

        // Overlays.
        var overlay = Overlay(width: width, height: height, extent: e)
        if let targets = request.targets {
            guard let crsRef else { throw PipelineError(request.mapPath, "has no CRS to place the targets in") }
            let text = try GDALAlgorithms.geoJSON(source: targets.path, layer: targets.layer, targetCRS: crsRef)
            quicklook.targetsGeoJSON = text
            quicklook.targetCount = try overlay.addTargets(geoJSON: text, file: targets.path)
        }
        if let deposits = request.deposits {
            let set = try DepositSet.load(
                deposits.path, layer: deposits.layer, grid: grid, assumedCRS: request.depositsCRS, selection: request.depositSelection)
            overlay.deposits = set.inside.map { ($0.x, $0.y) }
            quicklook.depositCount = set.inside.count
            quicklook.depositsGeoJSON = Self.pointsGeoJSON(set.inside)
        }
        if let crsRef {
            let centreLatitude = (e.minY + e.maxY) / 2
            quicklook.metresPerUnit =
                crsRef.metresPerUnit ?? (crsRef.isGeographic ? 6_371_008.8 * Double.pi / 180 * cos(centreLatitude * Double.pi / 180) : nil)
        }
        quicklook.figure = Figure.compose(map: relief.image, overlay: overlay, quicklook: quicklook)
        return quicklook
    }

    /// Renders the quicklook and writes its figure as a PNG (through GDAL, atomically).
    public static func write(_ request: QuicklookRequest, to path: String) throws -> Quicklook {
        let q = try render(request)
        try GDALAlgorithms.writePNG(q.figure, to: path)
        return q
    }

    /// What the map's values are, from the model its metadata names.
    static func valueName(metadata: [String: String]) -> String {
        switch metadata["PROSPECT_METHOD"] {
        case "wofe":
            if let json = metadata["PROSPECT_MODEL_JSON"], let model = try? ModelFile.decode(Data(json.utf8)),
                let unit = model.parameters["unitCellKm2"]
            {
                return "posterior probability per unit cell of \(unit) km² (weights of evidence)"
            }
            return "posterior probability (weights of evidence)"
        case "logistic": return "probability per cell (logistic regression)"
        case "rf": return "probability per cell (random forest)"
        case "gbt": return "probability per cell (gradient-boosted trees)"
        case "lightgbm", "xgboost": return "probability per cell (imported \(metadata["PROSPECT_METHOD"]!) model)"
        case "fuzzy": return "fuzzy membership (fuzzy overlay)"
        case "index": return "index score (index overlay)"
        default: return "value of band 1"
        }
    }

    static func short(_ v: Double) -> String { String(format: abs(v) >= 1e-3 || v == 0 ? "%.4g" : "%.2e", v) }

    static func pointsGeoJSON(_ deposits: [DepositSet.Deposit]) -> String {
        let features = deposits.map { d in
            let id = String(decoding: (try? JSONEncoder().encode(d.id)) ?? Data("\"\"".utf8), as: UTF8.self)
            return
                "{\"type\":\"Feature\",\"properties\":{\"id\":\(id)},\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(String(format: "%.3f", d.x)),\(String(format: "%.3f", d.y))]}}"
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}"
    }
}

/// Targets and deposits in pixel coordinates of the map.
struct Overlay {
    var width: Int
    var height: Int
    var extent: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    /// Each target's rings and where its rank goes.
    var targets: [(rank: Int, rings: [[(x: Double, y: Double)]], label: (x: Double, y: Double))] = []
    var deposits: [(x: Double, y: Double)] = []

    func pixel(_ p: (x: Double, y: Double)) -> (x: Double, y: Double) {
        (
            (p.x - extent.minX) / (extent.maxX - extent.minX) * Double(width),
            (extent.maxY - p.y) / (extent.maxY - extent.minY) * Double(height)
        )
    }

    /// Reads Polygon and MultiPolygon features; the rank from the `rank` property (else the
    /// feature's position), the label at the largest ring's vertex mean.
    mutating func addTargets(geoJSON: String, file: String) throws -> Int {
        guard let root = try? JSONSerialization.jsonObject(with: Data(geoJSON.utf8)) as? [String: Any],
            let features = root["features"] as? [[String: Any]]
        else { throw PipelineError(file, "could not be read as polygons") }
        for (k, f) in features.enumerated() {
            let properties = f["properties"] as? [String: Any] ?? [:]
            let rank = (properties["rank"] as? NSNumber)?.intValue ?? k + 1
            guard let geometry = f["geometry"] as? [String: Any], let type = geometry["type"] as? String else { continue }
            var polygons: [[[Any]]] = []
            if type == "Polygon", let c = geometry["coordinates"] as? [[Any]] { polygons = [c] }
            if type == "MultiPolygon", let c = geometry["coordinates"] as? [[[Any]]] { polygons = c }
            var rings: [[(x: Double, y: Double)]] = []
            for polygon in polygons {
                for ring in polygon {
                    guard let points = ring as? [[Double]] else { continue }
                    rings.append(points.filter { $0.count >= 2 }.map { (x: $0[0], y: $0[1]) })
                }
            }
            guard let largest = rings.max(by: { $0.count < $1.count }), !largest.isEmpty else { continue }
            let label = (
                x: largest.map(\.x).reduce(0, +) / Double(largest.count), y: largest.map(\.y).reduce(0, +) / Double(largest.count)
            )
            targets.append((rank, rings, label))
        }
        return targets.count
    }
}

/// The figure's layout: the map on top, a white panel beneath with the ramp and its values,
/// the scale bar, the CRS and the symbols' key.
enum Figure {
    static func compose(map: RGBAImage, overlay: Overlay, quicklook q: Quicklook) -> RGBAImage {
        let w = map.width
        let s = max(1, w / 500)  // font scale: 8 px glyphs at 500 px, 16 px at 1000 px and more
        let u = BitmapFont.glyphHeight * s
        let panel = 9 * u
        var image = RGBAImage(width: w, height: map.height + panel, fill: RGBA(0, 0, 0, 0))
        image.fill(x: 0, y: map.height, width: w, height: panel, .white)
        image.draw(map, x: 0, y: 0)
        // Targets: a black line under a white one, the rank beside.
        for t in overlay.targets {
            for ring in t.rings where ring.count >= 2 {
                let pixels = ring.map(overlay.pixel)
                for (a, b) in zip(pixels, pixels.dropFirst()) { image.line(from: a, to: b, thickness: s + 2, .black) }
            }
            for ring in t.rings where ring.count >= 2 {
                let pixels = ring.map(overlay.pixel)
                for (a, b) in zip(pixels, pixels.dropFirst()) { image.line(from: a, to: b, thickness: s, .white) }
            }
        }
        for d in overlay.deposits {
            let p = overlay.pixel(d)
            image.disc(x: p.x, y: p.y, radius: 2.5 * Double(s), fill: .deposit, outline: .white, outlineWidth: Double(s))
        }
        for t in overlay.targets {
            let p = overlay.pixel(t.label)
            let text = "\(t.rank)"
            let size = RGBAImage.textSize(text, scale: s)
            let x = min(max(0, Int(p.x) - size.width / 2), w - size.width)
            let y = min(max(0, Int(p.y) - size.height / 2), map.height - size.height)
            image.text(text, x: x, y: y, scale: s, .white, halo: .black)
        }

        // The panel, in rows of 1.5 glyph heights: the value name; the ramp (the scale bar to
        // its right); the ramp's values; how the ramp spans them; the CRS (the key to its right).
        let m = u
        let rowA = map.height + u / 2
        let rowB = rowA + 3 * u / 2
        let barWidth = Int(Double(w) * 0.45)
        let barHeight = u + u / 2
        let rowC = rowB + barHeight + u / 2 + s
        let rowD = rowC + 3 * u / 2
        let rowE = rowD + 3 * u / 2
        let right = Int(Double(w) * 0.58)
        image.text(q.valueName, x: m, y: rowA, scale: s, .black)
        for i in 0..<barWidth {
            let t = Double(i) / Double(max(1, barWidth - 1))
            image.fill(x: m + i, y: rowB, width: 1, height: barHeight, Quicklook.ramp.color(at: t))
        }
        let ticks: [Double]
        switch q.stretch {
        case .linear: ticks = NiceTicks.ticks(low: q.low, high: q.high, count: 4)
        case .log: ticks = NiceTicks.logTicks(low: q.low, high: q.high)
        }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for t in ticks {
            let f = SVGChart.fraction(t, SVGChart.Axis(title: "", low: q.low, high: q.high, log: q.stretch == .log))
            let x = m + Int(f * Double(barWidth - 1))
            image.fill(x: x, y: rowB + barHeight, width: max(1, s), height: u / 2, .black)
            let label = q.stretch == .log ? String(format: "%g", t) : NiceTicks.label(t, step: step)
            let size = RGBAImage.textSize(label, scale: s)
            image.text(label, x: min(max(0, x - size.width / 2), w - size.width), y: rowC, scale: s, .black)
        }
        image.text(q.rampText, x: m, y: rowD, scale: s, .black)
        image.text("CRS: \(q.crs)", x: m, y: rowE, scale: s, .black)

        // Scale bar: about a fifth of the map's width, a round length in m or km.
        if let mpp = Figure.metresPerPixel(q, width: w) {
            let target = Double(w) * 0.2 * mpp
            let length = NiceTicks.step(low: 0, high: target, count: 1)
            let pixels = Int((length / mpp).rounded())
            let x0 = right
            let yb = rowB + u / 4
            for k in 0..<4 {
                let a = x0 + pixels * k / 4
                let b = x0 + pixels * (k + 1) / 4
                image.fill(x: a, y: yb, width: b - a, height: u / 2, k % 2 == 0 ? .black : .white)
            }
            image.line(from: (Double(x0), Double(yb)), to: (Double(x0 + pixels), Double(yb)), thickness: 1, .black)
            image.line(
                from: (Double(x0), Double(yb + u / 2 - 1)), to: (Double(x0 + pixels), Double(yb + u / 2 - 1)), thickness: 1, .black)
            image.fill(x: x0 + pixels - 1, y: yb, width: 1, height: u / 2, .black)
            image.fill(x: x0, y: yb, width: 1, height: u / 2, .black)
            let label = length >= 1000 ? "\(NiceTicks.label(length / 1000, step: length / 1000)) km" : "\(Int(length)) m"
            image.text("0", x: x0 - RGBAImage.textSize("0", scale: s).width / 2, y: yb + u, scale: s, .black)
            image.text(label, x: x0 + pixels - RGBAImage.textSize(label, scale: s).width / 2, y: yb + u, scale: s, .black)
        }
        // The key: targets and deposits.
        var kx = right
        let ky = rowE
        if !overlay.targets.isEmpty {
            image.fill(x: kx, y: ky, width: 2 * u, height: u, RGBA(0x21, 0x91, 0x8C))
            for yy in [ky, ky + u] {
                image.line(from: (Double(kx), Double(yy)), to: (Double(kx + 2 * u), Double(yy)), thickness: s + 2, .black)
            }
            for yy in [ky, ky + u] {
                image.line(from: (Double(kx), Double(yy)), to: (Double(kx + 2 * u), Double(yy)), thickness: s, .white)
            }
            let text = "targets (\(overlay.targets.count)), by rank"
            image.text(text, x: kx + 2 * u + s * 4, y: ky, scale: s, .black)
            kx += 2 * u + s * 4 + RGBAImage.textSize(text, scale: s).width + u
        }
        if !overlay.deposits.isEmpty {
            image.disc(
                x: Double(kx + u / 2), y: Double(ky + u / 2), radius: 2.5 * Double(s), fill: .deposit, outline: .black,
                outlineWidth: Double(s))
            image.text("deposits (\(overlay.deposits.count))", x: kx + u + s * 3, y: ky, scale: s, .black)
        }
        return image
    }

    /// Metres per pixel at the map's centre: from the CRS's linear unit, or for a geographic
    /// CRS from the length of a degree of longitude at the centre latitude (WGS 84 mean radius).
    static func metresPerPixel(_ q: Quicklook, width: Int) -> Double? {
        let unitsPerPixel = (q.extent.maxX - q.extent.minX) / Double(width)
        guard unitsPerPixel > 0, unitsPerPixel.isFinite else { return nil }
        if let unit = q.metresPerUnit { return unitsPerPixel * unit }
        return nil
    }
}

extension OptionName {
    /// `prospect quicklook --width`.
    public static let quicklookWidth = OptionName(flag: "--width", key: "")
    /// `prospect quicklook --stretch`.
    public static let quicklookStretch = OptionName(flag: "--stretch", key: "")
}
