import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline

/// Scoring throughput, measured against this machine's memory bandwidth in the same run.
public struct BenchmarkReport: Sendable, Codable {
    public struct InMemory: Sendable, Codable {
        public var threads: Int
        public var cellsPerSecond: Double
        /// Bytes moved per second: every layer read once and the output written once.
        public var bytesPerSecond: Double
        /// STREAM triad bandwidth measured with the same thread count.
        public var triadBytesPerSecond: Double
        public var fractionOfBandwidth: Double
    }
    public struct EndToEnd: Sendable, Codable {
        public var compression: String
        public var cellsPerSecond: Double
        public var seconds: Double
        /// Peak resident memory of this process during the run (VmHWM, reset before it).
        public var peakRSSBytes: Int
        /// Size of the map written.
        public var outputBytes: Int
    }
    /// The model kind scored (`BenchModel`).
    public var model: String
    public var layers: Int
    public var inMemoryCells: Int
    public var scalarReferenceCellsPerSecond: Double
    public var inMemory: [InMemory]
    public var endToEndSize: Int?
    public var endToEnd: [EndToEnd]
    public var machine: String

    public init(
        model: String, layers: Int, inMemoryCells: Int, scalarReferenceCellsPerSecond: Double, inMemory: [InMemory],
        endToEndSize: Int?, endToEnd: [EndToEnd], machine: String
    ) {
        self.model = model
        self.layers = layers
        self.inMemoryCells = inMemoryCells
        self.scalarReferenceCellsPerSecond = scalarReferenceCellsPerSecond
        self.inMemory = inMemory
        self.endToEndSize = endToEndSize
        self.endToEnd = endToEnd
        self.machine = machine
    }
}

/// The models `prospect bench` scores: one of each kind, over synthetic continuous layers.
public enum BenchModel: String, CaseIterable, Sendable {
    /// Logistic regression: a linear term per layer.
    case logistic
    /// Weights of evidence: a binary pattern (step) per layer.
    case wofe
    /// Fuzzy overlay: gamma 0.9 of an AND over the first half of the layers and an OR over the
    /// rest, each layer through a fuzzy-linear membership.
    case fuzzy
    /// Weighted index overlay: weights 1…n, each layer scaled by min–max.
    case index
    /// 100 oblivious trees of depth 6 (the layout Prospect's own tree learners are to grow),
    /// through the engine's oblivious path.
    case trees
    /// 100 unbalanced trees of depth up to 6, as LightGBM and XGBoost grow them, through the
    /// general path.
    case treesGeneral = "trees-general"
    /// A random forest of 100 oblivious trees of depth 6 trained by `TreeLearner` on a seeded
    /// sample of the synthetic layers (`Benchmark.trainedTrees`), through the engine.
    case rf
    /// Gradient-boosted trees, 100 of depth 6, trained the same way.
    case gbt

