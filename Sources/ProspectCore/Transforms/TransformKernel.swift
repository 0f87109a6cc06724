import Foundation

/// Applies a chain of resolved `LayerTransform`s to a layer's cells, in place.
///
/// The output follows the missing-value rule of `LayerTransform`: cells equal to `nodata`, NaN
/// or infinite become NaN first, and every step turns undefined or non-finite results into NaN.
public enum TransformKernel {
    /// Cells per chunk: every step of the chain runs over one chunk while it is in cache.
    public static let chunk = 8192

    /// Scalar reference: each cell through `LayerTransform.transform` in double precision,
    /// rounded to `Float` once at the end.
    ///
    /// - Parameters:
    ///   - chain: resolved transforms, applied in order.
    ///   - buffer: the layer's cells, transformed in place.
    ///   - nodata: the layer's raw nodata value (NaN when it has none).
    public static func reference(_ chain: [LayerTransform], _ buffer: UnsafeMutableBufferPointer<Float>, nodata: Float) {
        checkResolved(chain)
        for i in buffer.indices {
            let x = buffer[i]
            var v = x == nodata ? .nan : Double(x)
            for step in chain { v = step.transform(v) }
            let out = Float(v)
            buffer[i] = out.isFinite ? out : .nan
        }
    }

    /// Fast kernel: `SIMD8<Float>` arithmetic over chunks of `chunk` cells.
    ///
    /// Every kind runs in vector registers; `log`, `fuzzySmall`, `fuzzyLarge` and `fuzzyPower`
    /// use `FastMath.log` and `FastMath.exp`. Centers (min, mean, midpoint, log offset) are
    /// kept as a pair of floats hi + lo, so data far from zero (10⁶ and more) lose no precision
    /// to the rounding of the center. Breaks are compared against the smallest float not below
    /// them, so classes agree exactly with the double-precision definition. Agrees with
    /// `reference` to about 1e-6 (relative for unbounded outputs); the tests check every kind.
    /// A ragged tail goes through the same vector code, so every cell sees the same arithmetic.
    public static func apply(_ chain: [LayerTransform], _ buffer: UnsafeMutableBufferPointer<Float>, nodata: Float) {
        checkResolved(chain)
        let ops = chain.map(Op.init)
        guard let base = buffer.baseAddress else { return }
        let n = buffer.count
        var start = 0
        while start < n {
            let count = min(chunk, n - start)
            let p = base + start
            markMissing(p, count: count, nodata: nodata)
            for op in ops { run(op, p, count: count) }
            start += count
        }
    }

    /// Resolves a chain on training data and applies it, in place.
    ///
    /// Each step that needs statistics takes them from the cells as the previous steps left
    /// them (so `log` then `minmax` scales the logarithms), then runs over the buffer with
    /// `apply`.
    /// - Returns: the resolved chain, or `nil` when a step needs statistics and no cell is
    ///   valid at that point.
    public static func fit(
        _ chain: [LayerTransform], _ buffer: UnsafeMutableBufferPointer<Float>,
        nodata: Float
    ) -> [LayerTransform]? {
        for t in chain { precondition(t.validationProblem == nil, "invalid transform \(t): \(t.validationProblem!)") }
        apply([], buffer, nodata: nodata)
        var resolved: [LayerTransform] = []
        for t in chain {
            var step = t
            if t.needsStatistics {
                var acc = StatisticsAccumulator()
                acc.add(UnsafeBufferPointer(buffer))
                guard let stats = acc.statistics else { return nil }
                step = t.resolved(with: stats)
            }
            apply([step], buffer, nodata: .nan)
            resolved.append(step)
        }
        return resolved
    }

    static func checkResolved(_ chain: [LayerTransform]) {
        for t in chain {
            precondition(!t.needsStatistics, "transform \(t) has parameters still to be taken from the data")
            if let problem = t.validationProblem { preconditionFailure("invalid transform \(t): \(problem)") }
        }
    }

    // MARK: - Compiled steps

    typealias V = SIMD8<Float>

    /// A double split into two floats, hi + lo, so that `(x − hi) − lo` keeps the precision of
    /// `x − c` computed in double.
    struct Split {
        let hi: Float, lo: Float
        init(_ c: Double) {
            hi = Float(c)
            lo = Float(c - Double(hi))
        }
        @inline(__always) func subtracted(from v: V) -> V { (v - hi) - lo }
    }

