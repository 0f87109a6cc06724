import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline

/// Training from files, timed: `Workflows.train` (what `prospect train` runs) on synthetic studies
/// with 1 and all threads.
public struct TrainingBenchReport: Sendable, Codable {
    public struct Run: Sendable, Codable {
        /// `TrainingBenchStudy` raw value.
        public var study: String
        public var method: String
        public var threads: Int
        /// Wall seconds of each repetition, in the order run.
        public var seconds: [Double]
        /// True when the model file is byte for byte the one the first thread count wrote.
        public var sameModel: Bool
        /// Design columns of a logistic fit (slopes and class dummies), Newton iterations.
        public var parameters: Int?
        public var iterations: Int?
        public var backgroundCells: Int?
        public var depositCells: Int
        public var trainingCells: Int
    }
    public var runs: [Run]
    public var machine: String
}

/// The synthetic studies the training benchmark trains on.
public enum TrainingBenchStudy: String, CaseIterable, Sendable, Codable {
    /// `size`² cells of `layers` continuous float32 layers: the uncompressed 256² tiled GeoTIFFs of
    /// the scoring benchmark (`Benchmark.prepareStack`), deposits drawn on a lattice every 16
    /// cells with a logistic probability of the layers (`Benchmark.trainingDeposits`).
    case large
    /// 400 000 cells (800 × 500) of 15 layers: 10 continuous float32 layers of the synthetic
    /// fields and 5 categorical Int16 layers of 29 equally frequent classes (the fields' ranks),
    /// so a logistic design has 10 slopes and 5 × 28 class dummies: 150 parameters. Deposits on
    /// any cell with a logistic probability of three continuous layers and three class effects.
    case wide

    /// The study's rasters as layers, and its deposits' file, written into `directory` once.
    public func files(directory: String, size: Int, layers: Int) throws -> (layers: [LayerSpec], deposits: String) {
        switch self {
        case .large:
            let specs = try Benchmark.prepareStack(directory: directory, size: size, layers: layers)
            let path = "\(directory)/bench_\(size)_\(layers)_deposits.gpkg"
            if !FileManager.default.fileExists(atPath: path) {
                try Benchmark.writePoints(
                    Benchmark.trainingDeposits(size: size, layers: layers), grid: Benchmark.benchGrid(size: size), to: path)
            }
            return (specs, path)
        case .wide:
            return try Benchmark.wideStudy(directory: directory)
        }
    }
}

