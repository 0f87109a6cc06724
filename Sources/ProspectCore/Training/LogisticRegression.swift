import Foundation

/// The result of a logistic regression fit.
public struct LogisticFit: Sendable {
    /// `[intercept, b1 … bp]` on the columns given.
    public var coefficients: [Double]
    /// Standard errors of `coefficients`: square roots of the diagonal of the inverse penalized
    /// Hessian (the observed information) at the optimum.
    public var standardErrors: [Double]
    /// Newton iterations performed.
    public var iterations: Int
    /// True when the largest coefficient change fell below 1e-8 within 100 iterations.
    public var converged: Bool
    /// The (weighted) log-likelihood `Σ wᵢ [yᵢ ηᵢ − ln(1 + e^ηᵢ)]` at the optimum, without the
    /// penalty.
    public var logLikelihood: Double

    public init(
        coefficients: [Double], standardErrors: [Double], iterations: Int, converged: Bool,
        logLikelihood: Double
    ) {
        self.coefficients = coefficients
        self.standardErrors = standardErrors
        self.iterations = iterations
        self.converged = converged
        self.logLikelihood = logLikelihood
    }
}

/// Maximum-(penalized-)likelihood logistic regression by Newton–Raphson (iteratively
/// reweighted least squares; McCullagh & Nelder 1989, §4.4; Hastie, Tibshirani & Friedman 2009,
/// §4.4.1 and, for the ridge penalty, §3.4.1).
public enum LogisticRegression {
    /// Fits `P(y = 1 | x) = 1 / (1 + exp(−(b0 + Σ bj xj)))`.
    ///
    /// Maximizes `ℓ(b) − l2 · Σ_{j≥1} bj² / 2` where `ℓ(b) = Σ wᵢ [yᵢ ηᵢ − ln(1 + e^ηᵢ)]`
    /// (the intercept is not penalized). Each Newton step solves `H Δ = g` by Cholesky, with
    /// gradient `g = Xᵀ W (y − p) − l2 b` and Hessian `H = Xᵀ diag(wᵢ pᵢ (1 − pᵢ)) X + l2 I`
    /// (zero penalty on the intercept entry). A step that lowers the penalized
    /// log-likelihood is halved, up to 30 times. Iteration stops when `max |Δb| < 1e-8` or
    /// after 100 iterations. Standard errors are `sqrt(diag(H⁻¹))` at the optimum. When the
    /// Hessian is singular (for instance `l2 = 0` with collinear columns) a tiny ridge is
    /// added to its diagonal so the solve still succeeds.
    ///
    /// - Parameters:
    ///   - x: the n × p design, row-major, without an intercept column.
    ///   - n: rows (samples).
    ///   - p: columns (predictors).
    ///   - y: the labels.
    ///   - weights: optional non-negative per-row weights (default 1).
    ///   - l2: the ridge penalty on the slopes.
    /// - Returns: the coefficients `[b0, b1 … bp]`, their standard errors and diagnostics.
    public static func fit(
        x: [Double], rows n: Int, columns p: Int, y: [Bool],
        weights: [Double]? = nil, l2: Double = 1e-4
    ) -> LogisticFit {
        precondition(x.count == n * p, "x must hold rows × columns values")
        return fit(LogisticMatrix(rowMajor: x, rows: n, columns: p), y: y, weights: weights, l2: l2)
    }

    /// Fits the model of `fit(x:rows:columns:y:weights:l2:)` to a design held by columns, each
    /// Newton step's sums computed on up to `threads` workers (`LogisticKernel.total`); the
    /// result is the same for any number of threads.
    public static func fit(
        _ m: LogisticMatrix, y: [Bool], weights: [Double]? = nil, l2: Double = 1e-4, threads: Int = ProcessInfoCores.active
    ) -> LogisticFit {
        newton(m, y: y, weights: weights, l2: l2) { b, derivatives in
            LogisticKernel.total(m, y: y, weights: weights, coefficients: b, derivatives: derivatives, threads: threads)
        }
    }

    /// The same fit with every sum from `LogisticKernel.reference`, row by row on one thread:
    /// the definition the fast fit is tested against.
    public static func reference(_ m: LogisticMatrix, y: [Bool], weights: [Double]? = nil, l2: Double = 1e-4) -> LogisticFit {
        newton(m, y: y, weights: weights, l2: l2) { b, derivatives in
            LogisticKernel.reference(m, y: y, weights: weights, coefficients: b, derivatives: derivatives)
        }
    }

