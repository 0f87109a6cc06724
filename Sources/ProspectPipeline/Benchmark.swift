import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

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
    public var layers: Int
    public var inMemoryCells: Int
    public var scalarReferenceCellsPerSecond: Double
    public var inMemory: [InMemory]
    public var endToEndSize: Int?
    public var endToEnd: [EndToEnd]
    public var machine: String
    /// Tree ensembles in memory (`Benchmark.treeThroughput`), when measured.
    public var trees: [TreeThroughput] = []

    public init(layers: Int, inMemoryCells: Int, scalarReferenceCellsPerSecond: Double, inMemory: [InMemory],
                endToEndSize: Int?, endToEnd: [EndToEnd], machine: String) {
        self.layers = layers
        self.inMemoryCells = inMemoryCells
        self.scalarReferenceCellsPerSecond = scalarReferenceCellsPerSecond
        self.inMemory = inMemory
        self.endToEndSize = endToEndSize
        self.endToEnd = endToEnd
        self.machine = machine
    }
}

/// Runs the scoring benchmarks behind `prospect bench` and `Benchmarks/`.
public enum Benchmark {
    /// A logistic model over `layers` continuous layers, as the benchmarks score it.
    public static func logisticModel(layers: Int, nodata: Float = -9999) -> AdditiveModel {
        AdditiveModel(intercept: -4, terms: (0..<layers).map { .linear(coefficient: 0.01 * Float($0 + 1), center: Float(100 * ($0 + 1))) },
                      nodata: Array(repeating: nodata, count: layers))
    }

    /// In-memory kernel throughput over `cells` cells of `layers` float32 layers.
    public static func inMemory(layers: Int, cells: Int, threadCounts: [Int], repetitions: Int = 5) -> (runs: [BenchmarkReport.InMemory], scalar: Double) {
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        defer { buffers.forEach { $0.deallocate() }; output.deallocate() }
        let columns = 8192
        // Fill in parallel, row bands of the synthetic fields.
        let shared = UnsafeTransfer(buffers)
        DispatchQueue.concurrentPerform(iterations: layers) { k in
            SyntheticStack.fillLayer(shared.value[k], columns: columns, firstRow: 0, rows: cells / columns, layer: k, seed: 7)
            for i in (cells / columns * columns)..<cells { shared.value[k][i] = 100 }
        }
        output.initialize(repeating: 0)
        let compiled = CompiledModel(logisticModel(layers: layers))
        let inputs = buffers.map { UnsafeBufferPointer($0) }
        var runs: [BenchmarkReport.InMemory] = []
        for threads in threadCounts {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let t0 = DispatchTime.now().uptimeNanoseconds
                ParallelScorer.score(compiled, layers: inputs, output: output, outputNodata: -1, threads: threads)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            let rate = Double(cells) / best
            let bytes = rate * Double(4 * (layers + 1))
            let triad = MemoryBandwidth.triad(threads: threads)
            runs.append(.init(threads: threads, cellsPerSecond: rate, bytesPerSecond: bytes, triadBytesPerSecond: triad,
                              fractionOfBandwidth: bytes / triad))
        }
        // The scalar reference, one thread, on a slice.
        let slice = min(cells, 1 << 20)
        let t0 = DispatchTime.now().uptimeNanoseconds
        ScoreKernel.reference(model: compiled.model, layers: inputs.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
                              output: UnsafeMutableBufferPointer(rebasing: output[0..<slice]), outputNodata: -1)
        let scalar = Double(slice) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        return (runs, scalar)
    }

    /// Writes `layers` uncompressed tiled (256×256) float32 GeoTIFFs of `size`² cells into
    /// `directory` (reused when already there), generated window by window in bounded memory.
    public static func prepareStack(directory: String, size: Int, layers: Int) throws -> [LayerSpec] {
        GDAL.initialize()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let grid = Grid(columns: size, rows: size, transform: .northUp(left: 340_000, top: 2_390_000, cellSize: 30),
                        crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        var specs: [LayerSpec] = []
        for k in 0..<layers {
            let path = "\(directory)/bench_\(size)_\(k).tif"
            specs.append(LayerSpec(name: "layer\(k)", path: path, kind: .continuous))
            if FileManager.default.fileExists(atPath: path) { continue }
            let out = try AtomicOutput(path)
            let ds = try RasterDataset.create(out.temporaryPath, grid: grid, type: .float32,
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
                    try ds.write(window: Window(column: 0, row: row, columns: size, rows: rows),
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
    public static func endToEnd(specs: [LayerSpec], outputDirectory: String, compression: ScoreOptions.Compression,
                                level: Int? = nil, predictor: Bool = true) throws -> BenchmarkReport.EndToEnd {
        let stack = try EvidenceStack.open(specs)
        let model = ModelFile(tool: ProspectVersion.tool, created: "", method: "logistic",
                              layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: .continuous) },
                              model: logisticModel(layers: specs.count),
                              parameters: [:], training: TrainingSummary(validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0,
                                                                         depositsOutsideGrid: 0, depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
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
        return .init(compression: compression.rawValue, cellsPerSecond: Double(report.cells) / report.seconds,
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
