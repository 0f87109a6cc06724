import Foundation
import ProspectCore
import Synchronization

/// Counts the cells each layer's transforms turn into nodata (the log of a value ≤ 0, a result
/// that is not finite), as the stack's tiles are read: cells with a value before the
/// transforms and none after.
///
/// Training and scoring warn per layer (`warnings`). Counts are kept per tile, so reading a
/// tile again (training streams the stack more than once) does not count its cells twice.
public final class UnmappedCells: Sendable {
    private let counts: Mutex<[Int: [Int: Int]]> = Mutex([:])

    public init() {}

    /// Records that the transforms of layer `layer` turned `count` cells of tile `tile` into nodata.
    func record(layer: Int, tile: Int, count: Int) {
        counts.withLock { $0[layer, default: [:]][tile] = count }
    }

    /// Cells of layer `layer` turned into nodata, over the tiles read.
    public func count(layer: Int) -> Int {
        counts.withLock { $0[layer]?.values.reduce(0, +) ?? 0 }
    }

    /// One line per layer whose transforms turned cells into nodata:
    /// `layer x: log turned 794 cells into nodata (values ≤ 0)`.
    public func warnings(layers: [LayerSpec]) -> [String] {
        layers.indices.compactMap { k in
            let n = count(layer: k)
            guard n > 0 else { return nil }
            let chain = layers[k].transforms
            let cells = "\(n) cell\(n == 1 ? "" : "s")"
            if chain.count == 1, case .log(let offset) = chain[0] {
                let bound = offset == 0 ? "0" : String(format: "%g", -offset)
                let what = offset == 0 ? "log" : "log:offset=\(String(format: "%g", offset))"
                return "layer \(layers[k].name): \(what) turned \(cells) into nodata (values ≤ \(bound))"
            }
            let text = chain.map(\.description).joined(separator: ", ")
            return
                "layer \(layers[k].name): transforms \(text) turned \(cells) into nodata (results not defined there, e.g. the log of a value ≤ 0)"
        }
    }

    /// The cells of a window of `buffer` (rows `stride` apart) holding a value: not `nodata`,
    /// not NaN, not ±Inf (what the transforms take as missing).
    static func valued(_ buffer: UnsafeMutableBufferPointer<Float>, window: Window, stride: Int, nodata: Float) -> Int {
        var n = 0
        for r in 0..<window.rows {
            let row = r * stride
            for c in 0..<window.columns {
                let v = buffer[row + c]
                if v.isFinite, v != nodata { n += 1 }
            }
        }
        return n
    }

    /// The cells of a window of transformed values that are not NaN.
    static func mapped(_ buffer: UnsafeMutableBufferPointer<Float>, window: Window, stride: Int) -> Int {
        var n = 0
        for r in 0..<window.rows {
            let row = r * stride
            for c in 0..<window.columns where !buffer[row + c].isNaN { n += 1 }
        }
        return n
    }
}
