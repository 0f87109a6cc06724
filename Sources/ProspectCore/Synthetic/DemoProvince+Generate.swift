import Foundation

extension DemoProvince {
    /// Generates the demo province deterministically.
    ///
    /// The region: by default 512 × 512 cells of 50 m, top-left corner (340000, 2390000) in
    /// UTM 45N (Keonjhar–Mayurbhanj, Odisha). Geometry scales with the grid's extent, so a
    /// smaller grid is a shrunken copy of the same kind of province. Uses only `+ − × ÷`, `sqrt`,
    /// `exp`, `log`, `sin` and `cos`, in a fixed order, single-threaded: the same seed gives the
    /// same arrays bit for bit.
    ///
    /// Hidden model (deposits are independent Bernoulli draws per cell inside the study area):
    /// `logit p = b0 + 2.0·[lithology = 4] + 1.0·z(thorium) + 0.8·z(magnetics) − 1.5·d_km`, with
    /// `z` standardized over the grid and `d_km` the distance to the nearest fault in km; `b0` is
    /// found by bisection so that Σp over the study area is 60, and moved again by bisection (with
    /// the same uniform draws) if the realized count falls outside 40…80.
    /// - Parameters:
    ///   - columns: grid width in cells (at least 32).
    ///   - rows: grid height in cells (at least 32).
    ///   - cellSize: cell size in metres.
    ///   - seed: the random seed.
    /// - Returns: the province.
    public static func generate(columns: Int = 512, rows: Int = 512, cellSize: Double = 50, seed: UInt64 = 2026) -> DemoProvince {
        precondition(columns >= 32 && rows >= 32, "the demo province needs at least 32 × 32 cells")
        precondition(cellSize > 0, "cells have a positive size")
        let f = ProvinceFrame(columns: columns, rows: rows, cellSize: cellSize)
        var rng = SplitMix64(seed: seed)
        var keys = SplitMix64(seed: SyntheticNoise.mix(seed ^ 0x6B65_7973))
        func field(_ spacing: Double, _ octaves: Int) -> [Float] {
            SyntheticNoise.standardField(
                columns: columns, rows: rows, spacing: f.spacing(spacing),
                octaves: octaves, key: keys.next())
        }

        let studyArea = makeStudyArea(f, &rng)
        let corridor = makeFaults(f, &rng)
        let plugs = makePlugs(f, corridor, studyArea, &rng)
        let n = f.count

        // Elevation (decoy): regional rise to the NW plus three scales of relief.
        let zE1 = field(0.3, 4)
        let zE2 = field(0.08, 3)
        let zE3 = field(0.02, 2)
        var elevation = [Float](repeating: 0, count: n)
        f.forEachCell { i, ex, ny in
            let e = 560 + 70 * (-0.6 * ex + 0.4 * ny) + 105 * Double(zE1[i]) + 35 * Double(zE2[i]) + 8 * Double(zE3[i])
            elevation[i] = Float(softClamp(e, 300, 900, margin: 40))
        }
        var zElevation = elevation
        SyntheticNoise.standardize(&zElevation)

        // Lithology: gneiss basement, NE-trending schist belts, charnockite massifs to the SE,
        // alkaline–carbonatite plugs, laterite on high ground, alluvium in low ground.
        let zChar = field(0.2, 3)
        let zWarp = field(0.15, 2)
        let zPlug = field(0.015, 1)
        let zLat = field(0.05, 3)
        var lithology = [Float](repeating: 1, count: n)
        var schistRamp = [Float](repeating: 0, count: n)
        let strike = 25 * Double.pi / 180
        let beltWave = 0.33 * f.length
        for r in 0..<rows {
            let dy = f.y(r) - f.centreY
            for c in 0..<columns {
                let dx = f.x(c) - f.centreX
                let i = r * columns + c
                let across = -dx * sin(strike) + dy * cos(strike)
                let belt = sin(2 * Double.pi * across / beltWave + 1.2 * Double(zWarp[i]))
                if belt > 0.84 { lithology[i] = 3 }
                schistRamp[i] = Float(min(1, max(0, (belt - 0.6) / 0.4)))
                let southEast = 0.7 * dx / (f.width / 2) - 0.7 * dy / (f.height / 2)
                if Double(zChar[i]) + 1.1 * southEast > 1.5 { lithology[i] = 2 }
            }
        }
        var plugIndex = [Int32](repeating: -1, count: n)
        for (k, plug) in plugs.enumerated() {
            let box = f.cellBox(x: plug.x, y: plug.y, radius: 1.4 * plug.radius)
            for r in box.r0..<box.r1 {
                for c in box.c0..<box.c1 {
                    let i = r * columns + c
                    let q = plug.shapeRatio(x: f.x(c), y: f.y(r)) * (1 + 0.07 * Double(zPlug[i]))
                    if q < 1 {
                        lithology[i] = 4
                        plugIndex[i] = Int32(k)
                    }
                }
            }
        }
        // The radiometric level is set by the bedrock: the laterite and alluvium are thin and
        // derived from what lies beneath, so eTh (a true layer) stays independent of elevation
        // (a decoy).
        let bedrock = lithology
        for i in 0..<n where lithology[i] != 4 {
            if zElevation[i] > 0.85 && zLat[i] > -0.1 { lithology[i] = 5 }
            if zElevation[i] < -1.35 { lithology[i] = 6 }
        }

        // Total magnetic intensity residual: regional gradient, noise at three scales (down to
        // ≈ 250 m), magnetic schist belts, modest dipolar highs over the plugs (low to the north at
        // this latitude, amplitude drawn independently of the plug's thorium), and a few mafic bodies.
        let zM1 = field(0.1, 3)
        let zM2 = field(0.025, 2)
        let zM3 = field(0.01, 1)
        var magnetics = [Double](repeating: 0, count: n)
        f.forEachCell { i, ex, ny in
            magnetics[i] =
                80 * (-0.6 * ex + 0.8 * ny) / 1.4 + 50 * Double(zM1[i]) + 60 * Double(zM2[i]) + 50 * Double(zM3[i])
                + 170 * Double(schistRamp[i])
        }
        for plug in plugs {
            addDipole(&magnetics, f, x: plug.x, y: plug.y, amplitude: plug.magnetics, sigma: 0.85 * plug.radius)
        }
        let maficCount = 2 + Int(rng.next() % 3)
        for _ in 0..<maficCount {
            var p = f.point(0.5, 0.5)
            for _ in 0..<30 {
                p = f.point(0.08 + 0.84 * rng.nextUnit(), 0.08 + 0.84 * rng.nextUnit())
                if corridor.axisDistance(p) > 4000 * f.scale { break }
            }
            let amplitude = 150 + 150 * rng.nextUnit()
            let sigma = (500 + 700 * rng.nextUnit()) * f.scale
            addDipole(&magnetics, f, x: p.x, y: p.y, amplitude: amplitude, sigma: sigma)
        }
        let magneticsValues = magnetics.map { Float(softClamp($0, -300, 800, margin: 60)) }

        // Equivalent thorium: bedrock levels seen through the radiometric footprint, modest
        // fenite haloes around the plugs, smooth and short-range (≈ 300 m) variation and counting
        // noise. The plugs are only moderately Th-rich, so most of the layer's information lies
        // off the plugs and deposits are not all drawn to the one most anomalous complex.
        let thoriumLevel: [Float] = [0, 14, 8, 5]
        var thorium = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let k = plugIndex[i]
            thorium[i] = k >= 0 ? Float(plugs[Int(k)].thorium) : thoriumLevel[Int(bedrock[i])]
        }
        SyntheticGeometry.boxBlur(
            &thorium, columns: columns, rows: rows,
            radius: max(1, Int((100 / cellSize).rounded())), passes: 2)
        var thoriumD = thorium.map(Double.init)
        for plug in plugs { addGaussian(&thoriumD, f, x: plug.x, y: plug.y, amplitude: 2, sigma: 1.4 * plug.radius) }
        let zT = field(0.06, 3)
        let zT2 = field(0.012, 1)
        let countKey = keys.next()
        for r in 0..<rows {
            for c in 0..<columns {
                let i = r * columns + c
                let white = Double(SyntheticNoise.hash(countKey, c, r) >> 11) * 0x1p-53 - 0.5
                thorium[i] = Float(softClamp(thoriumD[i] + 2.5 * Double(zT[i]) + 3.5 * Double(zT2[i]) + 4 * white, 5, 60, margin: 3))
            }
        }