    /// The model file over `layers` (their names and paths).
    public func file(layers given: [ModelLayer]) -> ModelFile {
        let n = given.count
        var layers = given
        let summary = TrainingSummary(
            validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0,
            depositsOutsideGrid: 0, depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: [])
        // The synthetic fields centre on 100·(k+1) with a spread of about ±80.
        func range(_ k: Int) -> (Double, Double) { (Double(100 * (k + 1) - 80), Double(100 * (k + 1) + 80)) }
        switch self {
        case .fuzzy:
            for k in layers.indices { layers[k].transforms = [.fuzzyLinear(min: range(k).0, max: range(k).1)] }
            let names = layers.map(\.name)
            let half = max(1, n / 2)
            let first = names[..<half].joined(separator: ", ")
            let rest = n > half ? names[half...].joined(separator: ", ") : names[0]
            return ModelFile(
                tool: ProspectVersion.tool, created: "", layers: layers,
                payload: .fuzzy(FuzzyOverlayModel(expression: "gamma(0.9, and(\(first)), or(\(rest)))")),
                parameters: [:], training: summary)
        case .index:
            for k in layers.indices { layers[k].transforms = [.minMax(min: range(k).0, max: range(k).1)] }
            var weights: [String: Double] = [:]
            for (k, l) in layers.enumerated() { weights[l.name] = Double(k + 1) }
            return ModelFile(
                tool: ProspectVersion.tool, created: "", layers: layers, payload: .index(WeightedIndexModel(weights: weights)),
                parameters: [:], training: summary)
        case .trees, .treesGeneral:
            // Thresholds over the span of every synthetic layer's values.
            let ensemble =
                self == .trees
                ? SyntheticTrees.oblivious(trees: 100, depth: 6, layers: n, range: 20...Double(100 * n + 80), seed: 11)
                : SyntheticTrees.general(
                    trees: 100, depth: 6, layers: n, thresholdsPerLayer: 254, range: 20...Double(100 * n + 80), seed: 11)
            // Recorded as what grows trees of each shape: Prospect's boosting, LightGBM.
            return ModelFile(
                tool: ProspectVersion.tool, created: "", layers: layers,
                payload: .trees(ensemble, origin: self == .trees ? .gradientBoosting : .lightgbm),
                parameters: [:], training: summary)
        case .rf, .gbt:
            let ensemble = Benchmark.trainedTrees(self == .rf ? .randomForest : .gradientBoosting, layers: n)
            return ModelFile(
                tool: ProspectVersion.tool, created: "", layers: layers,
                payload: .trees(ensemble, origin: self == .rf ? .randomForest : .gradientBoosting),
                parameters: [:], training: summary)
        case .logistic, .wofe: break
        }
        let nodata = [Float](repeating: -9999, count: n)
        let additive: AdditiveModel
        switch self {
        case .logistic: additive = Benchmark.logisticModel(layers: n)
        case .wofe, .fuzzy, .index, .trees, .treesGeneral, .rf, .gbt:
            // Thresholds near the synthetic fields' medians: both sides of every step occur.
            additive = AdditiveModel(
                intercept: -6, terms: (0..<n).map { .step(threshold: Float(100 * ($0 + 1)), above: 0.8, below: -0.3) },
                nodata: nodata)
        }
        return ModelFile(
            tool: ProspectVersion.tool, created: "", layers: layers,
            payload: self == .logistic ? .logistic(additive) : .weightsOfEvidence(additive, variance: nil),
            parameters: [:], training: summary)
    }

    /// Placeholder layers for in-memory runs.
    public static func layers(_ n: Int) -> [ModelLayer] {
        (0..<n).map { ModelLayer(name: "layer\($0)", path: "layer\($0).tif", kind: .continuous) }
    }
}

/// Runs the scoring benchmarks behind `prospect bench` and `Benchmarks/`.
public enum Benchmark {
    /// A logistic model over `layers` continuous layers, as the benchmarks score it.
    public static func logisticModel(layers: Int, nodata: Float = -9999) -> AdditiveModel {
        AdditiveModel(
            intercept: -4, terms: (0..<layers).map { .linear(coefficient: 0.01 * Float($0 + 1), center: Float(100 * ($0 + 1))) },
            nodata: Array(repeating: nodata, count: layers))
    }

    /// In-memory kernel throughput over `cells` cells of `layers` float32 layers (the model's
    /// transforms are left out here; the end-to-end run applies them as it reads).
    public static func inMemory(
        layers: Int, cells: Int, threadCounts: [Int], repetitions: Int = 5,
        model kind: BenchModel = .logistic
    ) -> (runs: [BenchmarkReport.InMemory], scalar: Double) {
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        defer {
            buffers.forEach { $0.deallocate() }
            output.deallocate()
        }
        let columns = 8192
        // Fill in parallel, row bands of the synthetic fields.
        let shared = UnsafeTransfer(buffers)
        DispatchQueue.concurrentPerform(iterations: layers) { k in
            SyntheticStack.fillLayer(shared.value[k], columns: columns, firstRow: 0, rows: cells / columns, layer: k, seed: 7)
            for i in (cells / columns * columns)..<cells { shared.value[k][i] = 100 }
        }
        output.initialize(repeating: 0)
        let scorer = kind.file(layers: BenchModel.layers(layers)).scorer(nodata: [Float](repeating: -9999, count: layers))
        let inputs = buffers.map { UnsafeBufferPointer($0) }
        var runs: [BenchmarkReport.InMemory] = []
        for threads in threadCounts {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let t0 = DispatchTime.now().uptimeNanoseconds
                ParallelScorer.score(scorer, layers: inputs, outputs: [output], outputNodata: -1, threads: threads)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            let rate = Double(cells) / best
            let bytes = rate * Double(4 * (layers + 1))
            let triad = MemoryBandwidth.triad(threads: threads)
            runs.append(
                .init(
                    threads: threads, cellsPerSecond: rate, bytesPerSecond: bytes, triadBytesPerSecond: triad,
                    fractionOfBandwidth: bytes / triad))
        }
        // The scalar reference, one thread, on a slice.
        let slice = min(cells, 1 << 20)
        let t0 = DispatchTime.now().uptimeNanoseconds
        scorer.scoreReference(
            layers: inputs.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
            outputs: [UnsafeMutableBufferPointer(rebasing: output[0..<slice])], outputNodata: -1)
        let scalar = Double(slice) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        return (runs, scalar)
    }

