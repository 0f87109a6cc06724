import Foundation
import ProspectBench
import ProspectCore
import Testing

@Suite("overlay benchmark helpers")
struct OverlayBenchmarkTests {
    @Test("the parallel runner equals one call of the kernel, and the kernels their references", arguments: [1, 2, 3])
    func parallelMatches(threads: Int) {
        let cells = ParallelScorer.grain * 2 + 8192 + 77
        let buffers = Benchmark.overlayLayers(layers: 4, cells: cells)
        defer { buffers.forEach { $0.deallocate() } }
        for model in Benchmark.overlayModels(layers: 4) {
            let inputs = model.inputs.map { UnsafeBufferPointer(buffers[$0]) }
            var serial = [Float](repeating: 0, count: cells)
            var parallel = serial
            var reference = serial
            serial.withUnsafeMutableBufferPointer { model.scorer.score(layers: inputs, outputs: [$0], outputNodata: -1) }
            parallel.withUnsafeMutableBufferPointer {
                Benchmark.scoreInParallel(model.scorer, layers: inputs, output: $0, outputNodata: -1, threads: threads)
            }
            reference.withUnsafeMutableBufferPointer { model.reference(inputs, $0) }
            #expect(serial == parallel, "\(model.name)")
            #expect(zip(serial, reference).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(model.name)")
            #expect(serial.contains(-1) && serial.contains { $0 > 0 })
        }
    }
}