        // Potassium (decoy): an unrelated smooth field.
        let zK1 = field(0.22, 4)
        let zK2 = field(0.03, 2)
        var potassium = [Float](repeating: 0, count: n)
        for i in 0..<n {
            potassium[i] = Float(softClamp(1.9 + 0.65 * Double(zK1[i]) + 0.2 * Double(zK2[i]), 0.2, 4, margin: 0.2))
        }

        // Stream-sediment La+Ce+Nd: log-normal background by lithology, haloes and downstream
        // dispersion trains from the plugs, unsampled blobs.
        let reeOffset: [Double] = [0, 0, 0.06, -0.05, 0.35, 0.12, 0.03]
        let zG1 = field(0.07, 3)
        let zG2 = field(0.015, 2)
        var logREE = [Double](repeating: 0, count: n)
        for i in 0..<n {
            logREE[i] = log10(140) + 0.15 * Double(zG1[i]) + 0.07 * Double(zG2[i]) + reeOffset[Int(lithology[i])]
        }
        for plug in plugs { addDispersionTrain(&logREE, f, plug: plug, elevation: elevation, rng: &rng) }
        var ree = logREE.map { Float(exp(softClamp($0, log10(50), log10(3000), margin: 0.12) * log(10.0))) }
        makeHoles(&ree, f, plugs: plugs, noise: field(0.04, 2), rng: &rng)

