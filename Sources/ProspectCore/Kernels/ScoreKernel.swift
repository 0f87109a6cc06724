import Foundation

/// A model prepared for the fast kernel: constants folded, class tables made dense where their
/// codes allow and sorted for a binary search where not.
public struct CompiledModel: Sendable {
    @usableFromInline enum Op: Sendable {
        case linear(coefficient: Float)
        case step(threshold: Float, above: Float, below: Float)
        /// `table[code - base]` for whole-number codes in range, else `otherwise`.
        case dense(base: Int32, table: [Float], otherwise: Float)
        /// `values[i]` where `codes[i]` is the cell's code (binary search of the sorted codes),
        /// else `otherwise`: for codes a dense table cannot hold (`lookupOp`).
        case sparse(codes: [Int32], values: [Float], otherwise: Float)
    }

    /// Codes a dense table holds: a span of at most 2^20 codes (a 4 MiB table), all within
    /// ±2^24, where every whole number is a Float, so `v.rounded() - base` is exact and picks
    /// the code `LayerTerm.contribution` picks.
    @usableFromInline static let denseSpan = 1 << 20
    @usableFromInline static let exactCodes = Int32(1 << 24)

    /// A lookup term's op: a dense table when its codes allow one (`denseSpan`,
    /// `exactCodes`), else the sorted codes for a binary search. Both give each code its first
    /// value in `codes`, as `LayerTerm.contribution` does.
    static func lookupOp(codes: [Int32], values: [Float], otherwise: Float) -> Op {
        let lo = codes.min() ?? 0
        let hi = codes.max() ?? 0
        if lo >= -exactCodes, hi <= exactCodes, Int(hi) - Int(lo) < denseSpan {
            var table = [Float](repeating: otherwise, count: codes.isEmpty ? 0 : Int(hi - lo) + 1)
            for (c, v) in zip(codes, values).reversed() { table[Int(c - lo)] = v }
            return .dense(base: lo, table: table, otherwise: otherwise)
        }
        let order = zip(codes, values).enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        var sortedCodes: [Int32] = []
        var sortedValues: [Float] = []
        for (_, (c, v)) in order where sortedCodes.last != c {
            sortedCodes.append(c)
            sortedValues.append(v)
        }
        return .sparse(codes: sortedCodes, values: sortedValues, otherwise: otherwise)
    }

    /// The value of a finite cell value `v` in a sparse lookup: its code as
    /// `LayerTerm.contribution` reads it, found by binary search.
    @inlinable @inline(__always)
    static func sparseValue(
        _ v: Float, codes: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, otherwise: Float
    ) -> Float {
        let code = Int32(exactly: v.rounded()) ?? Int32.min
        var lo = 0
        var hi = codes.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if codes[mid] < code { lo = mid + 1 } else { hi = mid }
        }
        return lo < codes.count && codes[lo] == code ? values[lo] : otherwise
    }

    public let model: AdditiveModel
    @usableFromInline let intercept: Float
    @usableFromInline let ops: [Op]
    @usableFromInline let nodata: [Float]
    /// Per layer, what a missing cell adds under `MissingDataRule.unknown`: `coefficient ·
    /// center` for a linear term (undoing its share of the folded intercept, so the layer adds
    /// 0 in all), else 0.
    @usableFromInline let missingTerm: [Float]

    public init(_ model: AdditiveModel) {
        self.model = model
        var intercept = model.intercept
        var ops: [Op] = []
        var missingTerm: [Float] = []
        for term in model.terms {
            if case .linear(let coefficient, let center) = term { missingTerm.append(coefficient * center) } else { missingTerm.append(0) }
            switch term {
            case .linear(let coefficient, let center):
                intercept -= coefficient * center
                ops.append(.linear(coefficient: coefficient))
            case .step(let threshold, let above, let below):
                ops.append(.step(threshold: threshold, above: above, below: below))
            case .lookup(let codes, let values, let otherwise):
                ops.append(Self.lookupOp(codes: codes, values: values, otherwise: otherwise))
            }
        }
        self.intercept = intercept
        self.ops = ops
        self.nodata = model.nodata
        self.missingTerm = missingTerm
    }

    public var layerCount: Int { ops.count }
}

/// Scores cells: `p = sigmoid(intercept + Σ term_k(x_k))`, nodata where any layer is missing.
public enum ScoreKernel {
    /// Cells per inner chunk: the 32 KiB logit scratch row stays in L1/L2 (8192 measured best of
    /// 2048…16384 on 8 layers).
    public static let chunk = 8192

    /// Scalar reference: the definition, one cell at a time, in double precision.
    ///
    /// - Parameters:
    ///   - layers: one buffer per model layer, each at least `output.count` long.
    ///   - output: probabilities, or `outputNodata` where any layer is invalid.
    public static func reference(
        model: AdditiveModel, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float
    ) {
        precondition(layers.count == model.layerCount, "one buffer per layer")
        if model.missingAsUnknown { return referenceUnknown(model: model, layers: layers, output: output, outputNodata: outputNodata) }
        for i in 0..<output.count {
            output[i] = referenceLogit(model: model, layers: layers, cell: i).map { Float(1 / (1 + Foundation.exp(-$0))) } ?? outputNodata
        }
    }