    /// One resolved transform with its constants in single precision, ready for the vector loop.
    enum Op {
        case affine(Affine)
        case constant(Constant)
        case log(Log)
        case clip(Clip)
        /// Thresholds are the breaks rounded up to floats; values has one more entry.
        case reclassify(thresholds: [Float], values: [Float])
        case ramp(Ramp)
        case power(Power)
        case step(Step)
        case small(Small)
        case large(Large)
        case gaussian(Gaussian)
        case near(Near)

        init(_ t: LayerTransform) {
            switch t {
            case .minMax(let a?, let b?):
                self = b == a ? .constant(Constant(k: 0)) : .affine(Affine(c: Split(a), scale: Float(1 / (b - a))))
            case .zScore(let mean?, let std?):
                self = std == 0 ? .constant(Constant(k: 0)) : .affine(Affine(c: Split(mean), scale: Float(1 / std)))
            case .log(let offset):
                self = .log(Log(offset: Split(offset)))
            case .clip(let lower, let upper):
                self = .clip(Clip(lower: lower.map { Float($0) } ?? -.infinity, upper: upper.map { Float($0) } ?? .infinity))
            case .reclassify(let breaks, let values):
                self = .reclassify(
                    thresholds: breaks.map(Op.floatAtOrAbove),
                    values: (values ?? (0...breaks.count).map { Double($0 + 1) }).map { Float($0) })
            case .fuzzyLinear(let a?, let b?):
                self = b == a ? .step(Step(threshold: Op.floatAtOrAbove(b))) : .ramp(Ramp(c: Split(a), scale: Float(1 / (b - a))))
            case .fuzzyPower(let a?, let b?, let e):
                self =
                    b == a
                    ? .step(Step(threshold: Op.floatAtOrAbove(b)))
                    : .power(Power(ramp: Ramp(c: Split(a), scale: Float(1 / (b - a))), exponent: Float(e)))
            case .fuzzySmall(let m?, let s):
                self = .small(Small(inverseMidpoint: Float(1 / m), spread: Float(s)))
            case .fuzzyLarge(let m?, let s):
                self = .large(Large(inverseMidpoint: Float(1 / m), spread: Float(s)))
            case .fuzzyGaussian(let m?, let s):
                self = .gaussian(Gaussian(c: Split(m), spread: Float(s)))
            case .fuzzyNear(let m?, let s):
                self = .near(Near(c: Split(m), spread: Float(s)))
            default:
                preconditionFailure("unresolved transform \(t)")
            }
        }

        /// The smallest float ≥ b: for every float x, x ≥ b exactly when x ≥ this.
        static func floatAtOrAbove(_ b: Double) -> Float {
            let f = Float(b)
            return Double(f) < b ? f.nextUp : f
        }
    }

    // MARK: - Vector loops

    /// A function of eight cells at a time. The loop is generic over it, so each step's
    /// arithmetic is specialized and inlined into its own loop (closures passed to the same loop
    /// were not inlined here: one call per vector).
    protocol Lanewise {
        func callAsFunction(_ v: V) -> V
    }

    /// `p[0..<count] = f(p[0..<count])`, eight lanes at a time; the tail is padded into a
    /// vector so it sees the same arithmetic.
    @inline(__always)
    static func map<F: Lanewise>(_ p: UnsafeMutablePointer<Float>, count: Int, _ f: F) {
        let full = count & ~7
        var i = 0
        while i < full {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(p + i).storeBytes(of: f(v), as: V.self)
            i += 8
        }
        guard full < count else { return }
        var v = V(repeating: .nan)
        for j in 0..<(count - full) { v[j] = p[full + j] }
        let r = f(v)
        for j in 0..<(count - full) { p[full + j] = r[j] }
    }

    static func run(_ op: Op, _ p: UnsafeMutablePointer<Float>, count: Int) {
        switch op {
        case .affine(let f): map(p, count: count, f)
        case .constant(let f): map(p, count: count, f)
        case .log(let f): map(p, count: count, f)
        case .clip(let f): map(p, count: count, f)
        case .reclassify(let thresholds, let values):
            thresholds.withUnsafeBufferPointer { t in
                values.withUnsafeBufferPointer { v in map(p, count: count, Reclassify(thresholds: t, values: v)) }
            }
        case .ramp(let f): map(p, count: count, f)
        case .power(let f): map(p, count: count, f)
        case .step(let f): map(p, count: count, f)
        case .small(let f): map(p, count: count, f)
        case .large(let f): map(p, count: count, f)
        case .gaussian(let f): map(p, count: count, f)
        case .near(let f): map(p, count: count, f)
        }
    }