        // Faults, study area and the hidden model.
        let faultDistance = SyntheticGeometry.distanceToLines(corridor.faults, grid: f.grid)
        let (thMean, thSD) = SyntheticNoise.meanAndDeviation(thorium)
        let (mgMean, mgSD) = SyntheticNoise.meanAndDeviation(magneticsValues)
        var eta = [Double](repeating: 0, count: n)
        for i in 0..<n {
            eta[i] =
                2.0 * (lithology[i] == 4 ? 1 : 0) + 1.0 * (Double(thorium[i]) - thMean) / thSD
                + 0.8 * (Double(magneticsValues[i]) - mgMean) / mgSD - 1.5 * Double(faultDistance[i]) / 1000
        }
        let inside = SyntheticGeometry.mask(studyArea, grid: f.grid)
        let draw = drawDeposits(eta: eta, inside: inside, seed: seed)
        let probability = eta.map { Float(1 / (1 + exp(-(draw.intercept + $0)))) }
        let deposits = placeDeposits(draw.cells, f, studyArea: studyArea, plugs: plugs, rng: &rng)

        // The continuous layers share one nodata value.
        func continuous(_ name: String, _ title: String, _ unit: String, _ values: [Float], isTrueEvidence: Bool) -> SyntheticLayer {
            SyntheticLayer(
                name: name, title: title, unit: unit, kind: .continuous, values: values, nodata: DemoProvince.nodata,
                isTrueEvidence: isTrueEvidence)
        }
        let layers = [
            continuous("magnetics", "Total magnetic intensity residual (nT)", "nT", magneticsValues, isTrueEvidence: true),
            continuous("thorium", "Equivalent thorium, airborne gamma-ray spectrometry (ppm eTh)", "ppm", thorium, isTrueEvidence: true),
            continuous("ree_geochem", "Stream-sediment La+Ce+Nd (ppm); -9999 where unsampled", "ppm", ree, isTrueEvidence: false),
            SyntheticLayer(
                name: "lithology",
                title:
                    "Lithology class: 1 granite gneiss, 2 charnockite, 3 mafic schist, 4 alkaline-carbonatite complex, 5 laterite cover, 6 alluvium (0 nodata)",
                kind: .categorical, values: lithology, nodata: 0, isTrueEvidence: true),
            continuous("potassium", "Potassium, airborne gamma-ray spectrometry (% K)", "%", potassium, isTrueEvidence: false),
            continuous("elevation", "Elevation above mean sea level (m)", "m", elevation, isTrueEvidence: false),
        ]
        let distanceName = DemoProvince.faultDistanceLayerName
        let description = """
            logit(p) = b0 + 2.0*[lithology == 4] + 1.0*z(thorium) + 0.8*z(magnetics) - 1.5*\(distanceName)_km; \
            b0 = \(String(format: "%.6f", draw.intercept)); \
            z(v) = (v - mean)/sd over all grid cells (thorium mean \(String(format: "%.4f", thMean)) sd \(String(format: "%.4f", thSD)) ppm; \
            magnetics mean \(String(format: "%.4f", mgMean)) sd \(String(format: "%.4f", mgSD)) nT); \
            \(distanceName)_km = distance from the cell centre to the nearest fault segment in km; \
            deposits = independent Bernoulli(p) draws at cells whose centres lie inside the study area \
            (expected \(String(format: "%.2f", draw.expected)), drawn \(draw.cells.count)). \
            ree_geochem is a correlated indicator (dispersion from the complexes), potassium and elevation are decoys.
            """
        let truth = HiddenModel(
            intercept: draw.intercept,
            effects: ["lithology": 2.0, "thorium": 1.0, "magnetics": 0.8, distanceName: -1.5],
            description: description,
            trueLayers: ["lithology", "thorium", "magnetics", distanceName],
            decoyLayers: ["potassium", "elevation"],
            indicatorLayers: ["ree_geochem"],
            means: ["thorium": thMean, "magnetics": mgMean],
            standardDeviations: ["thorium": thSD, "magnetics": mgSD],
            favourableLithology: DemoProvince.favourableLithology,
            expectedDeposits: draw.expected)
        return DemoProvince(
            grid: f.grid, layers: layers, faults: corridor.faults, studyArea: studyArea,
            deposits: deposits, faultDistance: faultDistance, truth: truth, probability: probability)
    }
}

// MARK: - Frame and features

/// Cell and map geometry of the province grid.
struct ProvinceFrame {
    let columns: Int, rows: Int, cellSize: Double
    let left = 340_000.0, top = 2_390_000.0
    var width: Double { Double(columns) * cellSize }
    var height: Double { Double(rows) * cellSize }
    var bottom: Double { top - height }
    var centreX: Double { left + width / 2 }
    var centreY: Double { bottom + height / 2 }
    /// Geometric-mean side length (25.6 km for the default region).
    var length: Double { (width * height).squareRoot() }
    /// Length relative to the default region: feature sizes are given for 25.6 km and scaled.
    var scale: Double { length / 25_600 }
    var count: Int { columns * rows }
    var grid: Grid {
        Grid(
            columns: columns, rows: rows, transform: .northUp(left: left, top: top, cellSize: cellSize),
            crsWKT: "", crsName: "EPSG:32645")
    }

