import Foundation

/// Scoring under `MissingDataRule.unknown`: a missing layer adds 0 to the logit, and a cell is
/// nodata only where every layer is missing.
extension ScoreKernel {
    /// Scalar reference of the unknown rule: the definition, one cell at a time, in double
    /// precision.
    static func referenceUnknown(
        model: AdditiveModel, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float
    ) {
        for i in 0..<output.count {
            var logit = Double(model.intercept)
            var any = false
            for k in 0..<layers.count {
                let x = layers[k][i]
                guard model.isValid(x, layer: k) else { continue }
                any = true
                logit += Double(model.terms[k].contribution(x))
            }
            output[i] = any ? Float(1 / (1 + Foundation.exp(-logit))) : outputNodata
        }
    }

    /// Fast kernel of the unknown rule: the layer-major chunks of `score`, with a second scratch
    /// row counting each cell's valid layers; cells with none get a NaN logit, hence nodata.
    static func scoreUnknown(
        _ compiled: CompiledModel, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float
    ) {
        let n = output.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * chunk) { scratch in
            let logit = scratch.baseAddress!
            let present = scratch.baseAddress! + chunk
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                for i in 0..<count {
                    logit[i] = compiled.intercept
                    present[i] = 0
                }
                for k in 0..<layers.count {
                    addTermUnknown(
                        compiled.ops[k], nodata: compiled.nodata[k], missingTerm: compiled.missingTerm[k],
                        x: layers[k].baseAddress! + start, logit: logit, present: present, count: count)
                }
                markAbsent(logit: logit, present: present, count: count)
                finish(logit: logit, output: output.baseAddress! + start, count: count, outputNodata: outputNodata)
                start += count
            }
        }
    }

    /// Makes the logit NaN where no layer was present.
    @inlinable
    static func markAbsent(logit: UnsafeMutablePointer<Float>, present: UnsafeMutablePointer<Float>, count: Int) {
        let nan = SIMD8<Float>(repeating: .nan)
        let zero = SIMD8<Float>(repeating: 0)
        let vectorEnd = count & ~7
        var i = 0
        while i < vectorEnd {
            let seen = UnsafeRawPointer(present + i).loadUnaligned(as: SIMD8<Float>.self)
            var z = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
            z.replace(with: nan, where: seen .== zero)
            UnsafeMutableRawPointer(logit + i).storeBytes(of: z, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            if present[i] == 0 { logit[i] = .nan }
            i += 1
        }
    }

    /// Adds one layer's term to `logit[0..<count]` where the layer is valid and `missingTerm`
    /// where it is not (0, or what undoes a linear term's folded centre); adds 1 to
    /// `present[i]` where it is valid, when `present` is given.
    @inlinable
    static func addTermUnknown(
        _ op: CompiledModel.Op, nodata: Float, missingTerm: Float, x: UnsafePointer<Float>,
        logit: UnsafeMutablePointer<Float>, present: UnsafeMutablePointer<Float>?, count: Int
    ) {
        let vectorEnd = count & ~7
        let nd = SIMD8<Float>(repeating: nodata)
        let miss = SIMD8<Float>(repeating: missingTerm)
        let one = SIMD8<Float>(repeating: 1)
        let zero = SIMD8<Float>(repeating: 0)
        @inline(__always) func accumulate(_ i: Int, _ v: SIMD8<Float>, _ term: SIMD8<Float>) {
            let missing = (v .== nd) .| (v - v .!= zero)  // v - v: NaN unless v is finite
            var acc = UnsafeRawPointer(logit + i).loadUnaligned(as: SIMD8<Float>.self)
            acc += term.replacing(with: miss, where: missing)
            UnsafeMutableRawPointer(logit + i).storeBytes(of: acc, as: SIMD8<Float>.self)
            if let present {
                var seen = UnsafeRawPointer(present + i).loadUnaligned(as: SIMD8<Float>.self)
                seen += one.replacing(with: zero, where: missing)
                UnsafeMutableRawPointer(present + i).storeBytes(of: seen, as: SIMD8<Float>.self)
            }
        }
        @inline(__always) func scalar(_ i: Int, _ term: (Float) -> Float) {
            let v = x[i]
            if v == nodata || !v.isFinite {
                logit[i] += missingTerm
            } else {
                logit[i] += term(v)
                present?[i] += 1
            }
        }
        switch op {
        case .linear(let coefficient):
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                accumulate(i, v, v * coefficient)
                i += 8
            }
            while i < count {
                scalar(i) { $0 * coefficient }
                i += 1
            }
        case .step(let threshold, let above, let below):
            let t = SIMD8<Float>(repeating: threshold)
            let hi = SIMD8<Float>(repeating: above)
            let lo = SIMD8<Float>(repeating: below)
            var i = 0
            while i < vectorEnd {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                accumulate(i, v, lo.replacing(with: hi, where: v .>= t))
                i += 8
            }
            while i < count {
                scalar(i) { $0 >= threshold ? above : below }
                i += 1
            }
        case .dense(let base, let table, let otherwise):
            table.withUnsafeBufferPointer { tab in
                let limit = Float(tab.count)
                let baseF = Float(base)
                for i in 0..<count {
                    scalar(i) { v in
                        let r = v.rounded() - baseF
                        return (r >= 0 && r < limit) ? tab[Int(r)] : otherwise
                    }
                }
            }
        case .sparse(let codes, let values, let otherwise):
            codes.withUnsafeBufferPointer { keys in
                values.withUnsafeBufferPointer { vals in
                    for i in 0..<count {
                        scalar(i) { CompiledModel.sparseValue($0, codes: keys, values: vals, otherwise: otherwise) }
                    }
                }
            }
        }
    }
}
