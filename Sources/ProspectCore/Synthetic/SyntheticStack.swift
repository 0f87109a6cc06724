import Dispatch
import Foundation

/// Large synthetic evidence stacks for benchmarks: smooth continuous Float32 fields, generated
/// cell by cell so any band of rows can be produced on its own.
///
/// Layer `k` is `100 · (k + 1) + 40 · f_k(column, row)`, where `f_k` is a three-octave B-spline
/// value-noise field (lattice spacings 256, 64 and 16 cells; amplitudes 1, 0.45, 0.2). In layer 0,
/// about 0.1 % of the cells (chosen by a hash of their position) hold `nodata`. Values depend
/// only on (seed, layer, column, row): not on the raster size, the window or the thread count.
public enum SyntheticStack {
    /// The nodata value of layer 0.
    public static let nodata: Float = -9999

    /// Fraction of layer-0 cells set to `nodata`, in units of 2⁻⁶⁴ (≈ 0.001).
    static let nodataThreshold: UInt64 = 18_446_744_073_709_552  // 2⁶⁴ / 1000

    static let spacings = [256, 64, 16]
    static let amplitudes: [Float] = [1, 0.45, 0.2]

    /// Generates `layers` rasters of `columns × rows` cells, row-major.
    ///
    /// Work is split into contiguous bands of rows run with `DispatchQueue.concurrentPerform`;
    /// the result does not depend on the split.
    public static func make(columns: Int, rows: Int, layers: Int, seed: UInt64) -> [[Float]] {
        precondition(columns >= 0 && rows >= 0 && layers >= 0, "sizes are non-negative")
        let count = columns * rows
        var result = [[Float]]()
        result.reserveCapacity(layers)
        let bands = max(1, min(rows, 8 * ProcessInfo.processInfo.activeProcessorCount))
        for layer in 0..<layers {
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                let target = SyntheticStackBands(base: buffer.baseAddress)
                DispatchQueue.concurrentPerform(iterations: bands) { band in
                    // Band `band` owns rows [r0, r1): the writes of different bands are disjoint.
                    let r0 = band * rows / bands
                    let r1 = (band + 1) * rows / bands
                    guard r1 > r0, let base = target.base else { return }
                    let slice = UnsafeMutableBufferPointer(start: base + r0 * columns, count: (r1 - r0) * columns)
                    fillLayer(slice, columns: columns, firstRow: r0, rows: r1 - r0, layer: layer, seed: seed)
                }
                initialized = count
            }
            result.append(values)
        }
        return result
    }

    /// Fills `buffer` with rows `firstRow ..< firstRow + rows` (all columns) of layer `layer`.
    ///
    /// The value at (column, row) is the same as in `make(columns:rows:layers:seed:)`, whatever
    /// the window, so large rasters can be generated band by band.
    /// - Parameters:
    ///   - buffer: at least `columns · rows` floats; the first `columns · rows` are written.
    public static func fillLayer(
        _ buffer: UnsafeMutableBufferPointer<Float>, columns: Int, firstRow: Int,
        rows: Int, layer: Int, seed: UInt64
    ) {
        precondition(columns >= 0 && rows >= 0 && firstRow >= 0, "window sizes are non-negative")
        precondition(buffer.count >= columns * rows, "buffer holds the window")
        guard columns > 0, rows > 0, let base = buffer.baseAddress else { return }
        let layerKey = SyntheticNoise.mix(seed ^ (UInt64(layer) &* 0xA076_1D64_78BD_642F))
        let octaves = spacings.indices.map { SyntheticNoise(spacing: spacings[$0], key: layerKey &+ UInt64($0)) }
        let scratchCount = 5 * octaves.map { $0.latticeCount(columns: columns) }.max()!
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount * octaves.count)
        defer { scratch.deallocate() }
        var cached = [Int](repeating: Int.min, count: octaves.count)
        let offset = Float(100 * (layer + 1))
        let scale: Float = 40
        let nodataKey = SyntheticNoise.mix(seed ^ 0x6E6F_6461_7461)
        for r in 0..<rows {
            let row = firstRow + r
            let out = base + r * columns
            out.initialize(repeating: 0, count: columns)
            for (o, noise) in octaves.enumerated() {
                noise.accumulateRow(
                    row, columns: columns, amplitude: scale * amplitudes[o], into: out,
                    scratch: scratch + o * scratchCount, cachedRow: &cached[o])
            }
            for c in 0..<columns { out[c] += offset }
            if layer == 0 {
                for c in 0..<columns where SyntheticNoise.hash(nodataKey, c, row) < nodataThreshold {
                    out[c] = nodata
                }
            }
        }
    }
}

/// The output buffer of `SyntheticStack.make`, shared with the workers of `concurrentPerform`.
///
/// Safe because each worker writes only the rows of its own band, and the buffer outlives the
/// `concurrentPerform` call.
private struct SyntheticStackBands: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>?
}