    func x(_ c: Int) -> Double { left + (Double(c) + 0.5) * cellSize }
    func y(_ r: Int) -> Double { top - (Double(r) + 0.5) * cellSize }
    /// Calls `body(i, ex, ny)` for every cell, row by row: its index and its centre's offset
    /// from the grid's centre in half-widths east and half-heights north.
    func forEachCell(_ body: (_ i: Int, _ ex: Double, _ ny: Double) -> Void) {
        for r in 0..<rows {
            let ny = (y(r) - centreY) / (height / 2)
            for c in 0..<columns {
                body(r * columns + c, (x(c) - centreX) / (width / 2), ny)
            }
        }
    }
    /// Map point at fractions (u east, v north) of the extent.
    func point(_ u: Double, _ v: Double) -> SyntheticGeometry.Point { (left + u * width, bottom + v * height) }
    /// The point moved inside the grid, `margin` (fraction of the extent) from the edges.
    func clamped(_ p: SyntheticGeometry.Point, margin: Double = 0.005) -> SyntheticGeometry.Point {
        (
            min(left + (1 - margin) * width, max(left + margin * width, p.x)),
            min(bottom + (1 - margin) * height, max(bottom + margin * height, p.y))
        )
    }
    /// Noise lattice spacing in cells for a fraction of the grid size.
    func spacing(_ fraction: Double) -> Int { max(2, Int(fraction * Double(min(columns, rows)))) }
    /// Half-open cell ranges covering a square of `radius` metres around (x, y), clipped to the grid.
    func cellBox(x: Double, y: Double, radius: Double) -> (c0: Int, c1: Int, r0: Int, r1: Int) {
        let c0 = max(0, Int(((x - radius - left) / cellSize).rounded(.down)))
        let c1 = min(columns, Int(((x + radius - left) / cellSize).rounded(.up)))
        let r0 = max(0, Int(((top - y - radius) / cellSize).rounded(.down)))
        let r1 = min(rows, Int(((top - y + radius) / cellSize).rounded(.up)))
        return (c0, max(c0, c1), r0, max(r0, r1))
    }
}

/// The rift corridor: its axis and the fault traces.
struct RiftCorridor {
    var origin: SyntheticGeometry.Point
    /// Unit vector along the axis (towards the NE) and its left normal (towards the NW).
    var along: SyntheticGeometry.Point
    var normal: SyntheticGeometry.Point
    var faults: [[SyntheticGeometry.Point]]
    /// Index of the main fault in `faults` (always 0).
    var main: [SyntheticGeometry.Point] { faults[0] }

    func axisDistance(_ p: SyntheticGeometry.Point) -> Double {
        abs((p.x - origin.x) * normal.x + (p.y - origin.y) * normal.y)
    }
}

/// One alkaline–carbonatite plug.
struct CarbonatitePlug {
    var x: Double, y: Double, radius: Double
    /// Shape: r(θ) = radius · (1 + a2 cos 2(θ − φ2) + a3 cos 3(θ − φ3)), stored as cos/sin of 2φ2, 3φ3.
    var a2: Double, c2: Double, s2: Double
    var a3: Double, c3: Double, s3: Double
    var thorium: Double
    var magnetics: Double
    var dispersion: Double
    var trainLength: Double

    /// Distance from the centre over the boundary radius in that direction (< 1 inside).
    func shapeRatio(x px: Double, y py: Double) -> Double {
        let dx = px - x
        let dy = py - y
        let d = (dx * dx + dy * dy).squareRoot()
        guard d > 0 else { return 0 }
        let c = dx / d
        let s = dy / d
        let cos2 = c * c - s * s
        let sin2 = 2 * c * s
        let cos3 = c * (4 * c * c - 3)
        let sin3 = s * (3 - 4 * s * s)
        let r = radius * (1 + a2 * (cos2 * c2 + sin2 * s2) + a3 * (cos3 * c3 + sin3 * s3))
        return d / r
    }
}

extension DemoProvince {
    /// `value` squeezed smoothly into [lo, hi]: unchanged in [lo + margin, hi − margin], then an
    /// exponential approach to the bound.
    static func softClamp(_ value: Double, _ lo: Double, _ hi: Double, margin: Double) -> Double {
        if value > hi - margin { return hi - margin * exp(-(value - (hi - margin)) / margin) }
        if value < lo + margin { return lo + margin * exp((value - (lo + margin)) / margin) }
        return value
    }

    /// Point at fraction `t` of a polyline's vertex sequence.
    static func pointAlong(_ line: [SyntheticGeometry.Point], _ t: Double) -> SyntheticGeometry.Point {
        let s = min(max(t, 0), 1) * Double(line.count - 1)
        let k = min(line.count - 2, Int(s))
        let u = s - Double(k)
        return (line[k].x + u * (line[k + 1].x - line[k].x), line[k].y + u * (line[k + 1].y - line[k].y))
    }

    static func rotate(_ v: SyntheticGeometry.Point, _ angle: Double) -> SyntheticGeometry.Point {
        let c = cos(angle)
        let s = sin(angle)
        return (v.x * c - v.y * s, v.x * s + v.y * c)
    }

