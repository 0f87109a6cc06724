import Foundation
import Testing

@testable import ProspectCore

/// The normal equations of a Newton step in chunks (`LogisticKernel.sums`, `total`) against the
/// row-by-row definition, and the same bits for any thread count.
@Suite struct LogisticKernelTests {
    /// A design of `dense` standardized-looking columns and categorical layers of `classes`
    /// dummies each (a seeded fifth of the rows at the reference class), labels from a logistic
    /// model, optional weights; predictors interleaved so positions are not in storage order.
    static func design(rows n: Int, dense: Int, classes: [Int], weighted: Bool, seed: UInt64) -> (LogisticMatrix, [Bool], [Double]?) {
        var rng = SplitMix64(seed: seed)
        let p = dense + classes.reduce(0, +)
        // A shuffled assignment of predictor positions.
        var positions = Array(0..<p)
        for i in stride(from: p - 1, to: 0, by: -1) { positions.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var next = 0
        func take() -> Int {
            next += 1
            return positions[next - 1]
        }
        let densePositions = (0..<dense).map { _ in take() }
        let columns = (0..<dense).map { _ in (0..<n).map { _ in rng.nextGaussian() } }
        let groups = classes.map { count in
            LogisticMatrix.Group(
                positions: (0..<count).map { _ in take() },
                rowClass: (0..<n).map { _ in rng.nextUnit() < 0.2 ? -1 : Int32(rng.next() % UInt64(count)) })
        }
        let m = LogisticMatrix(rows: n, columns: p, densePositions: densePositions, dense: columns, groups: groups)
        let truth = (0...p).map { _ in 0.5 * rng.nextGaussian() }
        let y = (0..<n).map { i -> Bool in
            let z = [1] + m.row(i)
            let eta = zip(truth, z).reduce(0) { $0 + $1.0 * $1.1 }
            return rng.nextUnit() < 1 / (1 + exp(-eta))
        }
        let w = weighted ? (0..<n).map { _ in 0.5 + rng.nextUnit() } : nil
        return (m, y, w)
    }

    static func close(_ a: LogisticSums, _ b: LogisticSums) -> Bool {
        func near(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= 1e-10 * max(1, abs(y)) }
        return near(a.logLikelihood, b.logLikelihood) && a.gradient.count == b.gradient.count
            && zip(a.gradient, b.gradient).allSatisfy(near) && a.hessian.count == b.hessian.count
            && zip(a.hessian, b.hessian).allSatisfy(near)
    }

    static let shapes: [(dense: Int, classes: [Int])] = [(0, [3]), (1, []), (3, [2, 5]), (6, [4, 1, 7]), (9, [])]

    @Test(
        "chunked sums equal the row-by-row definition over block and chunk tails",
        arguments: [0, 1, 7, 8, 9, 255, 256, 257, 1023, 4097])
    func sumsMatchReference(rows: Int) {
        for (s, shape) in Self.shapes.enumerated() {
            for weighted in [false, true] {
                let (m, y, w) = Self.design(
                    rows: rows, dense: shape.dense, classes: shape.classes, weighted: weighted, seed: UInt64(10 * s + rows))
                var rng = SplitMix64(seed: 3)
                let b = (0...m.columns).map { _ in rng.nextGaussian() }
                for derivatives in [false, true] {
                    let reference = LogisticKernel.reference(m, y: y, weights: w, coefficients: b, derivatives: derivatives)
                    let fast = LogisticKernel.total(m, y: y, weights: w, coefficients: b, derivatives: derivatives, threads: 2)
                    #expect(Self.close(fast, reference), "shape \(s), weighted \(weighted), derivatives \(derivatives)")
                    // A range inside the rows, as a chunk sees it.
                    if rows > 2 {
                        let range = 1..<(rows - 1)
                        #expect(
                            Self.close(
                                LogisticKernel.sums(m, y: y, weights: w, coefficients: b, rows: range, derivatives: derivatives),
                                LogisticKernel.reference(m, y: y, weights: w, coefficients: b, rows: range, derivatives: derivatives)))
                    }
                }
            }
        }
    }

    @Test("the sums and the fit are the same bits for 1, 2 and 3 threads")
    func sameBitsForAnyThreads() {
        let (m, y, w) = Self.design(rows: 20_000, dense: 4, classes: [3, 6], weighted: true, seed: 41)
        let b = (0...m.columns).map { Double($0) * 0.01 - 0.05 }
        let one = LogisticKernel.total(m, y: y, weights: w, coefficients: b, derivatives: true, threads: 1)
        for t in [2, 3] { #expect(LogisticKernel.total(m, y: y, weights: w, coefficients: b, derivatives: true, threads: t) == one) }
        let fit = LogisticRegression.fit(m, y: y, weights: w, l2: 1e-3, threads: 1)
        for t in [2, 3] {
            let other = LogisticRegression.fit(m, y: y, weights: w, l2: 1e-3, threads: t)
            #expect(other.coefficients == fit.coefficients && other.standardErrors == fit.standardErrors)
            #expect(other.logLikelihood == fit.logLikelihood && other.iterations == fit.iterations)
        }
    }

    @Test("the fit on columns equals the reference fit", arguments: [0, 2, 4])
    func fitMatchesReference(shape: Int) {
        let (dense, classes) = Self.shapes[shape]
        let (m, y, w) = Self.design(rows: 6000, dense: dense, classes: classes, weighted: shape == 2, seed: 77)
        let fast = LogisticRegression.fit(m, y: y, weights: w, l2: 1e-3, threads: 2)
        let reference = LogisticRegression.reference(m, y: y, weights: w, l2: 1e-3)
        #expect(fast.converged && reference.converged && fast.iterations == reference.iterations)
        for j in fast.coefficients.indices {
            #expect(abs(fast.coefficients[j] - reference.coefficients[j]) < 1e-9)
            #expect(abs(fast.standardErrors[j] - reference.standardErrors[j]) < 1e-9 * max(1, reference.standardErrors[j]))
        }
        #expect(abs(fast.logLikelihood - reference.logLikelihood) < 1e-8 * abs(reference.logLikelihood))
    }

    @Test("a design's dummies are one class per row, the reference class none")
    func designColumns() {
        let samples: [[Float]] = [[1, 4], [2, 7], [3, 4], [4, 1], [5, 4]]
        let design = LogisticDesign(layerNames: ["x", "g"], kinds: [.continuous, .categorical], samples: samples)
        // Class 4 is the most frequent: the reference; dummies for 1 and 7.
        #expect(design.columns.map(\.code) == [nil, 1, 7])
        #expect(design.design.groupPositions == [[1, 2]])
        #expect(design.design.classes == [-1, 1, -1, 0, -1])
        let sd = (2.0).squareRoot()
        #expect(design.matrix == [-2 / sd, 0, 0, -1 / sd, 0, 1, 0, 0, 0, 1 / sd, 1, 0, 2 / sd, 0, 0])
    }
}
