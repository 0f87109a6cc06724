import Foundation

/// A weighted index overlay ready to score: `S = Σₖ wₖ·sₖ / Σₖ wₖ`.
///
/// Bonham-Carter (1994, ch. 9, "Index overlay with multiclass maps"): each layer k has a
/// weight wₖ > 0 and each cell a score sₖ on that layer — the value itself for a continuous
/// layer (after its transforms, e.g. `minmax`), the class's score for a categorical layer
/// (`classTables[k]`, 0 for classes not listed). ArcGIS's Weighted Overlay tool computes the
/// same sum with "percent influences" wₖ that add up to 100 (and rounds the result to an
/// integer); here the weights are normalized by their sum and the result stays a float.
///
/// **Missing data.** A cell is nodata when any layer is nodata or NaN there.
///
/// `reference` is the definition (double precision); `score` the vector kernel, layer-major
/// like `ScoreKernel`: each layer's weighted score is added into a 32 KiB row in one pass over
/// that layer. They agree to about 1e-6 relative.
public struct WeightedIndexOverlay: Sendable {
    public let weights: [Double]
    /// Per layer: the class scores of a categorical layer, nil for a continuous one.
    public let classTables: [ClassTable?]
    public let nodata: [Float]
    /// wₖ / Σ w, and the class tables with their scores multiplied by it.
    let normalized: [Float]
    let scaledTables: FlatClassTables

    public init(weights: [Double], classTables: [ClassTable?], nodata: [Float]) {
        precondition(
            weights.count == nodata.count && classTables.count == nodata.count, "one weight, class table slot and nodata value per layer")
        precondition(weights.allSatisfy { $0 > 0 && $0.isFinite }, "weights are positive")
        self.weights = weights
        self.classTables = classTables
        self.nodata = nodata
        let total = weights.reduce(0, +)
        normalized = weights.map { Float($0 / total) }
        scaledTables = FlatClassTables(
            zip(classTables, weights).map { table, w in
                table.map { t in
                    ClassTable(
                        codes: t.codes, scores: t.scores.map { Float(Double($0) * w / total) },
                        otherwise: Float(Double(t.otherwise) * w / total))
                }
            })
    }

    public var layerCount: Int { nodata.count }

    /// Layer k's score sₖ for value x, or nil when x is missing.
    public func layerScore(_ x: Float, layer k: Int) -> Double? {
        guard x.isFinite, x != nodata[k] else { return nil }
        if let table = classTables[k] { return Double(table.score(x)) }
        return Double(x)
    }

    /// Scalar reference: the definition, one cell at a time, in double precision.
    public func reference(layers: [UnsafeBufferPointer<Float>], output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == layerCount, "one buffer per layer")
        let total = weights.reduce(0, +)
        for i in 0..<output.count {
            var sum = 0.0
            var valid = true
            for k in 0..<layerCount {
                guard let s = layerScore(layers[k][i], layer: k) else {
                    valid = false
                    break
                }
                sum += weights[k] * s
            }
            output[i] = valid ? Float(sum / total) : outputNodata
        }
    }

    /// Fast kernel (see the type's discussion).
    public func score(layers: [UnsafeBufferPointer<Float>], output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == layerCount, "one buffer per layer")
        let n = output.count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        let chunk = ScoreKernel.chunk
        // Everything the loop reads, through unsafe buffers: no reference counting per chunk.
        scaledTables.withLookups { lookups in
            normalized.withUnsafeBufferPointer { w in
                nodata.withUnsafeBufferPointer { nd in
                    layers.withUnsafeBufferPointer { layers in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { scratch in
                            let acc = scratch.baseAddress!
                            var start = 0
                            while start < n {
                                let count = min(chunk, n - start)
                                acc.initialize(repeating: 0, count: count)
                                for k in 0..<w.count {
                                    let x = layers[k].baseAddress! + start
                                    if let lookup = lookups[k] {
                                        Self.addClassScores(lookup, nodata: nd[k], x: x, acc: acc, count: count)
                                    } else {
                                        Self.addLinear(w[k], nodata: nd[k], x: x, acc: acc, count: count)
                                    }
                                }
                                ScoreKernel.finishLinear(acc, output: output.baseAddress! + start, count: count, outputNodata: outputNodata)
                                start += count
                            }
                        }
                    }
                }
            }
        }
    }

    /// acc += w·x; NaN where x is missing (nodata, NaN or ±Inf; `v - v` is NaN unless v is finite).
    @inline(__always)
    static func addLinear(_ w: Float, nodata: Float, x: UnsafePointer<Float>, acc: UnsafeMutablePointer<Float>, count: Int) {
        let nd = SIMD8<Float>(repeating: nodata)
        let nan = SIMD8<Float>(repeating: .nan)
        let zero = SIMD8<Float>(repeating: 0)
        let full = count & ~7
        var i = 0
        while i < full {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            var a = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD8<Float>.self)
            a += v * w
            a.replace(with: nan, where: (v .== nd) .| (v - v .!= zero))
            UnsafeMutableRawPointer(acc + i).storeBytes(of: a, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let v = x[i]
            acc[i] = (v == nodata || !v.isFinite) ? .nan : acc[i] + v * w
            i += 1
        }
    }

    /// acc += the class's (weighted) score; NaN where x is missing. The ragged tail goes
    /// through the same vector lookup, so every cell sees the same arithmetic.
    @inline(__always)
    static func addClassScores(
        _ lookup: ClassTable.Lookup, nodata: Float, x: UnsafePointer<Float>, acc: UnsafeMutablePointer<Float>, count: Int
    ) {
        let nd = SIMD8<Float>(repeating: nodata)
        let nan = SIMD8<Float>(repeating: .nan)
        let zero = SIMD8<Float>(repeating: 0)
        let full = count & ~7
        var i = 0
        while i < full {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            var a = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD8<Float>.self)
            a += lookup.score(v)
            a.replace(with: nan, where: (v .== nd) .| (v - v .!= zero))
            UnsafeMutableRawPointer(acc + i).storeBytes(of: a, as: SIMD8<Float>.self)
            i += 8
        }
        guard full < count else { return }
        var v = SIMD8<Float>(repeating: 0)
        var a = v
        for j in 0..<(count - full) {
            v[j] = x[full + j]
            a[j] = acc[full + j]
        }
        a += lookup.score(v)
        a.replace(with: nan, where: (v .== nd) .| (v - v .!= zero))
        for j in 0..<(count - full) { acc[full + j] = a[j] }
    }
}

extension WeightedIndexOverlay: CellScorer {
    public var extraBands: [String] { [] }
    public var contributionUnit: String { "index" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        score(layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        reference(layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    /// wₖ·sₖ / Σ w per layer: they add up to the score. A missing cell gets 0 for every layer.
    public func contributions(values: [Float]) -> [Double] {
        let total = weights.reduce(0, +)
        var out: [Double] = []
        for (k, x) in values.enumerated() {
            guard let s = layerScore(x, layer: k) else { return [Double](repeating: 0, count: layerCount) }
            out.append(weights[k] * s / total)
        }
        return out
    }
}

extension ScoreKernel {
    /// output = acc, `outputNodata` where it is NaN.
    @inline(__always)
    static func finishLinear(_ acc: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, outputNodata: Float) {
        let nd = SIMD8<Float>(repeating: outputNodata)
        let full = count & ~7
        var i = 0
        while i < full {
            var v = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD8<Float>.self)
            v.replace(with: nd, where: v .!= v)
            UnsafeMutableRawPointer(output + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            output[i] = acc[i].isNaN ? outputNodata : acc[i]
            i += 1
        }
    }
}