    /// A star-shaped ring of 14–18 vertices around the centre, scaled to cover 83–87 % of the grid.
    static func makeStudyArea(_ f: ProvinceFrame, _ rng: inout SplitMix64) -> [SyntheticGeometry.Point] {
        let count = 14 + Int(rng.next() % 5)
        let hx = f.width * 0.49
        let hy = f.height * 0.49
        var raw = [SyntheticGeometry.Point]()
        for k in 0..<count {
            let theta = 2 * Double.pi * (Double(k) + 0.7 * (rng.nextUnit() - 0.5)) / Double(count)
            let c = cos(theta)
            let s = sin(theta)
            let reach = min(hx / max(abs(c), 1e-9), hy / max(abs(s), 1e-9))
            let factor = 0.84 + 0.16 * rng.nextUnit()
            raw.append((c * reach * factor, s * reach * factor))
        }
        let target = (0.83 + 0.04 * rng.nextUnit()) * f.width * f.height
        var ring = raw
        var scale = 1.0
        for _ in 0..<8 {
            ring = raw.map { (min(hx, max(-hx, $0.x * scale)), min(hy, max(-hy, $0.y * scale))) }
            let area = SyntheticGeometry.signedArea(ring)
            scale *= (target / area).squareRoot()
        }
        ring = ring.map { (f.centreX + $0.x, f.centreY + $0.y) }
        ring.append(ring[0])
        return ring
    }

    /// The NE–SW rift: 2–3 long sub-parallel faults and 12–18 splays and cross faults.
    static func makeFaults(_ f: ProvinceFrame, _ rng: inout SplitMix64) -> RiftCorridor {
        let a = f.point(0.05 + 0.05 * rng.nextUnit(), 0.07 + 0.06 * rng.nextUnit())
        let b = f.point(0.91 + 0.04 * rng.nextUnit(), 0.89 + 0.05 * rng.nextUnit())
        let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        let along = ((b.x - a.x) / length, (b.y - a.y) / length)
        let normal = (-along.1, along.0)
        var faults = [[SyntheticGeometry.Point]]()
        let longCount = 2 + Int(rng.next() % 2)
        for k in 0..<longCount {
            let offset = k == 0 ? 0 : (k == 1 ? 1 : -1) * (900 + 600 * rng.nextUnit()) * f.scale
            let t0 = k == 0 ? 0 : 0.04 + 0.14 * rng.nextUnit()
            let t1 = k == 0 ? 1 : 0.82 + 0.14 * rng.nextUnit()
            let vertices = 10 + Int(rng.next() % 4)
            var wander = 0.0
            var line = [SyntheticGeometry.Point]()
            for v in 0..<vertices {
                let jitter = (v > 0 && v < vertices - 1) ? 0.6 * (rng.nextUnit() - 0.5) : 0
                let t = t0 + (t1 - t0) * (Double(v) + jitter) / Double(vertices - 1)
                wander = 0.6 * wander + rng.nextGaussian() * 200 * f.scale
                let s = t * length
                let o = offset + wander
                line.append(f.clamped((a.x + along.0 * s + normal.0 * o, a.y + along.1 * s + normal.1 * o)))
            }
            faults.append(line)
        }
        let splayCount = 12 + Int(rng.next() % 7)
        for _ in 0..<splayCount {
            let parent = rng.nextUnit() < 0.5 ? 0 : Int(rng.next() % UInt64(longCount))
            let start = pointAlong(faults[parent], 0.08 + 0.84 * rng.nextUnit())
            var direction: SyntheticGeometry.Point
            var begin = start
            let span: Double
            if rng.nextUnit() < 0.35 {
                // A NW–SE cross fault through the corridor.
                direction = rotate(along, Double.pi / 2 + (rng.nextUnit() - 0.5) * Double.pi / 6)
                span = (2000 + 3000 * rng.nextUnit()) * f.scale
                let back = span * (0.3 + 0.3 * rng.nextUnit())
                begin = (start.x - direction.x * back, start.y - direction.y * back)
            } else {
                // A splay leaving the fault at 20–40°.
                let side: Double = rng.nextUnit() < 0.5 ? 1 : -1
                let forward: Double = rng.nextUnit() < 0.5 ? 1 : -1
                direction = rotate(
                    (along.0 * forward, along.1 * forward),
                    side * (20 + 20 * rng.nextUnit()) * Double.pi / 180)
                span = (1500 + 3500 * rng.nextUnit()) * f.scale
            }
            let vertices = 3 + Int(rng.next() % 3)
            let bend = rng.nextGaussian() * 0.08
            let step = span / Double(vertices - 1)
            var p = f.clamped(begin)
            var line = [p]
            for _ in 1..<vertices {
                direction = rotate(direction, bend)
                let wobble = rng.nextGaussian() * 60 * f.scale
                p = f.clamped(
                    (
                        p.x + direction.x * step - direction.y * wobble,
                        p.y + direction.y * step + direction.x * wobble
                    ))
                line.append(p)
            }
            faults.append(line)
        }
        return RiftCorridor(origin: a, along: along, normal: normal, faults: faults)
    }