    /// The references' logit of cell `i`, `intercept + Σ contribution(x)` in double precision,
    /// handing each layer's value to `each` as it is added; nil when any layer is invalid there.
    /// Inlined, so the references (and the benchmark's scalar baseline) run the loop they ran
    /// before it was shared.
    @inline(__always)
    static func referenceLogit(
        model: AdditiveModel, layers: [UnsafeBufferPointer<Float>], cell i: Int,
        each: (_ layer: Int, _ x: Float) -> Void = { _, _ in }
    ) -> Double? {
        var logit = Double(model.intercept)
        for k in 0..<layers.count {
            let x = layers[k][i]
            guard model.isValid(x, layer: k) else { return nil }
            logit += Double(model.terms[k].contribution(x))
            each(k, x)
        }
        return logit
    }

    /// Fast kernel: layer-major over chunks of `chunk` cells, `SIMD8<Float>` arithmetic.
    ///
    /// For each chunk, every layer's term is added into a logit scratch row in one pass over
    /// that layer (one input stream at a time, which the hardware prefetcher follows best; the
    /// 32 KiB scratch row stays in cache), then a last pass applies the logistic function.
    /// Invalid cells turn the logit NaN, and NaN logits become `outputNodata`. Agrees with
    /// `reference` to about 1e-6 (single-precision accumulation and `FastMath.exp`).
    public static func score(
        _ compiled: CompiledModel, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float
    ) {
        precondition(layers.count == compiled.layerCount, "one buffer per layer")
        let n = output.count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        if compiled.model.missingAsUnknown { return scoreUnknown(compiled, layers: layers, output: output, outputNodata: outputNodata) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { scratch in
            let logit = scratch.baseAddress!
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                for i in 0..<count { logit[i] = compiled.intercept }
                for k in 0..<layers.count {
                    addTerm(
                        compiled.ops[k], nodata: compiled.nodata[k], x: layers[k].baseAddress! + start,
                        logit: logit, count: count)
                }
                finish(logit: logit, output: output.baseAddress! + start, count: count, outputNodata: outputNodata)
                start += count
            }
        }
    }

    /// `output = sigmoid(logit)`, `outputNodata` where the logit is not finite (a missing layer
    /// made it NaN, or a ±Inf value of a linear layer made it infinite).
    ///
    /// A ragged tail is copied into an 8-wide row and run through the same vector code, so
    /// every cell sees identical arithmetic.
    @inlinable
    static func finish(
        logit: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
        count: Int, outputNodata: Float
    ) {
        let nd = SIMD8<Float>(repeating: outputNodata)
        let full = count & ~7
        var i = 0
        while i < full {
            let z = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
            var p = FastMath.sigmoid(z)
            p.replace(with: nd, where: z - z .!= SIMD8<Float>(repeating: 0))
            UnsafeMutableRawPointer(output + i).storeBytes(of: p, as: SIMD8<Float>.self)
            i += 8
        }
        guard full < count else { return }
        var z = SIMD8<Float>(repeating: 0)
        for j in 0..<(count - full) { z[j] = logit[full + j] }
        var p = FastMath.sigmoid(z)
        p.replace(with: nd, where: z - z .!= SIMD8<Float>(repeating: 0))
        for j in 0..<(count - full) { output[full + j] = p[j] }
    }

    /// Adds one layer's term to `logit[0..<count]`; invalid cells (nodata, NaN, ±Inf) make the
    /// logit NaN. `v - v != 0` is the vector finiteness test: NaN for NaN and ±Inf, 0 otherwise.
    @inlinable
    static func addTerm(
        _ op: CompiledModel.Op, nodata: Float, x: UnsafePointer<Float>,
        logit: UnsafeMutablePointer<Float>, count: Int
    ) {
        let vectorEnd = count & ~7
        let nd = SIMD8<Float>(repeating: nodata)
        let nan = SIMD8<Float>(repeating: .nan)
        switch op {
        case .linear(let coefficient):
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * coefficient
                // NaN and ±Inf inputs make the logit non-finite, which `finish` reads as missing:
                // one test per cell there instead of one per layer here.
                acc.replace(with: nan, where: v .== nd)
                UnsafeMutableRawPointer(logit + i).storeBytes(of: acc, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                let v = x[i]
                logit[i] = v == nodata ? .nan : logit[i] + v * coefficient
                i += 1
            }
        case .step(let threshold, let above, let below):
            let t = SIMD8<Float>(repeating: threshold)
            let hi = SIMD8<Float>(repeating: above)
            let lo = SIMD8<Float>(repeating: below)
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
                // v - v is 0 for a finite value and NaN for NaN or ±Inf, so adding it makes
                // those cells missing without a second mask.
                acc += lo.replacing(with: hi, where: v .>= t) + (v - v)
                acc.replace(with: nan, where: v .== nd)
                UnsafeMutableRawPointer(logit + i).storeBytes(of: acc, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                let v = x[i]
                logit[i] = (v == nodata || !v.isFinite) ? .nan : logit[i] + (v >= threshold ? above : below)
                i += 1
            }
        case .dense(let base, let table, let otherwise):
            table.withUnsafeBufferPointer { tab in
                let limit = Float(tab.count)
                let baseF = Float(base)
                for i in 0..<count {
                    let v = x[i]
                    if v == nodata || !v.isFinite {
                        logit[i] = .nan
                        continue
                    }
                    let r = v.rounded() - baseF
                    let term: Float = (r >= 0 && r < limit) ? tab[Int(r)] : otherwise
                    logit[i] += term
                }
            }
        case .sparse(let codes, let values, let otherwise):
            codes.withUnsafeBufferPointer { keys in
                values.withUnsafeBufferPointer { vals in
                    for i in 0..<count {
                        let v = x[i]
                        if v == nodata || !v.isFinite {
                            logit[i] = .nan
                            continue
                        }
                        logit[i] += CompiledModel.sparseValue(v, codes: keys, values: vals, otherwise: otherwise)
                    }
                }
            }
        }
    }
}
