import Foundation
import Testing

@testable import ProspectCore

@Suite struct LogisticRegressionTests {
    /// A single binary predictor: the MLE is analytic.
    /// x = 0: 30 positives, 70 negatives; x = 1: 60 positives, 40 negatives.
    /// b0 = ln(30/70) (log odds in the reference group), b1 = ln[(60·70)/(40·30)] = ln 3.5
    /// (the log odds ratio); se(b0) = sqrt(1/30 + 1/70), se(b1) = sqrt(1/30 + 1/70 + 1/60 + 1/40)
    /// (Woolf 1955); ℓ = 30 ln 0.3 + 70 ln 0.7 + 60 ln 0.6 + 40 ln 0.4.
    private static let table: [(x: Double, y: Bool, n: Int)] = [(0, true, 30), (0, false, 70), (1, true, 60), (1, false, 40)]

    private func check(_ fit: LogisticFit) {
        #expect(fit.converged)
        #expect(abs(fit.coefficients[0] - log(30.0 / 70.0)) < 1e-8)
        #expect(abs(fit.coefficients[1] - log(3.5)) < 1e-8)
        #expect(abs(fit.standardErrors[0] - (1.0 / 30 + 1.0 / 70).squareRoot()) < 1e-8)
        #expect(abs(fit.standardErrors[1] - (1.0 / 30 + 1.0 / 70 + 1.0 / 60 + 1.0 / 40).squareRoot()) < 1e-8)
        let ll = 30 * log(0.3) + 70 * log(0.7) + 60 * log(0.6) + 40 * log(0.4)
        #expect(abs(fit.logLikelihood - ll) < 1e-8)
    }

    @Test func binaryPredictorMatchesTwoByTwoTable() {
        var x: [Double] = []
        var y: [Bool] = []
        for cell in Self.table {
            for _ in 0..<cell.n {
                x.append(cell.x)
                y.append(cell.y)
            }
        }
        check(LogisticRegression.fit(x: x, rows: y.count, columns: 1, y: y, l2: 0))
    }

    @Test func weightsActAsCounts() {
        let fit = LogisticRegression.fit(
            x: Self.table.map(\.x), rows: 4, columns: 1, y: Self.table.map(\.y),
            weights: Self.table.map { Double($0.n) }, l2: 0)
        check(fit)
    }

    @Test func penaltyShrinksSlopeNotIntercept() {
        var x: [Double] = []
        var y: [Bool] = []
        for cell in Self.table {
            for _ in 0..<cell.n {
                x.append(cell.x)
                y.append(cell.y)
            }
        }
        let loose = LogisticRegression.fit(x: x, rows: y.count, columns: 1, y: y, l2: 0)
        let tight = LogisticRegression.fit(x: x, rows: y.count, columns: 1, y: y, l2: 50)
        #expect(tight.converged)
        #expect(abs(tight.coefficients[1]) < abs(loose.coefficients[1]))
        // Penalized score equation for the slope: Σ xᵢ(yᵢ − pᵢ) = l2 · b1; for the intercept Σ (yᵢ − pᵢ) = 0.
        var g0 = 0.0
        var g1 = 0.0
        for i in y.indices {
            let p = 1 / (1 + exp(-(tight.coefficients[0] + tight.coefficients[1] * x[i])))
            g0 += (y[i] ? 1 : 0) - p
            g1 += x[i] * ((y[i] ? 1 : 0) - p)
        }
        #expect(abs(g0) < 1e-6)
        #expect(abs(g1 - 50 * tight.coefficients[1]) < 1e-6)
    }

    @Test func separableDataStaysFinite() {
        // Perfect separation: no MLE without the penalty; the small default ridge keeps it finite.
        let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
        let y = x.map { $0 >= 4 }
        let fit = LogisticRegression.fit(x: x, rows: 8, columns: 1, y: y)
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
        #expect(fit.standardErrors.allSatisfy { $0.isFinite })
        #expect(fit.coefficients[1] > 0)
    }

