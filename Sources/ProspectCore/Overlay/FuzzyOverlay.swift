import Foundation

/// A fuzzy overlay model ready to score: the expression over the layers' memberships.
///
/// **Memberships.** A continuous layer's value (after its transforms, e.g. `fuzzy-large`) is
/// its membership, clamped to [0, 1]: training refuses layers whose values fall outside
/// [0, 1], so clamping only matters when a model is scored on other rasters (a min–max fitted
/// on one sheet can overshoot on the next). A categorical layer's membership is its class's
/// score in `classTables[k]` (0 for classes not listed).
///
/// **Missing data.** A cell is nodata when any of the model's layers is nodata or NaN there,
/// whether or not the expression reads that layer.
///
/// `reference` is the definition (double precision, one cell at a time); `score` runs a
/// compiled program of vector passes (`FuzzyProgram`) over chunks of cells. They agree to
/// about 1e-6.
public struct FuzzyOverlay: Sendable {
    public let expression: FuzzyExpression
    /// Per layer: the class scores of a categorical layer, nil for a continuous one.
    public let classTables: [ClassTable?]
    /// Per-layer nodata values (NaN: NaN only).
    public let nodata: [Float]
    let program: FuzzyProgram

    public init(expression: FuzzyExpression, classTables: [ClassTable?], nodata: [Float]) {
        precondition(classTables.count == nodata.count, "one class table slot and one nodata value per layer")
        for k in expression.layers { precondition(k >= 0 && k < nodata.count, "the expression reads layer \(k) of \(nodata.count)") }
        self.expression = expression
        self.classTables = classTables
        self.nodata = nodata
        self.program = FuzzyProgram(expression, classTables: classTables)
    }

    public var layerCount: Int { nodata.count }

    /// Layer `k`'s membership for value `x`, or nil when `x` is missing.
    public func membership(_ x: Float, layer k: Int) -> Double? {
        guard x.isFinite, x != nodata[k] else { return nil }
        if let table = classTables[k] { return Double(table.score(x)) }
        return Double(min(max(x, 0), 1))
    }

    /// Every layer's membership for one cell's values, or nil when any is missing.
    public func memberships(_ values: [Float]) -> [Double]? {
        var m: [Double] = []
        m.reserveCapacity(values.count)
        for (k, x) in values.enumerated() {
            guard let v = membership(x, layer: k) else { return nil }
            m.append(v)
        }
        return m
    }

    /// Scalar reference: the definition, one cell at a time, in double precision.
    public func reference(layers: [UnsafeBufferPointer<Float>], output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == layerCount, "one buffer per layer")
        var values = [Float](repeating: 0, count: layerCount)
        for i in 0..<output.count {
            for k in 0..<layerCount { values[k] = layers[k][i] }
            if let m = memberships(values) {
                output[i] = Float(expression.evaluate(m))
            } else {
                output[i] = outputNodata
            }
        }
    }

    /// Fast kernel: the compiled program, chunk by chunk (see `FuzzyProgram`).
    public func score(layers: [UnsafeBufferPointer<Float>], output: UnsafeMutableBufferPointer<Float>, outputNodata: Float) {
        precondition(layers.count == layerCount, "one buffer per layer")
        program.run(self, layers: layers, output: output, outputNodata: outputNodata)
    }
}

extension FuzzyOverlay: CellScorer {
    public var extraBands: [String] { [] }
    public var contributionUnit: String { "membership" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        score(layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        reference(layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    /// Each layer's share of the cell's score: they are non-negative and add up to the score.
    ///
    /// Each operator's value is split among its operands by their Shapley values (Shapley
    /// 1953) against the cell with no membership anywhere — the value every operator gives 0 —
    /// and each operand's share is split among the layers under it in the same way, down to
    /// the layers (a nested, Owen-style attribution). Per operator, for operand values
    /// v₁ … vₘ with result y:
    /// - `and`, `product`, and `gamma` with γ < 1 are 0 as soon as one operand is 0, so every
    ///   operand is equally necessary: each gets y / m.
    /// - `or`: with v sorted ascending, v₍ᵢ₎ gets Σ_{j ≤ i} (v₍ⱼ₎ − v₍ⱼ₋₁₎) / (m − j + 1)
    ///   (v₍₀₎ = 0): the largest operand gets the most, an operand below all others the least.
    /// - `sum` (and `gamma` with γ = 1): vᵢ · Σₛ eₛ(1 − v₋ᵢ) / (m · C(m − 1, s)), where eₛ is the
    ///   elementary symmetric polynomial of the other operands' complements.
    /// A layer read in several places adds its shares. An operand with membership 0 gets 0.
    /// A missing cell gets 0 for every layer.
    public func contributions(values: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: layerCount)
        guard let m = memberships(values) else { return out }
        Self.attribute(expression, share: expression.evaluate(m), memberships: m, into: &out)
        return out
    }

    static func attribute(_ e: FuzzyExpression, share: Double, memberships m: [Double], into out: inout [Double]) {
        if case .layer(let k) = e {
            out[k] += share
            return
        }
        let values = e.operands.map { $0.evaluate(m) }
        let y = e.combine(values)
        guard y > 0, share != 0 else { return }
        let shapley = shapleyValues(e, values)
        for (operand, phi) in zip(e.operands, shapley) where phi != 0 {
            attribute(operand, share: share * phi / y, memberships: m, into: &out)
        }
    }

    /// The Shapley values of an operator over its operand values, against all operands at 0.
    /// They add up to the operator's value.
    static func shapleyValues(_ e: FuzzyExpression, _ v: [Double]) -> [Double] {
        let count = v.count
        let m = Double(count)
        switch e {
        case .or:
            var phi = [Double](repeating: 0, count: count)
            let order = v.indices.sorted { v[$0] < v[$1] }
            var running = 0.0
            var previous = 0.0
            for (j, i) in order.enumerated() {
                running += (v[i] - previous) / (m - Double(j))
                previous = v[i]
                phi[i] = running
            }
            return phi
        case .sum, .gamma(1, _):
            // φᵢ = vᵢ · Σₛ s!(m−1−s)!/m! · eₛ(qⱼ, j ≠ i), qⱼ = 1 − vⱼ.
            return (0..<count).map { i in
                var e = [Double](repeating: 0, count: count)  // e[s] over the others
                e[0] = 1
                var n = 0
                for j in 0..<count where j != i {
                    n += 1
                    let q = 1 - v[j]
                    for s in stride(from: n, through: 1, by: -1) { e[s] += e[s - 1] * q }
                }
                var total = 0.0
                var binomial = 1.0  // C(m − 1, s)
                for s in 0..<count {
                    total += e[s] / (m * binomial)
                    binomial = binomial * Double(count - 1 - s) / Double(s + 1)
                }
                return v[i] * total
            }
        default:
            // and, product, gamma with γ < 1: zero unless every operand is non-zero.
            let y = e.combine(v)
            return [Double](repeating: y / m, count: count)
        }
    }
}