    /// Writes `layers` uncompressed tiled (256×256) float32 GeoTIFFs of `size`² cells into
    /// `directory` (reused when already there), generated window by window in bounded memory.
    public static func prepareStack(directory: String, size: Int, layers: Int) throws -> [LayerSpec] {
        GDAL.initialize()
        try OutputFiles.createFolder(directory)
        let grid = Grid(
            columns: size, rows: size, transform: .northUp(left: 340_000, top: 2_390_000, cellSize: 30),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        var specs: [LayerSpec] = []
        for k in 0..<layers {
            let path = "\(directory)/bench_\(size)_\(k).tif"
            specs.append(LayerSpec(name: "layer\(k)", path: path, kind: .continuous))
            if FileManager.default.fileExists(atPath: path) { continue }
            let out = try AtomicOutput(path)
            let ds = try RasterDataset.create(
                out.temporaryPath, grid: grid, type: .float32,
                options: ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER"])
            try ds.setNodata(-9999)
            let strip = 256
            var buffer = [Float](repeating: 0, count: size * strip)
            var row = 0
            while row < size {
                let rows = min(strip, size - row)
                buffer.withUnsafeMutableBufferPointer {
                    SyntheticStack.fillLayer($0, columns: size, firstRow: row, rows: rows, layer: k, seed: 7)
                }
                try buffer.withUnsafeBufferPointer {
                    try ds.write(
                        window: Window(column: 0, row: row, columns: size, rows: rows),
                        from: UnsafeBufferPointer(rebasing: $0[0..<(size * rows)]))
                }
                row += rows
            }
            try ds.close()
            try out.commit()
        }
        return specs
    }

    /// Scores the stack end to end (files → GeoTIFF) and reports the rate and peak memory.
    public static func endToEnd(
        specs: [LayerSpec], outputDirectory: String, compression: ScoreOptions.Compression,
        level: Int? = nil, predictor: Bool = true, model kind: BenchModel = .logistic
    ) throws -> BenchmarkReport.EndToEnd {
        let stack = try EvidenceStack.open(specs)
        let model = kind.file(layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: .continuous) })
        var options = ScoreOptions()
        options.compression = compression
        options.level = level
        options.predictor = predictor
        let path = "\(outputDirectory)/bench_out_\(compression.rawValue).tif"
        // Drop the previous output's pages first, then reset the peak-RSS counter.
        unlink(path)
        MemoryUsage.resetPeak()
        let report = try Scorer.score(model: model, stack: stack, outputPath: path, options: options)
        let peak = MemoryUsage.peakResidentBytes()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        unlink(path)
        return .init(
            compression: compression.rawValue, cellsPerSecond: Double(report.cells) / report.seconds,
            seconds: report.seconds, peakRSSBytes: peak, outputBytes: bytes)
    }
}

/// This process's resident memory, from /proc/self.
public enum MemoryUsage {
    /// Peak resident set size (VmHWM) in bytes, 0 when unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    /// Resets the peak to the current resident size (writes 5 to /proc/self/clear_refs).
    public static func resetPeak() {
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write("5".data(using: .utf8)!)
            try? h.close()
        }
    }
}
