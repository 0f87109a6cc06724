import Foundation

/// What one pass over a logistic design gives at coefficients b: the log-likelihood and, for a
/// Newton (IRLS) step, the score `Xᵀ W (y − p)` and the information `Xᵀ diag(wᵢ pᵢ (1 − pᵢ)) X`.
public struct LogisticSums: Sendable, Equatable {
    /// `Σ wᵢ [yᵢ ηᵢ − ln(1 + e^ηᵢ)]`.
    public var logLikelihood = 0.0
    /// `Σ wᵢ (yᵢ − pᵢ) zᵢ`, z = (1, x); empty when derivatives were not asked for.
    public var gradient: [Double] = []
    /// `Σ wᵢ pᵢ (1 − pᵢ) zᵢ zᵢᵀ`, row-major q × q, only the upper triangle (j ≤ k) filled;
    /// empty when derivatives were not asked for.
    public var hessian: [Double] = []

    public init(parameters q: Int, derivatives: Bool) {
        if derivatives {
            gradient = [Double](repeating: 0, count: q)
            hessian = [Double](repeating: 0, count: q * q)
        }
    }

    /// Adds the sums of other rows (same shape).
    public mutating func add(_ other: LogisticSums) {
        logLikelihood += other.logLikelihood
        for j in gradient.indices { gradient[j] += other.gradient[j] }
        for j in hessian.indices { hessian[j] += other.hessian[j] }
    }
}

/// The sums over the rows of a logistic design that every Newton step of `LogisticRegression`
/// needs (`LogisticSums`), computed in chunks of rows on several threads.
///
/// **Determinism.** The rows are cut into chunks whose size depends only on the number of rows
/// and parameters (`chunkRows`), never on the thread count; each chunk is summed by one worker
/// in a fixed order, and the chunks' sums are added in chunk order. The result is therefore the
/// same, bit for bit, for any number of threads.
///
/// **The fast path** (`sums`) takes blocks of 256 rows: the linear predictor column by column,
/// one `exp` and one `log1p` per row, then `u_j = v ⊙ z_j` and the dense block of the
/// information as dot products of columns, four columns against one (`dots`: four-lane SIMD
/// accumulators, four independent chains; one accumulator per dot product waited on the
/// previous add and took over a third of the kernel's time, perf on 8 layers). A categorical layer's
/// dummies are one-hot, so each row adds `v` to one cross column per dense column, and `v` to
/// one entry per pair of categorical layers: the zeros of the dummies cost nothing (with 10
/// slopes and 5 layers of 28 dummies, 150 parameters, about 130 operations a row instead of the
/// 11 000 of a dense `zzᵀ`). `reference` is the definition, row by row on dense rows; tests
/// compare the two.
public enum LogisticKernel {
    /// Rows per block inside a chunk: the block's `u` columns stay in L1/L2.
    static let blockRows = 256

    /// Rows per chunk for `rows` rows and `q` parameters: 4096, or more when the chunks'
    /// information matrices (q² doubles each) would take more than 64 MiB.
    public static func chunkRows(rows n: Int, parameters q: Int) -> Int {
        let maximumChunks = max(16, (64 << 20) / max(1, q * q * 8))
        return max(4096, (n + maximumChunks - 1) / maximumChunks)
    }

    /// The sums over every row, chunks on up to `threads` workers, added in chunk order.
    public static func total(
        _ m: LogisticMatrix, y: [Bool], weights: [Double]?, coefficients b: [Double], derivatives: Bool, threads: Int
    ) -> LogisticSums {
        let q = m.columns + 1
        let n = m.rows
        let size = chunkRows(rows: n, parameters: q)
        let chunks = max(1, (n + size - 1) / size)
        let results = UnsafeMutableBufferPointer<LogisticSums>.allocate(capacity: chunks)
        results.initialize(repeating: LogisticSums(parameters: 0, derivatives: false))
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        // Each chunk writes only its own slot.
        let shared = UnsafeTransfer(results)
        ParallelScorer.perform(items: chunks, threads: threads) { c in
            let lo = c * size
            shared.value[c] = sums(m, y: y, weights: weights, coefficients: b, rows: lo..<min(n, lo + size), derivatives: derivatives)
        }
        var total = LogisticSums(parameters: q, derivatives: derivatives)
        for c in 0..<chunks { total.add(results[c]) }
        return total
    }