extension Benchmark {
    /// The grid of `prepareStack`'s rasters.
    public static func benchGrid(size: Int) throws -> Grid {
        Grid(
            columns: size, rows: size, transform: .northUp(left: 340_000, top: 2_390_000, cellSize: 30),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
    }

    /// The large study's deposit cells (row-major indices): cells on a lattice every 16 cells
    /// (from cell 8), each a deposit with probability `sigmoid(−5.6 + Σ c_k z_k)`, z_k the layer's
    /// value less its centre over its spread (100(k + 1) and 40), c = 1, −0.6, 0.4, 0, 0.3, 0,
    /// −0.2, 0.5 repeating; seeded, and only where every layer has data.
    public static func trainingDeposits(size: Int, layers: Int) -> [Int] {
        let c: [Double] = [1, -0.6, 0.4, 0, 0.3, 0, -0.2, 0.5]
        var rng = SplitMix64(seed: 11)
        var row = [Float](repeating: 0, count: size)
        var cells: [Int] = []
        var r = 8
        while r < size {
            var eta = [Double](repeating: -5.6, count: size)
            var valid = [Bool](repeating: true, count: size)
            for k in 0..<layers {
                row.withUnsafeMutableBufferPointer { SyntheticStack.fillLayer($0, columns: size, firstRow: r, rows: 1, layer: k, seed: 7) }
                for col in 0..<size {
                    if row[col] == SyntheticStack.nodata { valid[col] = false }
                    eta[col] += c[k % c.count] * (Double(row[col]) - Double(100 * (k + 1))) / 40
                }
            }
            var col = 8
            while col < size {
                if rng.nextUnit() < 1 / (1 + exp(-eta[col])), valid[col] { cells.append(r * size + col) }
                col += 16
            }
            r += 16
        }
        return cells
    }

    /// Writes one point at the centre of each cell of `cells` (row-major on `grid`) to a
    /// GeoPackage, layer `deposits`, with an `id` field.
    public static func writePoints(_ cells: [Int], grid: Grid, to path: String) throws {
        GDAL.initialize()
        let features = cells.enumerated().map { i, cell in
            let (x, y) = grid.transform.map(column: Double(cell % grid.columns) + 0.5, row: Double(cell / grid.columns) + 0.5)
            return GeoJSONFeature(rings: [[(x, y)]], properties: [("id", .int(i + 1))])
        }
        try VectorWriter.write(
            path: path, driver: "GPKG", layerName: "deposits", features: features, crs: try SpatialReference(epsg: 32645))
    }

    /// The wide study (`TrainingBenchStudy.wide`), written into `directory` once.
    static func wideStudy(directory: String) throws -> (layers: [LayerSpec], deposits: String) {
        GDAL.initialize()
        try OutputFiles.createFolder(directory)
        let columns = 800
        let rows = 500
        let grid = Grid(
            columns: columns, rows: rows, transform: .northUp(left: 340_000, top: 2_390_000, cellSize: 30),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        let fields = SyntheticStack.make(columns: columns, rows: rows, layers: 15, seed: 7)
        var values = fields
        // Layers 10–14: 29 classes of equal size by the field's rank (ties by cell index).
        for k in 10..<15 {
            let order = fields[k].indices.sorted { (fields[k][$0], $0) < (fields[k][$1], $1) }
            for (rank, i) in order.enumerated() { values[k][i] = Float(1 + rank * 29 / order.count) }
        }
        var specs: [LayerSpec] = []
        for k in 0..<15 {
            let categorical = k >= 10
            let path = "\(directory)/wide_\(k).tif"
            specs.append(
                LayerSpec(name: categorical ? "class\(k - 10)" : "field\(k)", path: path, kind: categorical ? .categorical : .continuous))
            if FileManager.default.fileExists(atPath: path) { continue }
            let out = try AtomicOutput(path)
            let ds = try RasterDataset.create(
                out.temporaryPath, grid: grid, type: categorical ? .int16 : .float32,
                options: ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"])
            try ds.setNodata(-9999)
            try values[k].withUnsafeBufferPointer {
                try ds.write(window: Window(column: 0, row: 0, columns: columns, rows: rows), from: $0)
            }
            try ds.close()
            try out.commit()
        }
        let path = "\(directory)/wide_deposits.gpkg"
        if !FileManager.default.fileExists(atPath: path) {
            var rng = SplitMix64(seed: 12)
            var cells: [Int] = []
            for i in 0..<(columns * rows) where values[0][i] != SyntheticStack.nodata {
                func z(_ k: Int) -> Double { (Double(values[k][i]) - Double(100 * (k + 1))) / 40 }
                let c10 = values[10][i]
                let c12 = values[12][i]
                let c14 = Int(values[14][i])
                var eta = -5.3 + 0.8 * z(0) - 0.5 * z(3) + 0.4 * z(7)
                if (10...15).contains(c10) { eta += 0.9 }
                if c12 >= 20 { eta -= 0.7 }
                if c14 % 2 == 1 { eta += 0.3 }
                if rng.nextUnit() < 1 / (1 + exp(-eta)) { cells.append(i) }
            }
            try writePoints(cells, grid: grid, to: path)
        }
        return (specs, path)
    }

    /// Trains `method` on `layers` and `deposits` with `threads` workers, as `prospect train`
    /// does (the model file written to `modelPath`, stamped with time 0), timed.
    /// - Returns: wall seconds, the model file's bytes and the model.
    public static func train(
        layers: [LayerSpec], deposits: String, method: TrainingOptions.Method, threads: Int, modelPath: String
    ) throws -> (seconds: Double, bytes: Data, model: ModelFile) {
        var options = TrainingOptions(method: method)
        options.threads = threads
        unlink(modelPath)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = try Workflows.train(
            layers: layers, deposits: VectorSource(path: deposits), options: options, modelPath: modelPath,
            created: CreationTime(seconds: 0))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let bytes = FileManager.default.contents(atPath: modelPath) ?? Data()
        unlink(modelPath)
        return (seconds, bytes, result.model)
    }

    /// Trains each (study, method) with every thread count of `threadCounts`, `repetitions`
    /// times, alternating the thread counts so that each sees the machine in the same state.
    public static func trainingThroughput(
        studies: [(TrainingBenchStudy, TrainingOptions.Method)], directory: String, size: Int, layers: Int,
        threadCounts: [Int], repetitions: Int, log: (String) -> Void = { _ in }
    ) throws -> TrainingBenchReport {
        var runs: [TrainingBenchReport.Run] = []
        for (study, method) in studies {
            log("\(study.rawValue): writing the study's files into \(directory) (once) …")
            let (specs, deposits) = try study.files(directory: directory, size: size, layers: layers)
            var seconds = [[Double]](repeating: [], count: threadCounts.count)
            // The first model file of each thread count, and whether every repetition wrote it.
            var bytes = [Data?](repeating: nil, count: threadCounts.count)
            var repeated = [Bool](repeating: true, count: threadCounts.count)
            var models = [ModelFile?](repeating: nil, count: threadCounts.count)
            for repetition in 0..<repetitions {
                for (i, t) in threadCounts.enumerated() {
                    log("\(study.rawValue), \(method.rawValue), \(t) thread(s), run \(repetition + 1) of \(repetitions) …")
                    let r = try train(
                        layers: specs, deposits: deposits, method: method, threads: t, modelPath: "\(directory)/bench_training_model.json")
                    seconds[i].append(r.seconds)
                    if let first = bytes[i] { repeated[i] = repeated[i] && first == r.bytes } else { bytes[i] = r.bytes }
                    models[i] = r.model
                }
            }
            for (i, t) in threadCounts.enumerated() {
                let training = models[i]!.training
                runs.append(
                    TrainingBenchReport.Run(
                        study: study.rawValue, method: method.rawValue, threads: t, seconds: seconds[i],
                        sameModel: repeated[i] && bytes[i] == bytes[0], parameters: training.coefficients?.count,
                        iterations: training.iterations, backgroundCells: training.backgroundCells, depositCells: training.depositsUsed,
                        trainingCells: training.validCells))
            }
        }
        return TrainingBenchReport(
            runs: runs, machine: "\(ProcessInfoCores.active) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
    }
}

/// A logistic fit in memory on the sample `prospect train --method logistic` draws from the
/// large study, timed: the design (standardized slopes) and Newton's method, with every
/// thread count, and the scalar reference fit once.
public struct LogisticFitBenchReport: Sendable, Codable {
    public struct Run: Sendable, Codable {
        /// Threads, or 1 for the reference.
        public var threads: Int
        public var path: String
        public var seconds: [Double]
        public var iterations: Int
        /// True when the coefficients are bit for bit those of the first run.
        public var sameFit: Bool
    }
    public var rows: Int
    public var deposits: Int
    public var layers: Int
    public var l2: Double
    /// The fit: intercept, then one coefficient per standardized layer (the design's columns).
    public var coefficients: [Double]
    public var logLikelihood: Double
    /// The sample as float32 row-major rows × layers, and the labels as one byte per row, for
    /// other libraries to fit (`Benchmarks/peers/sklearn_logistic.py`).
    public var samplePath: String
    public var labelsPath: String
    public var runs: [Run]
}

extension Benchmark {
    /// Draws the large study's logistic sample (`Training.logisticSample`), writes it into
    /// `directory` and times the fit on it.
    public static func logisticFitThroughput(
        directory: String, size: Int, layers: Int, threadCounts: [Int], repetitions: Int, reference: Bool = true
    ) throws -> LogisticFitBenchReport {
        let (specs, deposits) = try TrainingBenchStudy.large.files(directory: directory, size: size, layers: layers)
        let data = try TrainingData.load(layers: specs, deposits: VectorSource(path: deposits), required: 2)
        let options = TrainingOptions(method: .logistic)
        let sample = try Training.logisticSample(data, options: options)
        let n = sample.labels.count
        let k = sample.columns.count
        var rowMajor = [Float](repeating: 0, count: n * k)
        for j in 0..<k { for i in 0..<n { rowMajor[i * k + j] = sample.columns[j][i] } }
        let samplePath = "\(directory)/bench_training_sample.f32"
        let labelsPath = "\(directory)/bench_training_labels.u8"
        try rowMajor.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: samplePath)) }
        try Data(sample.labels.map { $0 ? 1 : 0 }).write(to: URL(fileURLWithPath: labelsPath))

        let names = specs.map(\.name)
        let kinds = specs.map(\.kind)
        let l2 = options.logistic.l2
        var runs: [LogisticFitBenchReport.Run] = []
        var first: LogisticFit?
        var seconds = [[Double]](repeating: [], count: threadCounts.count)
        var fits = [LogisticFit?](repeating: nil, count: threadCounts.count)
        var same = [Bool](repeating: true, count: threadCounts.count)
        for _ in 0..<repetitions {
            for (i, t) in threadCounts.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let design = LogisticDesign(layerNames: names, kinds: kinds, columns: sample.columns)
                let fit = design.fit(labels: sample.labels, l2: l2, threads: t).fit
                seconds[i].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                if first == nil { first = fit }
                same[i] = same[i] && fit.coefficients == first!.coefficients && fit.standardErrors == first!.standardErrors
                fits[i] = fit
            }
        }
        for (i, t) in threadCounts.enumerated() {
            runs.append(.init(threads: t, path: "fast", seconds: seconds[i], iterations: fits[i]!.iterations, sameFit: same[i]))
        }
        if reference {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let design = LogisticDesign(layerNames: names, kinds: kinds, columns: sample.columns)
            let fit = LogisticRegression.reference(design.design, y: sample.labels, l2: l2)
            let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let close = zip(fit.coefficients, first!.coefficients).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }
            runs.append(.init(threads: 1, path: "reference", seconds: [s], iterations: fit.iterations, sameFit: close))
        }
        return LogisticFitBenchReport(
            rows: n, deposits: sample.labels.filter { $0 }.count, layers: k, l2: l2, coefficients: first!.coefficients,
            logLikelihood: first!.logLikelihood, samplePath: samplePath, labelsPath: labelsPath, runs: runs)
    }
}