    @Test func recoversSimulatedCoefficients() {
        var rng = SplitMix64(seed: 20_240_601)
        let truth = [-1.0, 0.8, -0.5, 1.2]
        let n = 20_000
        let p = 3
        var x = [Double]()
        var y = [Bool]()
        x.reserveCapacity(n * p)
        for _ in 0..<n {
            let row = [rng.nextGaussian(), 5 + 2 * rng.nextGaussian(), rng.nextUnit() < 0.3 ? 1.0 : 0.0]
            var eta = truth[0]
            for j in 0..<p { eta += truth[j + 1] * row[j] }
            x += row
            y.append(rng.nextUnit() < 1 / (1 + exp(-eta)))
        }
        let fit = LogisticRegression.fit(x: x, rows: n, columns: p, y: y, l2: 0)
        #expect(fit.converged)
        #expect(fit.iterations < 20)
        for j in 0...p {
            #expect(
                abs(fit.coefficients[j] - truth[j]) < 3 * fit.standardErrors[j],
                "b\(j) = \(fit.coefficients[j]) ± \(fit.standardErrors[j]), truth \(truth[j])")
            #expect(fit.standardErrors[j] > 0 && fit.standardErrors[j] < 0.2)
        }
    }

    @Test func choleskySolvesAndInverts() {
        // A = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]], b = A · [1, −2, 0.5].
        let a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3.0]
        let xTrue = [1.0, -2, 0.5]
        let b = (0..<3).map { i in (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * xTrue[$1] } }
        let x = CholeskySolver.solve(a, b, size: 3)
        for i in 0..<3 { #expect(abs(x[i] - xTrue[i]) < 1e-12) }
        let inv = CholeskySolver.inverse(a, size: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let e = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * inv[$1 * 3 + j] }
                #expect(abs(e - (i == j ? 1 : 0)) < 1e-12)
            }
        }
    }

    // MARK: Design

    /// Layer 0 continuous (per-unit slope 0.3 around mean ~ 50), layer 1 categorical with codes
    /// 1 (most frequent: reference), 4 (+1.0) and 7 (−0.8), intercept −2 at the reference class.
    private static func simulate(n: Int, seed: UInt64) -> (samples: [[Float]], labels: [Bool]) {
        var rng = SplitMix64(seed: seed)
        var samples: [[Float]] = []
        var labels: [Bool] = []
        for _ in 0..<n {
            let v = Float(50 + 4 * rng.nextGaussian())
            let u = rng.nextUnit()
            let code: Float = u < 0.5 ? 1 : (u < 0.8 ? 4 : 7)
            let eta = -2 + 0.3 * (Double(v) - 50) + (code == 4 ? 1.0 : code == 7 ? -0.8 : 0)
            samples.append([v, code])
            labels.append(rng.nextUnit() < 1 / (1 + exp(-eta)))
        }
        return (samples, labels)
    }

    @Test func designMapsBackToAdditiveModel() throws {
        let (samples, labels) = Self.simulate(n: 20_000, seed: 99)
        let design = LogisticDesign(layerNames: ["mag", "geology"], kinds: [.continuous, .categorical], samples: samples)
        #expect(design.columnCount == 3)
        #expect(design.referenceCodes[1] == 1)
        let (fit, model, rows) = design.fit(labels: labels, l2: 0)
        #expect(fit.converged)
        #expect(rows.map(\.term) == ["slope", "class 4", "class 7"])
        #expect(rows.map(\.layer) == ["mag", "geology", "geology"])

        // Recovered within 3 standard errors, in original units.
        let slope = rows[0]
        #expect(abs(slope.coefficient - 0.3) < 3 * slope.standardError!)
        #expect(abs(slope.standardized - slope.coefficient * design.deviations[0]) < 1e-9)
        #expect(abs(slope.z! - slope.standardized / fit.standardErrors[1]) < 1e-9)
        #expect(abs(rows[1].coefficient - 1.0) < 3 * rows[1].standardError!)
        #expect(abs(rows[2].coefficient + 0.8) < 3 * rows[2].standardError!)
        // Intercept in the model is at the mean of the continuous layer: −2 + 0.3·(mean − 50).
        let expectedIntercept = -2 + 0.3 * (design.means[0] - 50)
        #expect(abs(Double(model.intercept) - expectedIntercept) < 3 * fit.standardErrors[0])

        // The model's terms.
        guard case .linear(let coefficient, let center) = model.terms[0] else {
            Issue.record("continuous term")
            return
        }
        #expect(abs(Double(coefficient) - slope.coefficient) < 1e-6)
        #expect(abs(Double(center) - design.means[0]) < 1e-3)
        guard case .lookup(let codes, let values, let otherwise) = model.terms[1] else {
            Issue.record("categorical term")
            return
        }
        #expect(codes == [1, 4, 7])
        #expect(values[0] == 0 && otherwise == 0)

        // The model's logit equals the fitted linear predictor on every sample.
        var worst = 0.0
        let matrix = design.matrix
        for i in samples.indices {
            var eta = fit.coefficients[0]
            for j in 0..<design.columnCount { eta += fit.coefficients[j + 1] * matrix[i * design.columnCount + j] }
            var logit = model.intercept
            for k in 0..<model.layerCount { logit += model.terms[k].contribution(samples[i][k]) }
            worst = max(worst, abs(Double(logit) - eta))
        }
        #expect(worst < 1e-4, "worst |logit − η| = \(worst)")
    }

    @Test func constantLayersAddNothing() {
        let samples: [[Float]] = (0..<40).map { i in [Float(i % 5), 3, 2] }
        let labels = (0..<40).map { ($0 % 5 >= 3) != ($0 % 7 == 0) }
        let design = LogisticDesign(
            layerNames: ["a", "const", "oneClass"], kinds: [.continuous, .continuous, .categorical], samples: samples)
        #expect(design.columnCount == 1)
        let (fit, model, rows) = design.fit(labels: labels, l2: 1e-4)
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
        #expect(rows.count == 1)
        #expect(model.terms[1] == .linear(coefficient: 0, center: 3))
        #expect(model.terms[2] == .lookup(codes: [2], values: [0], otherwise: 0))
    }
    /// 24 samples, a continuous layer and a class layer (11 of class 1, the reference; 7 of 2; 6
    /// of 3). The expected figures come from a separate numpy script: Newton's method on the
    /// design [1, (x − mean)/sd, [g = 2], [g = 3]] with the penalty l2 on the last three, then
    /// sqrt(diag(H⁻¹)) with H = Xᵀ diag(p(1 − p)) X + l2 diag(0, 1, 1, 1) at the optimum; the
    /// slope and its standard error divided by sd (population) for original units.
    static let numpyX: [Float] = [
        0.3, 1.2, 2.5, 0.8, 3.1, 1.9, 2.2, 0.1, 2.8, 1.5, 0.6, 3.4, 2.0, 1.1, 2.7, 0.4, 1.7, 3.0, 0.9, 2.4, 1.3, 0.2, 2.9, 1.6,
    ]
    static let numpyG: [Float] = [1, 1, 2, 1, 3, 2, 1, 1, 3, 2, 1, 3, 2, 1, 3, 1, 2, 3, 1, 2, 1, 1, 2, 3]
    static let numpyY = [0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0].map { $0 == 1 }
    /// l2 → (intercept, slope, class 2, class 3): coefficients, standard errors, z.
    static let numpy: [(l2: Double, coefficients: [Double], errors: [Double], z: [Double])] = [
        (
            0, [1.0252795167199753, 4.129601674475516, -2.2381747798333147, -4.782104880464214],
            [1.5505899463987423, 1.991686846494594, 2.2425888555044753, 3.7561194290440776],
            [0.6612189890055686, 2.0734191631298327, -0.9980317053389763, -1.273150380546139]
        ),
        (
            0.5, [-0.44336255771284716, 1.8243828272300227, -0.0054931016116129515, -0.4976910858828104],
            [0.729306527497706, 0.6769799047818263, 0.9235683648268103, 1.0677829681347164],
            [-0.6079234738705143, 2.6948847585335276, -0.005947693555574558, -0.46609760666272343]
        ),
    ]

    @Test("standard errors and z are those of the inverse observed information, as numpy computes them", arguments: [0, 1])
    func standardErrorsAgainstNumpy(_ c: Int) {
        let expected = Self.numpy[c]
        let samples = zip(Self.numpyX, Self.numpyG).map { [$0, $1] }
        let design = LogisticDesign(layerNames: ["x", "g"], kinds: [.continuous, .categorical], samples: samples)
        let (fit, model, rows) = design.fit(labels: Self.numpyY, l2: expected.l2)
        #expect(fit.converged && rows.map(\.term) == ["slope", "class 2", "class 3"])
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 * max(1, abs(b)) }
        // The intercept is the model's (at the layer's mean), its error the fit's first.
        #expect(close(Double(fit.coefficients[0]), expected.coefficients[0]) && close(Double(model.intercept), expected.coefficients[0]))
        #expect(close(fit.standardErrors[0], expected.errors[0]))
        for (j, row) in rows.enumerated() {
            #expect(close(row.coefficient, expected.coefficients[j + 1]), "\(row.term): \(row.coefficient)")
            #expect(close(row.standardError!, expected.errors[j + 1]), "\(row.term): \(row.standardError!)")
            #expect(close(row.z!, expected.z[j + 1]), "\(row.term): \(row.z!)")
        }
    }
}