    /// 11–14 plugs of 0.4–0.85 km radius spread over the province: about 40 % in the main fault
    /// zone, 40 % on the secondary faults (the sub-parallel faults, splays and cross faults) and
    /// the rest at least 1 km from any fault (mostly barren under the hidden model), at least
    /// 2.5 km apart and inside the study area.
    ///
    /// Each plug's thorium level and magnetic amplitude are drawn independently (a
    /// magnetite-poor carbonatite can be Th-rich and the reverse), so the two layers carry
    /// information beyond the lithology code. Alkaline–carbonatite fields typically hold many
    /// small intrusions of varied size along and off the main structures (Woolley & Kjarsgaard
    /// 2008, carbonatite occurrences of the world).
    static func makePlugs(
        _ f: ProvinceFrame, _ corridor: RiftCorridor, _ studyArea: [SyntheticGeometry.Point],
        _ rng: inout SplitMix64
    ) -> [CarbonatitePlug] {
        let count = 11 + Int(rng.next() % 4)
        let onMain = (count * 4 + 5) / 10
        let onSecondary = (count * 4 + 5) / 10
        let separation = 2500 * f.scale
        func faultDistance(_ p: SyntheticGeometry.Point) -> Double {
            var best = Double.infinity
            for line in corridor.faults {
                for (a, b) in zip(line, line.dropFirst()) {
                    best = min(best, SyntheticGeometry.segmentDistance2(p.x, p.y, a.x, a.y, b.x, b.y))
                }
            }
            return best.squareRoot()
        }
        var plugs = [CarbonatitePlug]()
        for k in 0..<count {
            var centre = f.point(0.5, 0.5)
            for attempt in 0..<40 {
                if k < onMain {
                    let t = 0.1 + 0.8 * (Double(k) + 0.5 + 0.8 * (rng.nextUnit() - 0.5)) / Double(onMain)
                    let base = pointAlong(corridor.main, attempt < 20 ? t : rng.nextUnit())
                    let offset = min(1500, max(-1500, rng.nextGaussian() * 700)) * f.scale
                    centre = (base.x + corridor.normal.x * offset, base.y + corridor.normal.y * offset)
                } else if k < onMain + onSecondary {
                    let line = corridor.faults[1 + Int(rng.next() % UInt64(corridor.faults.count - 1))]
                    let base = pointAlong(line, 0.15 + 0.85 * rng.nextUnit())
                    let offset = min(600, max(-600, rng.nextGaussian() * 250)) * f.scale
                    centre = (base.x + corridor.normal.x * offset, base.y + corridor.normal.y * offset)
                } else {
                    centre = f.point(0.08 + 0.84 * rng.nextUnit(), 0.08 + 0.84 * rng.nextUnit())
                    if faultDistance(centre) < 1000 * f.scale { continue }
                }
                centre = f.clamped(centre, margin: 0.05)
                guard SyntheticGeometry.contains(studyArea, x: centre.x, y: centre.y) else { continue }
                let spaced = plugs.allSatisfy { p in
                    (p.x - centre.x) * (p.x - centre.x) + (p.y - centre.y) * (p.y - centre.y) > separation * separation
                }
                if spaced { break }
            }
            let phi2 = 2 * Double.pi * rng.nextUnit()
            let phi3 = 2 * Double.pi * rng.nextUnit()
            plugs.append(
                CarbonatitePlug(
                    x: centre.x, y: centre.y, radius: (400 + 450 * rng.nextUnit()) * f.scale,
                    a2: 0.15 * rng.nextUnit(), c2: cos(2 * phi2), s2: sin(2 * phi2),
                    a3: 0.10 * rng.nextUnit(), c3: cos(3 * phi3), s3: sin(3 * phi3),
                    thorium: 11 + 5 * rng.nextUnit(),
                    magnetics: 40 + 80 * rng.nextUnit(),
                    dispersion: 0.55 + 0.3 * rng.nextUnit(),
                    trainLength: (1800 + 1500 * rng.nextUnit()) * f.scale))
        }
        return plugs
    }

    /// Adds a magnetic high of `amplitude` nT (Gaussian of `sigma` m) with a low of 0.3 of it
    /// displaced 1.2 σ to the north: the induced anomaly of a compact body at low latitude.
    static func addDipole(
        _ values: inout [Double], _ f: ProvinceFrame, x: Double, y: Double,
        amplitude: Double, sigma: Double
    ) {
        let box = f.cellBox(x: x, y: y + 0.6 * sigma, radius: 4.5 * sigma)
        let k = -1 / (2 * sigma * sigma)
        let north = y + 1.2 * sigma
        for r in box.r0..<box.r1 {
            let py = f.y(r)
            for c in box.c0..<box.c1 {
                let dx = f.x(c) - x
                let dy = py - y
                let dn = py - north
                values[r * f.columns + c] += amplitude * (exp(k * (dx * dx + dy * dy)) - 0.3 * exp(k * (dx * dx + dn * dn)))
            }
        }
    }

