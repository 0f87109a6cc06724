import Foundation

/// A model prepared for the fast kernel: constants folded, class tables made dense.
public struct CompiledModel: Sendable {
    @usableFromInline enum Op: Sendable {
        case linear(coefficient: Float)
        case step(threshold: Float, above: Float, below: Float)
        /// `table[code - base]` for whole-number codes in range, else `otherwise`.
        case dense(base: Int32, table: [Float], otherwise: Float)
    }

    public let model: AdditiveModel
    @usableFromInline let intercept: Float
    @usableFromInline let ops: [Op]
    @usableFromInline let nodata: [Float]

    public init(_ model: AdditiveModel) {
        self.model = model
        var intercept = model.intercept
        var ops: [Op] = []
        for term in model.terms {
            switch term {
            case let .linear(coefficient, center):
                intercept -= coefficient * center
                ops.append(.linear(coefficient: coefficient))
            case let .step(threshold, above, below):
                ops.append(.step(threshold: threshold, above: above, below: below))
            case let .lookup(codes, values, otherwise):
                let lo = codes.min() ?? 0, hi = codes.max() ?? 0
                precondition(Int(hi) - Int(lo) < 1 << 20, "class codes span too wide a range for a dense table")
                var table = [Float](repeating: otherwise, count: codes.isEmpty ? 0 : Int(hi - lo) + 1)
                for (c, v) in zip(codes, values) { table[Int(c - lo)] = v }
                ops.append(.dense(base: lo, table: table, otherwise: otherwise))
            }
        }
        self.intercept = intercept
        self.ops = ops
        self.nodata = model.nodata
    }

    public var layerCount: Int { ops.count }
}

/// Scores cells: `p = sigmoid(intercept + Σ term_k(x_k))`, nodata where any layer is missing.
public enum ScoreKernel {
    /// Cells processed per inner chunk: the logit scratch (8 KiB) stays in L1.
    public static let chunk = 2048