    /// The sums over `rows` (the fast path).
    public static func sums(
        _ m: LogisticMatrix, y: [Bool], weights: [Double]?, coefficients b: [Double], rows range: Range<Int>, derivatives: Bool
    ) -> LogisticSums {
        precondition(y.count == m.rows && (weights?.count ?? m.rows) == m.rows, "one label and weight per row")
        precondition(b.count == m.columns + 1, "one coefficient per predictor and the intercept")
        let q = m.columns + 1
        let n = m.rows
        let nd = m.densePositions.count
        let dq = nd + 1
        let groupCount = m.groupPositions.count
        // The information's row/column of each dense z (z₀ = 1, the intercept) and of each class.
        let densePosition = [0] + m.densePositions.map { $0 + 1 }
        var classOffset = [Int](repeating: 0, count: groupCount + 1)
        for g in 0..<groupCount { classOffset[g + 1] = classOffset[g] + m.groupPositions[g].count }
        let classPosition = m.groupPositions.flatMap { $0.map { $0 + 1 } }
        let classCount = classOffset[groupCount]
        var out = LogisticSums(parameters: q, derivatives: derivatives)
        let B = blockRows
        // The block's columns: η, then r = w (y − p), then u_j = v ⊙ z_j for j = 0 … dq − 1
        // (u₀ = v = w p (1 − p), z₀ = 1), then three zero columns that `dots` may read past
        // the last u.
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: B * (dq + 5))
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        let eta = scratch.baseAddress!
        let r = eta + B
        let u = r + B
        let v = u
        // Per chunk, in one zeroed block (written through pointers: array writes in the row
        // loop spent 18 % of the time in uniqueness checks, perf on 150 parameters): the gradient
        // and the information, the dense block of the information (dq × dq, upper), the cross
        // sums of each class with each dense z, and the dense gradient.
        let sizes = derivatives ? [q, q * q, dq * dq, classCount * dq, dq] : [0, 0, 0, 0, 0]
        let block = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, sizes.reduce(0, +)))
        defer { block.deallocate() }
        block.initialize(repeating: 0)
        let gradient = block.baseAddress!
        let hessian = gradient + sizes[0]
        let dense = hessian + sizes[1]
        let cross = dense + sizes[2]
        let denseGradient = cross + sizes[3]
        var logLikelihood = 0.0
        m.denseValues.withUnsafeBufferPointer { x in
            m.classes.withUnsafeBufferPointer { classes in
                y.withUnsafeBufferPointer { y in
                    b.withUnsafeBufferPointer { b in
                        var start = range.lowerBound
                        while start < range.upperBound {
                            let len = min(B, range.upperBound - start)
                            // The linear predictor: the intercept, the dense columns, the classes.
                            for i in 0..<len { eta[i] = b[0] }
                            for j in 0..<nd {
                                let bj = b[densePosition[j + 1]]
                                let column = x.baseAddress! + j * n + start
                                for i in 0..<len { eta[i] += bj * column[i] }
                            }
                            for g in 0..<groupCount {
                                let column = classes.baseAddress! + g * n + start
                                let offset = classOffset[g]
                                for i in 0..<len where column[i] >= 0 { eta[i] += b[classPosition[offset + Int(column[i])]] }
                            }
                            for i in 0..<len {
                                let e = eta[i]
                                let w = weights?[start + i] ?? 1
                                let (p, softplus) = logistic(e)
                                logLikelihood += w * ((y[start + i] ? e : 0) - softplus)
                                r[i] = w * ((y[start + i] ? 1 : 0) - p)
                                v[i] = w * p * (1 - p)
                            }
                            if derivatives {
                                // u_j = v ⊙ z_j.
                                for j in 0..<nd {
                                    let column = x.baseAddress! + j * n + start
                                    let uj = u + (j + 1) * B
                                    for i in 0..<len { uj[i] = v[i] * column[i] }
                                }
                                denseGradient[0] += sum(UnsafePointer(r), len)
                                dense[0] += sum(UnsafePointer(v), len)
                                // Column k of the dense block and the gradient's entry k: the dot
                                // products of z_k with r, u₀ … u_k (the scratch columns 1 … k + 2),
                                // four columns at a time sharing each load of z_k.
                                for k in 1..<dq {
                                    let zk = x.baseAddress! + (k - 1) * n + start
                                    var c = 0
                                    while c <= k + 1 {
                                        let d = dots(UnsafePointer(r + c * B), stride: B, zk, len)
                                        for l in 0..<min(4, k + 2 - c) {
                                            if c + l == 0 {
                                                denseGradient[k] += d[0]
                                            } else {
                                                dense[(c + l - 1) * dq + k] += d[l]
                                            }
                                        }
                                        c += 4
                                    }
                                }
                                // Categorical layers: the class's gradient and cross sums, pairs of layers.
                                for g in 0..<groupCount {
                                    let column = classes.baseAddress! + g * n + start
                                    let offset = classOffset[g]
                                    for i in 0..<len where column[i] >= 0 {
                                        let c = offset + Int(column[i])
                                        gradient[classPosition[c]] += r[i]
                                        let row = c * dq
                                        for j in 0..<dq { cross[row + j] += u[j * B + i] }
                                        let pc = classPosition[c]
                                        hessian[pc * q + pc] += v[i]
                                        for h in (g + 1)..<groupCount {
                                            let other = classes[h * n + start + i]
                                            guard other >= 0 else { continue }
                                            let po = classPosition[classOffset[h] + Int(other)]
                                            hessian[min(pc, po) * q + max(pc, po)] += v[i]
                                        }
                                    }
                                }
                            }
                            start += len
                        }
                    }
                }
            }
        }
        out.logLikelihood = logLikelihood
        guard derivatives else { return out }
        for j in 0..<dq {
            gradient[densePosition[j]] += denseGradient[j]
            for k in j..<dq {
                let (a, c) = (densePosition[j], densePosition[k])
                hessian[min(a, c) * q + max(a, c)] += dense[j * dq + k]
            }
        }
        for c in 0..<classCount {
            let pc = classPosition[c]
            for j in 0..<dq {
                let pj = densePosition[j]
                hessian[min(pc, pj) * q + max(pc, pj)] += cross[c * dq + j]
            }
        }
        out.gradient = Array(UnsafeBufferPointer(start: gradient, count: q))
        out.hessian = Array(UnsafeBufferPointer(start: hessian, count: q * q))
        return out
    }

    /// The definition: row by row, each row's predictors as a dense vector z = (1, x), adding
    /// `w (y − p) z` and `w p (1 − p) z zᵀ`.
    public static func reference(
        _ m: LogisticMatrix, y: [Bool], weights: [Double]?, coefficients b: [Double], rows range: Range<Int>? = nil, derivatives: Bool
    ) -> LogisticSums {
        let q = m.columns + 1
        var out = LogisticSums(parameters: q, derivatives: derivatives)
        for i in range ?? 0..<m.rows {
            let z = [1] + m.row(i)
            var eta = 0.0
            for j in 0..<q { eta += b[j] * z[j] }
            let w = weights?[i] ?? 1
            let p = 1 / (1 + exp(-eta))
            out.logLikelihood += w * ((y[i] ? eta : 0) - (eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))))
            guard derivatives else { continue }
            for j in 0..<q {
                out.gradient[j] += w * ((y[i] ? 1 : 0) - p) * z[j]
                for k in j..<q { out.hessian[j * q + k] += w * p * (1 - p) * z[j] * z[k] }
            }
        }
        return out
    }

    /// `(p, ln(1 + e^η))` with `p = 1 / (1 + e^−η)`, from one `exp` and one `log1p`, without overflow.
    @inline(__always)
    static func logistic(_ eta: Double) -> (p: Double, softplus: Double) {
        if eta >= 0 {
            let e = exp(-eta)
            return (1 / (1 + e), eta + log1p(e))
        }
        let e = exp(eta)
        return (e / (1 + e), log1p(e))
    }

    /// `Σ a[i]`, four lanes then across.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        var acc = SIMD4<Double>(repeating: 0)
        var i = 0
        while i + 4 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self)
            i += 4
        }
        var s = acc.sum()
        while i < n {
            s += a[i]
            i += 1
        }
        return s
    }

    /// `Σ a[s·l + i] z[i]` for the four columns l = 0 … 3 of `a` (stride s), each in four
    /// lanes then across: one load of z for four products, four independent accumulators.
    @inline(__always)
    static func dots(_ a: UnsafePointer<Double>, stride s: Int, _ z: UnsafePointer<Double>, _ n: Int) -> SIMD4<Double> {
        var acc0 = SIMD4<Double>(repeating: 0)
        var acc1 = acc0
        var acc2 = acc0
        var acc3 = acc0
        let raw = UnsafeRawPointer(a)
        let step = s * 8
        var i = 0
        while i + 4 <= n {
            let zz = UnsafeRawPointer(z + i).loadUnaligned(as: SIMD4<Double>.self)
            let o = i * 8
            acc0.addProduct(raw.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self), zz)
            acc1.addProduct(raw.loadUnaligned(fromByteOffset: o + step, as: SIMD4<Double>.self), zz)
            acc2.addProduct(raw.loadUnaligned(fromByteOffset: o + 2 * step, as: SIMD4<Double>.self), zz)
            acc3.addProduct(raw.loadUnaligned(fromByteOffset: o + 3 * step, as: SIMD4<Double>.self), zz)
            i += 4
        }
        var out = SIMD4<Double>(acc0.sum(), acc1.sum(), acc2.sum(), acc3.sum())
        while i < n {
            out.addProduct(SIMD4<Double>(a[i], a[s + i], a[2 * s + i], a[3 * s + i]), SIMD4<Double>(repeating: z[i]))
            i += 1
        }
        return out
    }
}