    /// Newton's method with step halving, the sums at b from `evaluate(b, derivatives)`.
    ///
    /// A candidate is evaluated with its derivatives: when the step is taken (the usual case)
    /// they are the next step's, so each iteration reads the rows once.
    static func newton(
        _ m: LogisticMatrix, y: [Bool], weights: [Double]?, l2: Double,
        evaluate: ([Double], Bool) -> LogisticSums
    ) -> LogisticFit {
        let n = m.rows
        precondition(y.count == n, "one label per row")
        precondition(weights == nil || weights!.count == n, "one weight per row")
        precondition(l2 >= 0, "the penalty is non-negative")
        let q = m.columns + 1

        // Start from the intercept-only solution: b0 = logit of the weighted mean label.
        var b = Array(repeating: 0.0, count: q)
        var sw = 0.0
        var swy = 0.0
        for i in 0..<n {
            let w = weights?[i] ?? 1
            sw += w
            if y[i] { swy += w }
        }
        if sw > 0, swy > 0, swy < sw { b[0] = log(swy / (sw - swy)) }

        func penalty(_ b: [Double]) -> Double {
            var pen = 0.0
            for j in 1..<q { pen += b[j] * b[j] }
            return l2 * pen / 2
        }
        /// Gradient and Hessian of the penalized log-likelihood (Hessian mirrored) from sums.
        func derivatives(_ s: LogisticSums, at b: [Double]) -> (g: [Double], h: [Double]) {
            var g = s.gradient
            var h = s.hessian
            for j in 1..<q {
                g[j] -= l2 * b[j]
                h[j * q + j] += l2
            }
            for j in 0..<q { for k in 0..<j { h[j * q + k] = h[k * q + j] } }
            return (g, h)
        }

        var current = evaluate(b, true)
        var objective = current.logLikelihood - penalty(b)
        var iterations = 0
        var converged = false
        while iterations < 100 {
            iterations += 1
            let (g, h) = derivatives(current, at: b)
            let step = CholeskySolver.solve(h, g, size: q)
            var scale = 1.0
            var candidate = b
            var next = current
            var nextObjective = objective
            for halving in 0...30 {
                for j in 0..<q { candidate[j] = b[j] + scale * step[j] }
                next = evaluate(candidate, halving == 0)
                nextObjective = next.logLikelihood - penalty(candidate)
                if nextObjective >= objective - 1e-12 * abs(objective) { break }
                scale /= 2
            }
            if next.gradient.isEmpty { next = evaluate(candidate, true) }
            var maxChange = 0.0
            for j in 0..<q { maxChange = max(maxChange, abs(candidate[j] - b[j])) }
            b = candidate
            current = next
            objective = nextObjective
            if maxChange < 1e-8 {
                converged = true
                break
            }
        }

        let (_, h) = derivatives(current, at: b)
        let inverse = CholeskySolver.inverse(h, size: q)
        let se = (0..<q).map { max(inverse[$0 * q + $0], 0).squareRoot() }
        return LogisticFit(
            coefficients: b, standardErrors: se, iterations: iterations,
            converged: converged, logLikelihood: current.logLikelihood)
    }
}

/// A small dense symmetric positive-definite solver (Cholesky–Banachiewicz, `A = L Lᵀ`;
/// Golub & Van Loan 2013, §4.2).
enum CholeskySolver {
    /// The lower factor L of a symmetric matrix `a` (row-major, size × size). A pivot that is
    /// not positive (a singular or indefinite matrix) is replaced by a tiny ridge relative to
    /// the largest diagonal entry, so the result is always finite.
    static func factor(_ a: [Double], size q: Int) -> [Double] {
        var l = Array(repeating: 0.0, count: q * q)
        var maxDiagonal = 0.0
        for j in 0..<q { maxDiagonal = max(maxDiagonal, abs(a[j * q + j])) }
        let floor = max(maxDiagonal, 1) * 1e-12
        for i in 0..<q {
            for j in 0...i {
                var s = a[i * q + j]
                for k in 0..<j { s -= l[i * q + k] * l[j * q + k] }
                if i == j {
                    l[i * q + i] = (s > floor ? s : floor).squareRoot()
                } else {
                    l[i * q + j] = s / l[j * q + j]
                }
            }
        }
        return l
    }

    /// Solves `L Lᵀ x = b` given the lower factor.
    static func solve(factor l: [Double], _ b: [Double], size q: Int) -> [Double] {
        var z = b
        for i in 0..<q {
            var s = z[i]
            for k in 0..<i { s -= l[i * q + k] * z[k] }
            z[i] = s / l[i * q + i]
        }
        for i in stride(from: q - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<q { s -= l[k * q + i] * z[k] }
            z[i] = s / l[i * q + i]
        }
        return z
    }

    /// Solves `A x = b` for symmetric positive-definite A.
    static func solve(_ a: [Double], _ b: [Double], size q: Int) -> [Double] {
        solve(factor: factor(a, size: q), b, size: q)
    }

    /// The inverse of symmetric positive-definite A, row-major.
    static func inverse(_ a: [Double], size q: Int) -> [Double] {
        let l = factor(a, size: q)
        var inv = Array(repeating: 0.0, count: q * q)
        var e = Array(repeating: 0.0, count: q)
        for j in 0..<q {
            e[j] = 1
            let column = solve(factor: l, e, size: q)
            for i in 0..<q { inv[i * q + j] = column[i] }
            e[j] = 0
        }
        return inv
    }
}
