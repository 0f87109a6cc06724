import Foundation

/// Scores a weights-of-evidence model with its uncertainty: posterior probability, its
/// standard deviation `P (1 − P) s(L)` and the confidence `P / s(P)` (see `WofEVariance`).
public enum UncertaintyKernel {
    /// Scalar reference: the definitions, one cell at a time, in double precision.
    ///
    /// - Parameters:
    ///   - model: the additive model (prior logit and weights).
    ///   - variance: the variance terms (1/N(D) and s²(W) per layer).
    ///   - layers: one buffer per layer, each at least `outputs[0].count` long.
    ///   - outputs: posterior, then optionally posterior_std and confidence; `outputNodata`
    ///     where any layer is missing.
    public static func reference(
        model: AdditiveModel, variance: WofEVariance, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        precondition(layers.count == model.layerCount && variance.terms.count == model.layerCount, "one buffer per layer")
        if model.missingAsUnknown {
            return referenceUnknown(model: model, variance: variance, layers: layers, outputs: outputs, outputNodata: outputNodata)
        }
        for i in 0..<outputs[0].count {
            var v = Double(variance.priorVariance)
            let sum = ScoreKernel.referenceLogit(model: model, layers: layers, cell: i) { k, x in
                v += Double(variance.terms[k].contribution(x))
            }
            guard let logit = sum else {
                for out in outputs { out[i] = outputNodata }
                continue
            }
            let r = WofEVariance.posteriorStd(logit: logit, logitVariance: v)
            // P / s(P) = 1 / ((1 − P) s(L)): finite where P underflows.
            let values = [r.posterior, r.std, 1 / (r.complement * v.squareRoot())]
            for (j, out) in outputs.enumerated() { out[i] = Float(values[j]) }
        }
    }

    /// Fast kernel: the score kernel's layer-major chunks, with a second scratch row for the
    /// variance sum; `SIMD8<Float>` arithmetic and a vector square root. Agrees with
    /// `reference` to about 1e-6 relative.
    public static func score(
        _ scorer: WofEScorer, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        let compiled = scorer.compiled
        let variance = scorer.variance
        precondition(layers.count == compiled.layerCount, "one buffer per layer")
        precondition((1...3).contains(outputs.count), "posterior, posterior_std, confidence")
        let n = outputs[0].count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        for out in outputs { precondition(out.count >= n, "output band shorter than the score band") }
        if compiled.model.missingAsUnknown {
            return scoreUnknown(scorer, layers: layers, outputs: outputs, outputNodata: outputNodata)
        }
        let chunk = ScoreKernel.chunk
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * chunk) { scratch in
            let logit = scratch.baseAddress!
            let v = scratch.baseAddress! + chunk
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                for i in 0..<count {
                    logit[i] = compiled.intercept
                    v[i] = variance.intercept
                }
                for k in 0..<layers.count {
                    let x = layers[k].baseAddress! + start
                    ScoreKernel.addTerm(compiled.ops[k], nodata: compiled.nodata[k], x: x, logit: logit, count: count)
                    ScoreKernel.addTerm(variance.ops[k], nodata: variance.nodata[k], x: x, logit: v, count: count)
                }
                finish(
                    logit: logit, variance: v, outputs: outputs.map { $0.baseAddress! + start }, count: count,
                    outputNodata: outputNodata)
                start += count
            }
        }
    }

    /// Posterior, standard deviation and confidence from the logit and variance rows;
    /// `outputNodata` where the logit is not finite (NaN from a missing layer, ±Inf from a ±Inf
    /// value of a linear layer). A ragged tail runs through the same vector code.
    @inlinable
    static func finish(
        logit: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
        outputs: [UnsafeMutablePointer<Float>], count: Int, outputNodata: Float
    ) {
        let nd = SIMD8<Float>(repeating: outputNodata)
        let bands = outputs.count
        let p0 = outputs[0]
        let p1 = bands > 1 ? outputs[1] : nil
        let p2 = bands > 2 ? outputs[2] : nil
        @inline(__always) func compute(_ z: SIMD8<Float>, _ v: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let missing = z - z .!= SIMD8<Float>(repeating: 0)  // NaN or ±Inf: a missing layer
            // P = 1/(1 + e^−z), FastMath.sigmoid's arithmetic; 1 − P = e^−z · P, exact where P
            // rounds to 1 (e^−z is clamped to at least e^−87, so 1 − P > 0).
            let e = FastMath.exp(-z)
            var p = 1 / (1 + e)
            let q = e * p
            let root = v.squareRoot()
            let qRoot = q * root
            var s = p * qRoot
            var c = 1 / qRoot
            p.replace(with: nd, where: missing)
            s.replace(with: nd, where: missing)
            c.replace(with: nd, where: missing)
            return (p, s, c)
        }
        let full = count & ~7
        var i = 0
        while i < full {
            let z = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
            let v = UnsafeRawPointer(variance + i).loadUnaligned(as: SIMD8<Float>.self)
            let (p, s, c) = compute(z, v)
            UnsafeMutableRawPointer(p0 + i).storeBytes(of: p, as: SIMD8<Float>.self)
            if let p1 { UnsafeMutableRawPointer(p1 + i).storeBytes(of: s, as: SIMD8<Float>.self) }
            if let p2 { UnsafeMutableRawPointer(p2 + i).storeBytes(of: c, as: SIMD8<Float>.self) }
            i += 8
        }
        guard full < count else { return }
        var z = SIMD8<Float>(repeating: 0)
        var v = SIMD8<Float>(repeating: 1)
        for j in 0..<(count - full) {
            z[j] = logit[full + j]
            v[j] = variance[full + j]
        }
        let (p, s, c) = compute(z, v)
        for j in 0..<(count - full) {
            p0[full + j] = p[j]
            p1?[full + j] = s[j]
            p2?[full + j] = c[j]
        }
    }
}