    /// Adds an isotropic Gaussian bump, cut off at 3 σ.
    static func addGaussian(
        _ values: inout [Double], _ f: ProvinceFrame, x: Double, y: Double,
        amplitude: Double, sigma: Double
    ) {
        let box = f.cellBox(x: x, y: y, radius: 3 * sigma)
        let k = -1 / (2 * sigma * sigma)
        for r in box.r0..<box.r1 {
            let dy = f.y(r) - y
            for c in box.c0..<box.c1 {
                let dx = f.x(c) - x
                values[r * f.columns + c] += amplitude * exp(k * (dx * dx + dy * dy))
            }
        }
    }

    /// Adds (in log10 ppm) a halo around a plug and a train that widens and fades downslope,
    /// the direction taken from the elevation gradient at the plug (Hawkes & Webb 1962,
    /// dispersion trains in stream sediments).
    static func addDispersionTrain(
        _ logValues: inout [Double], _ f: ProvinceFrame, plug: CarbonatitePlug,
        elevation: [Float], rng: inout SplitMix64
    ) {
        let c = min(f.columns - 1, max(0, Int((plug.x - f.left) / f.cellSize)))
        let r = min(f.rows - 1, max(0, Int((f.top - plug.y) / f.cellSize)))
        let k = max(2, Int((800 / f.cellSize).rounded()))
        let cl = max(0, c - k)
        let cr = min(f.columns - 1, c + k)
        let ru = max(0, r - k)
        let rd = min(f.rows - 1, r + k)
        let gx = Double(elevation[r * f.columns + cr] - elevation[r * f.columns + cl]) / (Double(cr - cl) * f.cellSize)
        let gy = Double(elevation[ru * f.columns + c] - elevation[rd * f.columns + c]) / (Double(rd - ru) * f.cellSize)
        let g = (gx * gx + gy * gy).squareRoot()
        var flow: SyntheticGeometry.Point
        if g > 1e-6 {
            flow = (-gx / g, -gy / g)
        } else {
            let a = 2 * Double.pi * rng.nextUnit()
            flow = (cos(a), sin(a))
        }
        let lengthScale = plug.trainLength
        let halo = 1.3 * plug.radius
        let reach = 1.5 * lengthScale + 2 * plug.radius
        let box = f.cellBox(x: plug.x + flow.x * 1.2 * lengthScale, y: plug.y + flow.y * 1.2 * lengthScale, radius: reach)
        for row in box.r0..<box.r1 {
            let dy = f.y(row) - plug.y
            for col in box.c0..<box.c1 {
                let dx = f.x(col) - plug.x
                let d2 = dx * dx + dy * dy
                var value = exp(-d2 / (2 * halo * halo))
                let along = dx * flow.x + dy * flow.y
                if along > 0 {
                    let across = -dx * flow.y + dy * flow.x
                    let w = plug.radius * (0.6 + 0.5 * along / lengthScale)
                    if across * across < 25 * w * w {
                        value = max(value, exp(-along / lengthScale - across * across / (2 * w * w)))
                    }
                }
                logValues[row * f.columns + col] += plug.dispersion * value
            }
        }
    }

    /// Sets 3–6 irregular blobs covering about 8 % of the grid to nodata (unsampled ground,
    /// such as reserved forest); the first touches a plug so a few deposits fall in a hole.
    /// - Returns: the number of nodata cells.
    @discardableResult
    static func makeHoles(
        _ values: inout [Float], _ f: ProvinceFrame, plugs: [CarbonatitePlug], noise: [Float],
        rng: inout SplitMix64
    ) -> Int {
        let count = 3 + Int(rng.next() % 4)
        var weights = [Double]()
        for _ in 0..<count { weights.append(0.6 + 0.8 * rng.nextUnit()) }
        let total = weights.reduce(0, +)
        let area = 0.085 * f.width * f.height
        for (k, w) in weights.enumerated() {
            let radius = (area * w / total / Double.pi).squareRoot()
            var centre: SyntheticGeometry.Point
            if k == 0 {
                let plug = plugs[Int(rng.next() % UInt64(plugs.count))]
                let a = 2 * Double.pi * rng.nextUnit()
                let d = radius + 0.6 * plug.radius
                centre = (plug.x + d * cos(a), plug.y + d * sin(a))
            } else {
                centre = f.point(0.1 + 0.8 * rng.nextUnit(), 0.1 + 0.8 * rng.nextUnit())
            }
            let box = f.cellBox(x: centre.x, y: centre.y, radius: 1.9 * radius)
            for r in box.r0..<box.r1 {
                let dy = f.y(r) - centre.y
                for c in box.c0..<box.c1 {
                    let dx = f.x(c) - centre.x
                    let i = r * f.columns + c
                    if (dx * dx + dy * dy).squareRoot() / radius < 1 + 0.28 * Double(noise[i]) {
                        values[i] = DemoProvince.nodata
                    }
                }
            }
        }
        return values.reduce(0) { $0 + ($1 == DemoProvince.nodata ? 1 : 0) }
    }