    /// NaN where the raw value is `nodata`, NaN or infinite.
    static func markMissing(_ p: UnsafeMutablePointer<Float>, count: Int, nodata: Float) {
        map(p, count: count, MarkMissing(nodata: nodata))
    }

    /// NaN where `r` is infinite (NaN stays NaN): x − x is 0 only for finite x.
    @inline(__always)
    static func finite(_ r: V) -> V {
        r.replacing(with: V(repeating: .nan), where: (r - r) .!= 0)
    }

    /// clamp(t, 0, 1) by comparisons and blends; NaN stays NaN.
    @inline(__always)
    static func clamp01(_ t: V) -> V {
        var r = t
        r.replace(with: 0, where: t .< 0)
        r.replace(with: 1, where: t .> 1)
        return r
    }

    struct MarkMissing: Lanewise {
        let nodata: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            v.replacing(with: .nan, where: (v .== nodata) .| ((v - v) .!= 0))
        }
    }

    /// (x − c) · scale.
    struct Affine: Lanewise {
        let c: Split, scale: Float
        @inline(__always) func callAsFunction(_ v: V) -> V { finite(c.subtracted(from: v) * scale) }
    }

    /// The constant where the input is valid.
    struct Constant: Lanewise {
        let k: Float
        @inline(__always) func callAsFunction(_ v: V) -> V { V(repeating: k).replacing(with: .nan, where: v .!= v) }
    }

    /// ln(x + offset); ln 0 = −∞ and the NaN of a negative argument both end as NaN.
    struct Log: Lanewise {
        let offset: Split
        @inline(__always) func callAsFunction(_ v: V) -> V { finite(FastMath.log((v + offset.hi) + offset.lo)) }
    }

    struct Clip: Lanewise {
        let lower: Float, upper: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            var r = v
            r.replace(with: lower, where: v .< lower)
            r.replace(with: upper, where: v .> upper)
            return r
        }
    }

    /// Breaks ascend, so the last threshold ≤ x decides the value.
    struct Reclassify: Lanewise {
        let thresholds: UnsafeBufferPointer<Float>, values: UnsafeBufferPointer<Float>
        @inline(__always) func callAsFunction(_ v: V) -> V {
            var r = V(repeating: values[0])
            for k in 0..<thresholds.count {
                r.replace(with: values[k + 1], where: v .>= thresholds[k])
            }
            return r.replacing(with: .nan, where: v .!= v)
        }
    }

    /// clamp((x − c) · scale, 0, 1).
    struct Ramp: Lanewise {
        let c: Split, scale: Float
        @inline(__always) func callAsFunction(_ v: V) -> V { clamp01(c.subtracted(from: v) * scale) }
    }

    /// ramp^exponent, exactly 0 where the ramp is 0.
    struct Power: Lanewise {
        let ramp: Ramp, exponent: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            let t = ramp(v)
            return FastMath.pow(t, exponent).replacing(with: 0, where: t .== 0)
        }
    }

    /// 1 where x ≥ threshold, else 0.
    struct Step: Lanewise {
        let threshold: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            V(repeating: 0).replacing(with: 1, where: v .>= threshold).replacing(with: .nan, where: v .!= v)
        }
    }

    /// 1 / (1 + (x/m)^spread), 1 where x/m ≤ 0 (the limit at 0⁺).
    struct Small: Lanewise {
        let inverseMidpoint: Float, spread: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            let t = v * inverseMidpoint
            return (1 / (1 + FastMath.pow(t, spread))).replacing(with: 1, where: t .<= 0)
        }
    }

    /// 1 / (1 + (x/m)^−spread), 0 where x/m ≤ 0 (the limit at 0⁺).
    struct Large: Lanewise {
        let inverseMidpoint: Float, spread: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            let t = v * inverseMidpoint
            return (1 / (1 + FastMath.pow(t, -spread))).replacing(with: 0, where: t .<= 0)
        }
    }

    /// exp(−spread · (x − m)²).
    struct Gaussian: Lanewise {
        let c: Split, spread: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            let d = c.subtracted(from: v)
            return FastMath.exp(d * d * -spread)
        }
    }

    /// 1 / (1 + spread · (x − m)²).
    struct Near: Lanewise {
        let c: Split, spread: Float
        @inline(__always) func callAsFunction(_ v: V) -> V {
            let d = c.subtracted(from: v)
            return 1 / (1 + d * d * spread)
        }
    }
}
