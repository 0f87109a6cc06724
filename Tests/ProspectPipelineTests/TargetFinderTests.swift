import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// `TargetFinder` against brute force on small maps: the components, their facts, the
/// deposits inside and the nearest outside, the uncertainty matrix, splitting at saddles,
/// and the polygons (valid, label inside, the area of their cells).
@Suite struct TargetFinderTests {
    static let crs = "EPSG:32645"
    static func grid(columns: Int, rows: Int) throws -> Grid {
        Grid(
            columns: columns, rows: rows, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: crs)
    }

    /// Scores of a bumpy field with nodata cells: several components, holes, corner contacts.
    static func field(_ c: Int, _ r: Int) -> Float {
        if (c * 7 + r * 13) % 53 == 0 { return -9999 }
        let a = sin(Double(c) * 0.45) * cos(Double(r) * 0.38)
        let b = sin(Double(c * r) * 0.07)
        return Float(max(0, min(1, 0.5 + 0.35 * a + 0.15 * b)))
    }

    /// Writes a map (tiled in small blocks, so strips span several blocks), with the method
    /// recorded as `prospect score` records it, and optionally an uncertainty band.
    static func writeMap(
        _ path: String, grid: Grid, method: String, uncertainty: ((Int, Int) -> Float)? = nil, options: [String] = [],
        value: (Int, Int) -> Float
    ) throws {
        let ds = try RasterDataset.create(
            path, grid: grid, bands: uncertainty == nil ? 1 : 2, type: .float32,
            options: ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] + options)
        for b in 1...(uncertainty == nil ? 1 : 2) { try ds.setNodata(-9999, band: b) }
        var values = [Float](repeating: 0, count: grid.cellCount)
        for i in values.indices { values[i] = value(i % grid.columns, i / grid.columns) }
        try values.withUnsafeBufferPointer { try ds.write(window: grid.full, from: $0) }
        if let uncertainty {
            ds.setBandDescription("posterior_std", band: 2)
            for i in values.indices { values[i] = values[i] == -9999 ? -9999 : uncertainty(i % grid.columns, i / grid.columns) }
            try values.withUnsafeBufferPointer { try ds.write(band: 2, window: grid.full, from: $0) }
        }
        try ds.setMetadata(["PROSPECT_METHOD": method])
        try ds.close()
    }

    static func writeDeposits(_ path: String, cells: [(Int, Int)]) throws {
        var csv = "id,x,y\n"
        for (i, (c, r)) in cells.enumerated() {
            csv += "D\(i),\(350_000 + (Double(c) + 0.3) * 100),\(2_380_000 - (Double(r) + 0.6) * 100)\n"
        }
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The GeoJSON features: properties and (multi)polygon coordinates.
    static func features(_ path: String) throws -> [(properties: [String: Any], polygons: [[[PolygonGeometry.Point]]])] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(root["features"] as? [[String: Any]]).map { f in
            let geometry = f["geometry"] as! [String: Any]
            let coordinates = geometry["coordinates"] as! [Any]
            let polygons = (geometry["type"] as! String == "Polygon" ? [coordinates] : coordinates as! [[Any]]).map { polygon in
                (polygon as! [[[Double]]]).map { ring in ring.map { (x: $0[0], y: $0[1]) } }
            }
            return (f["properties"] as! [String: Any], polygons)
        }
    }

    @Test("facts match brute force: components, Σ p, deposits inside, nearest outside; polygons valid with the label inside")
    func factsAgainstBruteForce() throws {
        try withTemporaryDirectory { dir in
            let grid = try Self.grid(columns: 45, rows: 37)
            try Self.writeMap(dir + "/map.tif", grid: grid, method: "logistic", value: Self.field)
            let depositCells = [(3, 4), (10, 10), (20, 5), (30, 30), (40, 2), (7, 33), (25, 18), (26, 18), (44, 36), (15, 22)]
            try Self.writeDeposits(dir + "/deposits.csv", cells: depositCells)
            var options = TargetOptions()
            options.threshold = 0.62
            options.top = 0
            options.minCells = 1
            let report = try TargetFinder.find(
                mapPath: dir + "/map.tif", outputPath: dir + "/t.geojson", csvPath: dir + "/t.csv",
                deposits: TargetDeposits(source: VectorSource(path: dir + "/deposits.csv"), assumedCRS: Self.crs), options: options)

            // Brute force: label the whole map, then sum and count per component.
            let scores = (0..<grid.cellCount).map { Self.field($0 % grid.columns, $0 / grid.columns) }
            let (labels, stats) = scores.withUnsafeBufferPointer {
                ConnectedComponents.label(scores: $0, columns: grid.columns, rows: grid.rows, threshold: 0.62, isValid: { $0 != -9999 })
            }
            #expect(stats.count > 5)
            #expect(report.targets.count == stats.count)
            #expect(report.components == stats.count)
            let cellKm2 = 0.01
            for t in report.targets {
                let s = stats[t.component - 1]
                #expect(t.cells == s.cells)
                #expect(abs(t.expectedDeposits! - s.sum) < 1e-9 * max(1, s.sum))
                #expect(abs(t.areaKm2 - Double(s.cells) * cellKm2) < 1e-12)
                #expect(t.maxScore == Double(s.max))
                let inside = depositCells.enumerated().filter { labels[$0.element.1 * grid.columns + $0.element.0] == s.label }
                #expect(t.knownDeposits == inside.count)
                #expect(Set(t.knownDepositIDs ?? []) == Set(inside.map { "D\($0.offset)" }))
                #expect(t.greenfield == inside.isEmpty)
                // Nearest deposit: the distance from the point to the nearest cell square of the component.
                var nearest = Double.infinity
                for (i, (c, r)) in depositCells.enumerated() where !inside.contains(where: { $0.offset == i }) {
                    let px = Double(c) + 0.3
                    let py = Double(r) + 0.6
                    for cell in labels.indices where labels[cell] == s.label {
                        let cx = Double(cell % grid.columns)
                        let cy = Double(cell / grid.columns)
                        let dx = max(cx - px, 0, px - cx - 1)
                        let dy = max(cy - py, 0, py - cy - 1)
                        nearest = min(nearest, (dx * dx + dy * dy).squareRoot() * 0.1)
                    }
                }
                #expect(abs(t.nearestKnownKm! - (inside.isEmpty ? nearest : 0)) < 1e-9)
            }
            // Ranked by Σ p, ties by peak.
            let sums = report.targets.map { $0.expectedDeposits! }
            #expect(sums == sums.sorted(by: >))
            #expect(report.rankedBy == .expected)

            // The file: every polygon valid, its label point inside, its area that of its cells.
            let features = try Self.features(dir + "/t.geojson")
            #expect(features.count == report.targets.count)
            let utm = try SpatialReference(epsg: 32645)
            let back = try CoordinateTransformer(from: SpatialReference(epsg: 4326), to: utm, file: "t.geojson")
            for (f, t) in zip(features, report.targets) {
                #expect(f.properties["id"] as? String == t.id)
                let label = (x: f.properties["label_lon"] as! Double, y: f.properties["label_lat"] as! Double)
                #expect(try PolygonGeometry.isValid(f.polygons, containing: label), "\(t.id)")
                let projected = try f.polygons.map { try $0.map { try back.transform($0) } }
                // Coordinates are written to 1e-7 degrees (about a centimetre).
                let area = try PolygonGeometry.area(projected)
                #expect(abs(area - Double(t.cells) * 10_000) < 1e-4 * Double(t.cells) * 10_000, "\(t.id): \(area) m²")
            }
            // The CSV holds the same columns and rows.
            let csv = try String(contentsOfFile: dir + "/t.csv", encoding: .utf8).split(separator: "\n")
            #expect(csv.count == report.targets.count + 1)
            #expect(csv[0].hasPrefix("rank,id,expected_deposits,area_km2,cells,score_max,score_mean,known_deposits,known_deposit_ids"))
        }
    }

    @Test("without deposits the deposit facts are null; a fuzzy map has no expected deposits and ranks by peak, saying so")
    func withoutDepositsOrProbabilities() throws {
        try withTemporaryDirectory { dir in
            let grid = try Self.grid(columns: 30, rows: 20)
            try Self.writeMap(dir + "/map.tif", grid: grid, method: "fuzzy", value: Self.field)
            let report = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/t.geojson")
            #expect(report.rankedBy == .peak)
            #expect(report.rankingNote?.contains("expected deposits are not available") == true)
            let peaks = report.targets.map(\.maxScore)
            #expect(peaks == peaks.sorted(by: >))
            for t in report.targets {
                #expect(t.expectedDeposits == nil && t.knownDeposits == nil && t.nearestKnownKm == nil && t.greenfield == nil)
            }
            let f = try #require(try Self.features(dir + "/t.geojson").first)
            #expect(f.properties["known_deposits"] is NSNull)
            #expect(f.properties["expected_deposits"] is NSNull)
            #expect(f.properties["greenfield"] is NSNull)
        }
    }

    @Test("an uncertainty band gives each target its mean and a class against the medians over the targets")
    func uncertaintyMatrix() throws {
        try withTemporaryDirectory { dir in
            let grid = try Self.grid(columns: 40, rows: 30)
            let u = { (c: Int, r: Int) in Float(c) / 40 + Float(r % 3) / 10 }
            try Self.writeMap(dir + "/map.tif", grid: grid, method: "wofe_without_model", uncertainty: u, value: Self.field)
            var options = TargetOptions()
            options.threshold = 0.6
            options.top = 0
            options.minCells = 1
            let report = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/t.geojson", options: options)
            let matrix = try #require(report.uncertaintyMatrix)
            #expect(matrix.band == "posterior_std")
            // The medians over every target: the ⌈n/2⌉-th largest of their means.
            let k = (report.targets.count + 1) / 2
            let means = report.targets.map(\.meanScore).sorted(by: >)
            let uncertainties = report.targets.compactMap(\.uncertaintyMean).sorted(by: >)
            #expect(uncertainties.count == report.targets.count)
            #expect(matrix.scoreMedian == means[k - 1])
            #expect(matrix.uncertaintyMedian == uncertainties[k - 1])
            #expect(report.found == report.targets.count)
            let scores = (0..<grid.cellCount).map { Self.field($0 % grid.columns, $0 / grid.columns) }
            let (labels, stats) = scores.withUnsafeBufferPointer {
                ConnectedComponents.label(scores: $0, columns: grid.columns, rows: grid.rows, threshold: 0.6, isValid: { $0 != -9999 })
            }
            for t in report.targets {
                let label = stats[t.component - 1].label
                let values = labels.indices.filter { labels[$0] == label }.map { Double(u($0 % grid.columns, $0 / grid.columns)) }
                let mean = values.reduce(0, +) / Double(values.count)
                #expect(abs(t.uncertaintyMean! - mean) < 1e-6)
                #expect(t.uncertaintyClass == matrix.classify(mean: t.meanScore, uncertainty: mean))
            }
            #expect(Set(report.targets.compactMap(\.uncertaintyClass)).count > 1)
        }
    }

    @Test(
        "a map compressed as Prospect writes it (ZSTD, floating-point predictor) gives the targets, tiles and CSV of the same map uncompressed",
        arguments: [["COMPRESS=ZSTD", "PREDICTOR=3", "INTERLEAVE=BAND"], ["COMPRESS=ZSTD", "INTERLEAVE=BAND"]])
    func compressedMapSameTargets(compression: [String]) throws {
        try withTemporaryDirectory { dir in
            // Partial edge tiles, an uncertainty band, deposits, a threshold from the area, splits.
            let grid = try Self.grid(columns: 70, rows: 45)
            let u = { (c: Int, r: Int) in Float(c) / 70 + Float(r % 5) / 10 }
            try Self.writeDeposits(dir + "/deposits.csv", cells: [(3, 4), (20, 30), (44, 12), (66, 40), (10, 10)])
            var outputs: [[String]] = []
            for (name, options) in [("plain", [String]()), ("packed", compression)] {
                try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: false)
                try Self.writeMap(
                    dir + "/\(name)/map.tif", grid: grid, method: "logistic", uncertainty: u, options: options, value: Self.field)
                #expect(
                    (TileReader.make(dataset: try RasterDataset.open(dir + "/\(name)/map.tif"), bands: [1, 2]) != nil) == (name == "packed")
                )
                var o = TargetOptions()
                o.topAreaPercent = 30
                o.top = 0
                o.minCells = 1
                o.maxAreaKm2 = 0.5
                o.tileSize = 700
                let report = try TargetFinder.find(
                    mapPath: dir + "/\(name)/map.tif", outputPath: dir + "/\(name)/t.geojson",
                    tilesOutputPath: dir + "/\(name)/tiles.geojson",
                    csvPath: dir + "/\(name)/t.csv",
                    deposits: TargetDeposits(source: VectorSource(path: dir + "/deposits.csv"), assumedCRS: Self.crs), options: o)
                #expect(report.split > 0 && report.targets.count > 5 && report.targets.contains { $0.knownDeposits! > 0 })
                outputs.append(
                    try ["t.geojson", "tiles.geojson", "t.csv"].map {
                        try String(contentsOfFile: dir + "/\(name)/\($0)", encoding: .utf8).replacingOccurrences(of: "/\(name)/", with: "/")
                    })
            }
            #expect(outputs[0] == outputs[1])
        }
    }

    @Test("--max-area-km2 splits two hills at their saddle; pieces adjacent, valid, not overlapping; a single hill stays whole")
    func splitAtSaddles() throws {
        try withTemporaryDirectory { dir in
            let grid = try Self.grid(columns: 40, rows: 20)
            // Two hills joined by a ridge, and a lone cone on the right.
            let hills = { (c: Int, r: Int) -> Float in
                let d1 = hypot(Double(c - 8), Double(r - 10))
                let d2 = hypot(Double(c - 17), Double(r - 10))
                let d3 = hypot(Double(c - 33), Double(r - 10))
                return Float(max(1 - d1 / 9, 0.9 - d2 / 8, 0.8 - d3 / 6, 0))
            }
            try Self.writeMap(dir + "/map.tif", grid: grid, method: "logistic", value: hills)
            var options = TargetOptions()
            options.threshold = 0.3
            options.top = 0
            let whole = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/whole.geojson", options: options)
            #expect(whole.targets.count == 2)
            let joined = try #require(whole.targets.max { $0.cells < $1.cells })
            let cone = try #require(whole.targets.min { $0.cells < $1.cells })
            // Smaller than the joined hills, larger than the cone and than each hill alone.
            options.maxAreaKm2 = Double(joined.cells) * 0.01 * 0.75
            #expect(options.maxAreaKm2! < Double(joined.cells) * 0.01)
            let report = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/split.geojson", options: options)
            #expect(report.split == 1)
            let pieces = report.targets.filter { $0.pieces == 2 }
            #expect(pieces.count == 2)
            #expect(pieces.map(\.cells).reduce(0, +) == joined.cells)
            #expect(abs(pieces.map { $0.expectedDeposits! }.reduce(0, +) - joined.expectedDeposits!) < 1e-9)
            for p in pieces { #expect(p.areaKm2 <= options.maxAreaKm2! + 1e-12) }
            #expect(Set(pieces.map(\.maxScore)) == [1, Double(Float(0.9))])
            // A cone larger than the limit has no saddle: it stays whole.
            options.maxAreaKm2 = Double(cone.cells) * 0.01 / 2
            let small = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/small.geojson", options: options)
            #expect(small.targets.contains { $0.cells == cone.cells && $0.pieces == 1 })
            // The two pieces' polygons are valid, touch along the saddle, and do not overlap.
            let features = try Self.features(dir + "/split.geojson").filter { ($0.properties["pieces"] as? Int) == 2 }
            #expect(features.count == 2)
            for f in features { #expect(try PolygonGeometry.isValid(f.polygons)) }
            let union = features.flatMap(\.polygons)
            #expect(try !PolygonGeometry.isValid(union))  // parts of one multipolygon may not share edges
            let utm = try SpatialReference(epsg: 32645)
            let back = try CoordinateTransformer(from: SpatialReference(epsg: 4326), to: utm, file: "split.geojson")
            let areas = try features.map { try PolygonGeometry.area($0.polygons.map { try $0.map { try back.transform($0) } }) }
            #expect(abs(areas.reduce(0, +) - Double(joined.cells) * 10_000) < 1e-4 * Double(joined.cells) * 10_000)
        }
    }

    @Test("--min-area-km2 drops small targets; GeoPackage and FlatGeobuf outputs hold the same targets in the map's CRS")
    func sizeFilterAndFormats() throws {
        try withTemporaryDirectory { dir in
            let grid = try Self.grid(columns: 45, rows: 37)
            try Self.writeMap(dir + "/map.tif", grid: grid, method: "logistic", value: Self.field)
            var options = TargetOptions()
            options.threshold = 0.62
            options.top = 0
            options.minCells = 1
            let all = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/t.gpkg", options: options)
            options.minAreaKm2 = 0.1
            let big = try TargetFinder.find(mapPath: dir + "/map.tif", outputPath: dir + "/t.fgb", options: options)
            #expect(big.targets.count == all.targets.filter { $0.cells >= 10 }.count)
            #expect(big.targets.count < all.targets.count)
            for (path, count) in [("t.gpkg", all.targets.count), ("t.fgb", big.targets.count)] {
                let ds = try VectorDataset.open(dir + "/" + path)
                #expect(ds.layers.first?.featureCount == count)
                #expect(try ds.invalidGeometries().count == 0)
            }
        }
    }
}
