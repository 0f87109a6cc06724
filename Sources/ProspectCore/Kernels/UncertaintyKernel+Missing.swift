import Foundation

/// The posterior and its uncertainty under `MissingDataRule.unknown`: a missing layer adds 0
/// to the logit and to the weights' variance, and its missing-data variance term
/// (`WofEMissingClasses.variance`) to the posterior's variance:
/// `s²(P) = (P (1 − P))² · (1/N(D) + Σ_{k valid} s²(W_k)) + Σ_{j missing} var_j`,
/// `posterior_std = sqrt(s²(P))`, `confidence = P / posterior_std` (Agterberg & Bonham-Carter;
/// ArcSDM "Calculate Response" with `missingdatavar_func.py`). A cell is nodata only where
/// every layer is missing.
extension UncertaintyKernel {
    /// Scalar reference of the unknown rule, in double precision.
    static func referenceUnknown(
        model: AdditiveModel, variance: WofEVariance, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        for i in 0..<outputs[0].count {
            var logit = Double(model.intercept)
            var v = Double(variance.priorVariance)
            var valid = 0
            for k in 0..<layers.count {
                let x = layers[k][i]
                guard model.isValid(x, layer: k) else { continue }
                valid += 1
                logit += Double(model.terms[k].contribution(x))
                v += Double(variance.terms[k].contribution(x))
            }
            guard valid > 0 else {
                for out in outputs { out[i] = outputNodata }
                continue
            }
            let r = WofEVariance.posteriorStd(logit: logit, logitVariance: v)
            var values = [r.posterior, r.std, 1 / (r.complement * v.squareRoot())]
            if valid < layers.count {
                let extra = variance.missingVariance(logit: logit, posterior: r.posterior) { !model.isValid(layers[$0][i], layer: $0) }
                let std = WofEVariance.posteriorStd(logit: logit, logitVariance: v, missingVariance: extra).std
                values[1] = std
                values[2] = r.posterior / std
            }
            for (j, out) in outputs.enumerated() { out[i] = Float(values[j]) }
        }
    }

    /// Fast path of the unknown rule: the vector chunks of `score` with a third scratch row
    /// counting each cell's valid layers, then a scalar fix-up pass over only the cells with
    /// some but not all layers missing, which adds their missing-data variance (in double
    /// precision) and rewrites posterior_std and confidence there. Cells with every layer
    /// present cost nothing more than the default rule's vector work.
    static func scoreUnknown(
        _ scorer: WofEScorer, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        let compiled = scorer.compiled
        let variance = scorer.variance
        let terms = scorer.varianceTerms
        let n = outputs[0].count
        let chunk = ScoreKernel.chunk
        let layerCount = Float(layers.count)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * chunk) { scratch in
            let logit = scratch.baseAddress!
            let v = logit + chunk
            let present = logit + 2 * chunk
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                for i in 0..<count {
                    logit[i] = compiled.intercept
                    v[i] = variance.intercept
                    present[i] = 0
                }
                for k in 0..<layers.count {
                    let x = layers[k].baseAddress! + start
                    ScoreKernel.addTermUnknown(
                        compiled.ops[k], nodata: compiled.nodata[k], missingTerm: compiled.missingTerm[k],
                        x: x, logit: logit, present: present, count: count)
                    ScoreKernel.addTermUnknown(
                        variance.ops[k], nodata: compiled.nodata[k], missingTerm: 0,
                        x: x, logit: v, present: nil, count: count)
                }
                ScoreKernel.markAbsent(logit: logit, present: present, count: count)
                let bands = outputs.map { $0.baseAddress! + start }
                finish(logit: logit, variance: v, outputs: bands, count: count, outputNodata: outputNodata)
                if bands.count > 1 {
                    // Only cells with some but not all layers present; 8 cells at a time are
                    // skipped when none is such a cell.
                    let zero = SIMD8<Float>(repeating: 0)
                    let all = SIMD8<Float>(repeating: layerCount)
                    @inline(__always) func fix(_ i: Int) {
                        guard present[i] > 0 && present[i] < layerCount else { return }
                        let z = Double(logit[i])
                        let p = 1 / (1 + Foundation.exp(-z))
                        let extra = terms.missingVariance(logit: z, posterior: p) { k in
                            let x = layers[k][start + i]
                            return !x.isFinite || x == compiled.nodata[k]
                        }
                        let std = WofEVariance.posteriorStd(logit: z, logitVariance: Double(v[i]), missingVariance: extra).std
                        bands[1][i] = Float(std)
                        if bands.count > 2 { bands[2][i] = Float(p / std) }
                    }
                    var i = 0
                    while i + 8 <= count {
                        let seen = UnsafeRawPointer(present + i).loadUnaligned(as: SIMD8<Float>.self)
                        if any((seen .> zero) .& (seen .< all)) { for j in i..<(i + 8) { fix(j) } }
                        i += 8
                    }
                    while i < count {
                        fix(i)
                        i += 1
                    }
                }
                start += count
            }
        }
    }
}