    /// Draws deposits as independent Bernoulli trials at study-area cells.
    ///
    /// `b0` is first found by bisection so that Σ sigmoid(b0 + η) over the study area is 60.
    /// One uniform number per cell is drawn (row-major, whole grid); a cell holds a deposit when
    /// its number is below its probability. If that gives fewer than 40 or more than 80 deposits,
    /// `b0` is moved by bisection with the same uniform numbers (the count is monotone in `b0`)
    /// until the count is within 50…70.
    static func drawDeposits(eta: [Double], inside: [Bool], seed: UInt64)
        -> (intercept: Double, expected: Double, cells: [Int])
    {
        let n = eta.count
        // Study-area cells and their odds factors exp(η), compacted.
        var index = [Int]()
        var odds = [Double]()
        for i in 0..<n where inside[i] {
            index.append(i)
            odds.append(exp(eta[i]))
        }
        func expected(_ b0: Double) -> Double {
            let e = exp(b0)
            var sum = 0.0
            odds.withUnsafeBufferPointer { o in
                for k in 0..<o.count { sum += e * o[k] / (1 + e * o[k]) }
            }
            return sum
        }
        var lo = -60.0
        var hi = 20.0
        for _ in 0..<56 {
            let mid = (lo + hi) / 2
            if expected(mid) < 60 { lo = mid } else { hi = mid }
        }
        var b0 = (lo + hi) / 2
        var uniforms = SplitMix64(seed: SyntheticNoise.mix(seed ^ 0x4465_706F_7369_7473))
        var u = [Double](repeating: 0, count: n)
        for i in 0..<n { u[i] = uniforms.nextUnit() }
        func cells(_ b0: Double) -> [Int] {
            let e = exp(b0)
            var out = [Int]()
            for k in odds.indices where u[index[k]] < e * odds[k] / (1 + e * odds[k]) { out.append(index[k]) }
            return out
        }
        var chosen = cells(b0)
        if chosen.count < 40 || chosen.count > 80 {
            var low = b0 - 30
            var high = b0 + 30
            if chosen.count > 80 { high = b0 } else { low = b0 }
            for _ in 0..<100 {
                let mid = (low + high) / 2
                chosen = cells(mid)
                b0 = mid
                if (50...70).contains(chosen.count) { break }
                if chosen.count > 60 { high = mid } else { low = mid }
            }
        }
        precondition((40...80).contains(chosen.count), "deposit count \(chosen.count) outside 40…80")
        return (b0, expected(b0), chosen)
    }

    static let placeNames = [
        "Kusumi", "Jashipur", "Karanjia", "Thakurmunda", "Bangriposi", "Rairangpur", "Bisoi", "Gorumahisani",
        "Badampahar", "Kaptipada", "Udala", "Raruan", "Sukruli", "Tiring", "Bahalda", "Jamda", "Kuliana",
        "Saharpada", "Telkoi", "Champua", "Joda", "Barbil", "Harichandanpur", "Ghatgaon", "Patna", "Banspal",
        "Jhumpura", "Anandapur", "Hatadihi", "Ghasipura", "Suakati", "Nayakote",
    ]

    /// Deposits at the chosen cells, jittered inside their cells, named after the nearest locality
    /// (the plugs first, then scattered villages) and numbered within it.
    static func placeDeposits(
        _ cells: [Int], _ f: ProvinceFrame, studyArea: [SyntheticGeometry.Point],
        plugs: [CarbonatitePlug], rng: inout SplitMix64
    ) -> [SyntheticDeposit] {
        var names = placeNames
        for k in stride(from: names.count - 1, to: 0, by: -1) {
            names.swapAt(k, Int(rng.next() % UInt64(k + 1)))
        }
        var localities = plugs.map { (x: $0.x, y: $0.y) }
        while localities.count < min(names.count, plugs.count + 10) {
            localities.append(f.point(0.05 + 0.9 * rng.nextUnit(), 0.05 + 0.9 * rng.nextUnit()))
        }
        var numbers = [Int](repeating: 0, count: localities.count)
        var deposits = [SyntheticDeposit]()
        for (k, i) in cells.enumerated() {
            let c = i % f.columns
            let r = i / f.columns
            var x = f.x(c) + (rng.nextUnit() - 0.5) * 0.8 * f.cellSize
            var y = f.y(r) + (rng.nextUnit() - 0.5) * 0.8 * f.cellSize
            if !SyntheticGeometry.contains(studyArea, x: x, y: y) {
                x = f.x(c)
                y = f.y(r)
            }
            var nearest = 0
            var best = Double.infinity
            for (j, p) in localities.enumerated() {
                let d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y)
                if d < best {
                    best = d
                    nearest = j
                }
            }
            numbers[nearest] += 1
            let id = "D" + String(repeating: "0", count: max(0, 3 - String(k + 1).count)) + String(k + 1)
            deposits.append(
                SyntheticDeposit(
                    id: id, name: "\(names[nearest])-\(numbers[nearest])",
                    x: x, y: y, column: c, row: r))
        }
        return deposits
    }
}
