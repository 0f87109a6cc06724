import Dispatch
import Foundation
import ProspectCore

/// One model's in-memory scoring throughput against the memory bandwidth of the same run.
public struct ModelThroughput: Sendable, Codable {
    public var model: String
    public var layers: Int
    public var threads: Int
    public var cellsPerSecond: Double
    /// Bytes moved per second: every layer read once and the output written once.
    public var bytesPerSecond: Double
    /// STREAM triad bandwidth with the same thread count, measured in the same run.
    public var triadBytesPerSecond: Double
    public var fractionOfBandwidth: Double
    /// The model's scalar reference implementation, one thread.
    public var referenceCellsPerSecond: Double
}

extension Benchmark {
    /// A model as the overlay benchmark scores it: the fast kernel, its scalar reference, and
    /// which of the benchmark's buffers it reads.
    public struct BenchmarkModel: Sendable {
        public var name: String
        public var scorer: any CellScorer
        public var reference: @Sendable ([UnsafeBufferPointer<Float>], UnsafeMutableBufferPointer<Float>) -> Void
        /// Indices into the benchmark's buffers: `layers` memberships, then one layer of class codes.
        public var inputs: [Int]
    }

    /// The knowledge-driven models over `layers` layers (named l0, l1, …): two fuzzy overlays
    /// (a nested gamma, and a flat AND) and two index overlays (all continuous; the last layer
    /// categorical with 6 scored classes).
    public static func overlayModels(layers: Int = 8) -> [BenchmarkModel] {
        precondition(layers >= 2 && layers % 2 == 0, "an even number of layers")
        let names = (0..<layers).map { "l\($0)" }
        let nodata = [Float](repeating: SyntheticStack.nodata, count: layers)
        let continuous = [ClassTable?](repeating: nil, count: layers)
        // gamma(0.9, and(l0, l1), or(l2, l3), product(l4, l5), sum(l6, l7), and(l8, l9), …)
        let ops = ["and", "or", "product", "sum"]
        let pairs = stride(from: 0, to: layers, by: 2).map { "\(ops[$0 / 2 % 4])(l\($0), l\($0 + 1))" }
        let gammaText = "gamma(0.9, " + pairs.joined(separator: ", ") + ")"
        let andText = "and(" + names.joined(separator: ", ") + ")"
        var models: [BenchmarkModel] = []
        for text in [gammaText, andText] {
            let overlay = FuzzyOverlay(
                expression: try! FuzzyExpression(parsing: text, layers: names), classTables: continuous, nodata: nodata)
            models.append(
                BenchmarkModel(
                    name: "fuzzy " + text, scorer: overlay,
                    reference: { overlay.reference(layers: $0, output: $1, outputNodata: -1) },
                    inputs: Array(0..<layers)))
        }
        let weights = (0..<layers).map { Double($0 + 1) }
        let index = WeightedIndexOverlay(weights: weights, classTables: continuous, nodata: nodata)
        models.append(
            BenchmarkModel(
                name: "index, \(layers) continuous layers", scorer: index,
                reference: { index.reference(layers: $0, output: $1, outputNodata: -1) },
                inputs: Array(0..<layers)))
        var tables = continuous
        tables[layers - 1] = ClassTable(codes: [1, 2, 3, 4, 5, 6], scores: [0.1, 0.5, 0.3, 1, 0, 0.7])
        let mixed = WeightedIndexOverlay(weights: weights, classTables: tables, nodata: nodata)
        models.append(
            BenchmarkModel(
                name: "index, \(layers - 1) continuous + 1 categorical", scorer: mixed,
                reference: { mixed.reference(layers: $0, output: $1, outputNodata: -1) },
                inputs: Array(0..<(layers - 1)) + [layers]))
        return models
    }

    /// Fills `layers` membership layers (the synthetic fields rescaled to about [0, 1], layer
    /// 0 with its 0.1 % nodata) and one layer of class codes 0…7 after them.
    public static func overlayLayers(layers: Int, cells: Int) -> [UnsafeMutableBufferPointer<Float>] {
        let buffers = (0...layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        let shared = UnsafeTransfer(buffers)
        let columns = 8192
        DispatchQueue.concurrentPerform(iterations: layers + 1) { k in
            let b = shared.value[k]
            let source = min(k, layers - 1)
            SyntheticStack.fillLayer(b, columns: columns, firstRow: 0, rows: cells / columns, layer: source, seed: 7)
            for i in (cells / columns * columns)..<cells { b[i] = Float(100 * (source + 1)) }
            let low = Float(100 * (source + 1) - 70)
            for i in 0..<cells where b[i] != SyntheticStack.nodata {
                b[i] = k < layers ? (b[i] - low) / 140 : ((b[i] - low) / 20).rounded()
            }
        }
        return buffers
    }

    /// Scores `output.count` cells on `threads` workers, each taking a contiguous run of
    /// `ParallelScorer.grain`-cell items (as `ParallelScorer` does for additive models).
    public static func scoreInParallel(
        _ scorer: any CellScorer, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float, threads: Int
    ) {
        let n = output.count
        guard n > 0 else { return }
        let grain = ParallelScorer.grain
        let items = (n + grain - 1) / grain
        let shared = UnsafeTransfer((layers, output))
        let workers = max(1, min(threads, items))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let (layers, output) = shared.value
            for item in (items * w / workers)..<(items * (w + 1) / workers) {
                let lo = item * grain
                let hi = min(n, lo + grain)
                scorer.score(
                    layers: layers.map { UnsafeBufferPointer(rebasing: $0[lo..<hi]) },
                    outputs: [UnsafeMutableBufferPointer(rebasing: output[lo..<hi])], outputNodata: outputNodata)
            }
        }
    }

    /// In-memory throughput of the knowledge-driven models over `layers` float32 layers of
    /// `cells` cells, best of `repetitions`, with the STREAM triad measured in the same run
    /// for each thread count, and each model's scalar reference on a 1 Mi-cell slice.
    public static func overlayThroughput(
        layers: Int = 8, cells: Int = 1 << 24, threadCounts: [Int],
        repetitions: Int = 5
    ) -> [ModelThroughput] {
        let buffers = overlayLayers(layers: layers, cells: cells)
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        defer {
            buffers.forEach { $0.deallocate() }
            output.deallocate()
        }
        output.initialize(repeating: 0)
        var triad: [Int: Double] = [:]
        for t in threadCounts { triad[t] = MemoryBandwidth.triad(threads: t) }
        var results: [ModelThroughput] = []
        for model in overlayModels(layers: layers) {
            let inputs = model.inputs.map { UnsafeBufferPointer(buffers[$0]) }
            let slice = min(cells, 1 << 20)
            let t0 = DispatchTime.now().uptimeNanoseconds
            model.reference(
                inputs.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) }, UnsafeMutableBufferPointer(rebasing: output[0..<slice]))
            let reference = Double(slice) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            for threads in threadCounts {
                var best = Double.infinity
                for _ in 0..<repetitions {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    scoreInParallel(model.scorer, layers: inputs, output: output, outputNodata: -1, threads: threads)
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
                let rate = Double(cells) / best
                let bytes = rate * Double(4 * (inputs.count + 1))
                results.append(
                    ModelThroughput(
                        model: model.name, layers: inputs.count, threads: threads, cellsPerSecond: rate,
                        bytesPerSecond: bytes, triadBytesPerSecond: triad[threads]!,
                        fractionOfBandwidth: bytes / triad[threads]!, referenceCellsPerSecond: reference))
            }
        }
        return results
    }
}