    /// Scalar reference: the definition, one cell at a time, in double precision.
    ///
    /// - Parameters:
    ///   - layers: one buffer per model layer, each at least `output.count` long.
    ///   - output: probabilities, or `outputNodata` where any layer is invalid.
    public static func reference(model: AdditiveModel, layers: [UnsafeBufferPointer<Float>],
                                 output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == model.layerCount, "one buffer per layer")
        for i in 0..<output.count {
            var logit = Double(model.intercept)
            var valid = true
            for k in 0..<layers.count {
                let x = layers[k][i]
                guard model.isValid(x, layer: k) else { valid = false; break }
                logit += Double(model.terms[k].contribution(x))
            }
            output[i] = valid ? Float(1 / (1 + Foundation.exp(-logit))) : outputNodata
        }
    }

    /// Fast kernel: `SIMD8<Float>` over cells, all layers of a group of 8 cells at once.
    ///
    /// Linear and step terms are evaluated in vector registers while streaming every layer
    /// side by side (so the hardware prefetcher follows all input streams); categorical lookups,
    /// which need a gather, are added first into a per-chunk scratch row. Agrees with
    /// `reference` to about 1e-6 (single-precision accumulation and `FastMath.exp`).
    public static func score(_ compiled: CompiledModel, layers: [UnsafeBufferPointer<Float>],
                             output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == compiled.layerCount, "one buffer per layer")
        let n = output.count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        var vector: [VectorTerm] = []
        var lookups: [Int] = []
        for (k, op) in compiled.ops.enumerated() {
            switch op {
            case let .linear(c):
                vector.append(VectorTerm(layer: k, isStep: false, a: c, b: 0, c: 0, nodata: compiled.nodata[k]))
            case let .step(t, above, below):
                vector.append(VectorTerm(layer: k, isStep: true, a: t, b: above, c: below, nodata: compiled.nodata[k]))
            case .dense:
                lookups.append(k)
            }
        }
        let bases = layers.map { $0.baseAddress! }
        bases.withUnsafeBufferPointer { bases in
            vector.withUnsafeBufferPointer { vector in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { scratch in
                    let logit = scratch.baseAddress!
                    var start = 0
                    while start < n {
                        let count = min(chunk, n - start)
                        for i in 0..<count { logit[i] = compiled.intercept }
                        for k in lookups {
                            addTerm(compiled.ops[k], nodata: compiled.nodata[k], x: bases[k] + start,
                                    logit: logit, count: count)
                        }
                        fused(vector, bases: bases, offset: start, logit: logit,
                              output: output.baseAddress! + start, count: count, outputNodata: outputNodata)
                        start += count
                    }
                }
            }
        }
    }

    /// One linear (`a·x`) or step (`x >= a ? b : c`) term, in the form the fused loop reads.
    @usableFromInline struct VectorTerm {
        @usableFromInline var layer: Int
        @usableFromInline var isStep: Bool
        // Splatted once here: building vectors inside the loop defeated LLVM's vectorizer.
        @usableFromInline var a: SIMD8<Float>, b: SIMD8<Float>, c: SIMD8<Float>
        @usableFromInline var nodata: SIMD8<Float>
        @usableFromInline init(layer: Int, isStep: Bool, a: Float, b: Float, c: Float, nodata: Float) {
            self.layer = layer; self.isStep = isStep
            self.a = SIMD8(repeating: a); self.b = SIMD8(repeating: b); self.c = SIMD8(repeating: c)
            self.nodata = SIMD8(repeating: nodata)
        }
    }

    /// `output = sigmoid(logit + Σ vector terms)`, nodata where any input is missing.
    ///
    /// Full groups of 8 run straight from the inputs; a ragged tail is copied into 8-wide
    /// scratch rows and run through the same code, so every cell sees identical arithmetic.
    @inlinable
    static func fused(_ terms: UnsafeBufferPointer<VectorTerm>, bases: UnsafeBufferPointer<UnsafePointer<Float>>,
                      offset: Int, logit: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                      count: Int, outputNodata: Float) {
        let full = count & ~7
        fusedGroups(terms, bases: bases, offset: offset, logit: logit, output: output, count: full,
                    outputNodata: outputNodata)
        let rest = count - full
        guard rest > 0 else { return }
        // Tail: gather each layer's last cells into a padded 8-wide row.
        let width = bases.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * (width + 2)) { tmp in
            let t = tmp.baseAddress!
            tmp.initialize(repeating: 0)
            var rows: [UnsafePointer<Float>] = []
            for k in 0..<width {
                for j in 0..<rest { t[8 * k + j] = bases[k][offset + full + j] }
                rows.append(UnsafePointer(t + 8 * k))
            }
            let tailLogit = t + 8 * width, tailOut = t + 8 * (width + 1)
            for j in 0..<rest { tailLogit[j] = logit[full + j] }
            rows.withUnsafeBufferPointer { rows in
                fusedGroups(terms, bases: rows, offset: 0, logit: tailLogit, output: tailOut, count: 8,
                            outputNodata: outputNodata)
            }
            for j in 0..<rest { output[full + j] = tailOut[j] }
        }
    }

    /// The vector loop over `count` cells, a multiple of 8.
    @inlinable
    static func fusedGroups(_ terms: UnsafeBufferPointer<VectorTerm>, bases: UnsafeBufferPointer<UnsafePointer<Float>>,
                            offset: Int, logit: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                            count: Int, outputNodata: Float) {
        let nan = SIMD8<Float>(repeating: .nan)
        let outND = SIMD8<Float>(repeating: outputNodata)
        var i = 0
        while i < count {
            var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
            for t in terms {
                let v = UnsafeRawPointer(bases[t.layer] + offset + i).loadUnaligned(as: SIMD8<Float>.self)
                if t.isStep {
                    acc += t.c.replacing(with: t.b, where: v .>= t.a)
                    acc.replace(with: nan, where: v .!= v)
                } else {
                    acc += v * t.a
                }
                acc.replace(with: nan, where: v .== t.nodata)
            }
            var prob = FastMath.sigmoid(acc)
            prob.replace(with: outND, where: acc .!= acc)
            UnsafeMutableRawPointer(output + i).storeBytes(of: prob, as: SIMD8<Float>.self)
            i += 8
        }
    }

    /// Adds one layer's term to `logit[0..<count]`; invalid cells make the logit NaN.
    @inlinable
    static func addTerm(_ op: CompiledModel.Op, nodata: Float, x: UnsafePointer<Float>,
                        logit: UnsafeMutablePointer<Float>, count: Int) {
        let vectorEnd = count & ~7
        let nd = SIMD8<Float>(repeating: nodata)
        let nan = SIMD8<Float>(repeating: .nan)
        switch op {
        case let .linear(coefficient):
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * coefficient
                acc.replace(with: nan, where: v .== nd)  // NaN inputs already propagate
                UnsafeMutableRawPointer(logit + i).storeBytes(of: acc, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                let v = x[i]
                logit[i] = v == nodata ? .nan : logit[i] + v * coefficient
                i += 1
            }
        case let .step(threshold, above, below):
            let t = SIMD8<Float>(repeating: threshold)
            let hi = SIMD8<Float>(repeating: above), lo = SIMD8<Float>(repeating: below)
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += lo.replacing(with: hi, where: v .>= t)
                acc.replace(with: nan, where: (v .== nd) .| (v .!= v))
                UnsafeMutableRawPointer(logit + i).storeBytes(of: acc, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                let v = x[i]
                logit[i] = (v == nodata || v.isNaN) ? .nan : logit[i] + (v >= threshold ? above : below)
                i += 1
            }
        case let .dense(base, table, otherwise):
            table.withUnsafeBufferPointer { tab in
                let limit = Float(tab.count)
                let baseF = Float(base)
                for i in 0..<count {
                    let v = x[i]
                    if v == nodata || v.isNaN { logit[i] = .nan; continue }
                    let r = v.rounded() - baseF
                    let term: Float = (r >= 0 && r < limit) ? tab[Int(r)] : otherwise
                    logit[i] += term
                }
            }
        }
    }
}
