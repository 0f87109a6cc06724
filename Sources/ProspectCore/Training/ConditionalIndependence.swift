import Foundation

/// The Agterberg & Cheng (2002) conditional independence test of a weights-of-evidence model.
///
/// With conditional independence the sum of the posterior probabilities over the unit cells of
/// the study area, T, estimates the number of deposits n. The test is one-tailed on
/// `(T − n) / s(T)`: the hypothesis of conditional independence is rejected at 95 % when
/// `T − n > 1.645 s(T)` and at 99 % when `T − n > 2.326 s(T)` (Agterberg & Cheng 2002,
/// *Natural Resources Research* 11(4), 249–255; ArcSDM "Agterberg-Cheng CI Test").
///
/// `T = Σ_k A_k P_k` over the unique conditions k (combinations of the layers' generalized
/// classes) with area `A_k` in unit cells and posterior `P_k`; all cells of one unique
/// condition share one posterior, whose error is therefore counted once for the whole area:
/// `s²(T) = Σ_k (A_k · s(P_k))²` (ArcSDM's form, summed over distinct unique conditions).
public struct WofEConditionalIndependence: Codable, Sendable, Equatable {
    /// n: deposits used in training.
    public var observed: Int
    /// T: expected deposits, the sum of posterior probabilities over the unit cells.
    public var expected: Double
    /// s(T).
    public var standardDeviation: Double
    /// n / T, ArcSDM's "conditional independence ratio" (below about 0.85 suggests a problem,
    /// Bonham-Carter 1994, ch. 9).
    public var ratio: Double
    /// (T − n) / s(T).
    public var z: Double
    /// The probability that the model is not conditionally independent, Φ(z) (ArcSDM's figure).
    public var probability: Double
    /// True when conditional independence is not rejected at 95 % (`T − n < 1.645 s(T)`).
    public var independentAt95: Bool
    /// True when conditional independence is not rejected at 99 % (`T − n < 2.326 s(T)`).
    public var independentAt99: Bool
    /// Unique conditions summed.
    public var uniqueConditions: Int

    /// The test from the unique conditions of a model.
    ///
    /// - Parameters:
    ///   - conditions: each unique condition's area in unit cells, posterior P and s(P).
    ///   - deposits: n.
    public static func test(conditions: [(area: Double, posterior: Double, std: Double)], deposits: Int) -> WofEConditionalIndependence {
        var t = 0.0
        var v = 0.0
        for c in conditions {
            t += c.area * c.posterior
            v += (c.area * c.std) * (c.area * c.std)
        }
        let s = v.squareRoot()
        let n = Double(deposits)
        let z = s > 0 ? (t - n) / s : 0
        return WofEConditionalIndependence(
            observed: deposits, expected: t, standardDeviation: s, ratio: t > 0 ? n / t : 0, z: z,
            probability: 0.5 * erfc(-z / 2.0.squareRoot()),
            independentAt95: t - n < 1.645 * s, independentAt99: t - n < 2.326 * s,
            uniqueConditions: conditions.count)
    }
}

/// A chi-square test of independence between two generalized evidence layers on the deposit
/// cells (Bonham-Carter 1994, pp. 312–313): under conditional independence the deposits fall
/// into the classes of one layer independently of the classes of the other.
///
/// The contingency table counts deposits by generalized class of each layer (2 × 2 for two
/// binary layers); rows and columns without a deposit are left out. `χ² = Σ (O − E)² / E` with
/// `E = row total · column total / N(D)`, without Yates' continuity correction, on
/// `(rows − 1)(columns − 1)` degrees of freedom. With expected counts below 5 the chi-square
/// approximation is poor (`smallExpected`).
public struct WofEPairwiseTest: Codable, Sendable, Equatable {
    public var layerA: String
    public var layerB: String
    /// Deposits per (class of A, class of B), rows = A's classes in `classesA` order.
    public var observed: [[Int]]
    public var classesA: [Int]
    public var classesB: [Int]
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    /// P(χ² ≥ observed) under independence.
    public var pValue: Double
    /// True when independence is rejected at 95 % / 99 % (p < 0.05 / p < 0.01).
    public var dependentAt95: Bool
    public var dependentAt99: Bool
    /// True when some expected count is below 5.
    public var smallExpected: Bool

    /// The test from the generalized class of each deposit in each layer.
    ///
    /// - Parameters:
    ///   - a, b: the generalized class of every deposit in layers A and B (same order).
    public static func test(layerA: String, _ a: [Int], layerB: String, _ b: [Int]) -> WofEPairwiseTest {
        precondition(a.count == b.count, "one class per deposit in each layer")
        let ca = Set(a).sorted()
        let cb = Set(b).sorted()
        var table = [[Int]](repeating: [Int](repeating: 0, count: cb.count), count: ca.count)
        let ia = Dictionary(uniqueKeysWithValues: ca.enumerated().map { ($1, $0) })
        let ib = Dictionary(uniqueKeysWithValues: cb.enumerated().map { ($1, $0) })
        for (x, y) in zip(a, b) { table[ia[x]!][ib[y]!] += 1 }
        let n = Double(a.count)
        let rows = table.map { Double($0.reduce(0, +)) }
        let cols = (0..<cb.count).map { j in Double(table.reduce(0) { $0 + $1[j] }) }
        var chi = 0.0
        var small = false
        for i in ca.indices {
            for j in cb.indices {
                let e = rows[i] * cols[j] / n
                if e < 5 { small = true }
                if e > 0 { chi += (Double(table[i][j]) - e) * (Double(table[i][j]) - e) / e }
            }
        }
        let df = max(0, (ca.count - 1) * (cb.count - 1))
        let p = df > 0 ? Statistics.chiSquareSurvival(chi, degreesOfFreedom: df) : 1
        return WofEPairwiseTest(
            layerA: layerA, layerB: layerB, observed: table, classesA: ca, classesB: cb,
            chiSquare: chi, degreesOfFreedom: df, pValue: p,
            dependentAt95: df > 0 && p < 0.05, dependentAt99: df > 0 && p < 0.01,
            smallExpected: small)
    }
}

/// Distribution functions for the tests.
public enum Statistics {
    /// P(X ≥ x) for X ~ χ²(k): the regularized upper incomplete gamma Q(k/2, x/2)
    /// (series for x < a + 1, continued fraction otherwise; Press et al., *Numerical Recipes*,
    /// §6.2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
        guard x > 0, k > 0 else { return 1 }
        let a = Double(k) / 2
        let z = x / 2
        let lnPrefix = -z + a * log(z) - lgamma(a)
        if z < a + 1 {
            var sum = 1 / a
            var term = 1 / a
            var ap = a
            for _ in 0..<1000 {
                ap += 1
                term *= z / ap
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, min(1, 1 - sum * exp(lnPrefix)))
        }
        // Lentz's continued fraction for Q.
        let tiny = 1e-300
        var b = z + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...1000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return max(0, min(1, exp(lnPrefix) * h))
    }
}
