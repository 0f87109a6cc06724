extension FastMath {
    public static let sqrt2: Float = 1.414_213_562_373_095

    /// ln x for every lane, with IEEE special cases: ln 0 = −∞, ln ∞ = ∞, NaN for x < 0 or NaN.
    ///
    /// x = 2^e · m with m in [√½, √2) read from the bit pattern (subnormals are first scaled by
    /// 2²⁵), then ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, by its Taylor series
    /// 2(s + s³/3 + s⁵/5 + s⁷/7 + s⁹/9) (truncation below 2e-9 relative), and
    /// ln x = e·ln 2 + ln m with ln 2 split as in `exp`. The exponent becomes a float through the
    /// 2²³ "magic number" bit pattern, not a Float↔Int conversion, which is scalar on Linux.
    /// Within 3 ulp of Foundation's `log` over the whole float range, subnormals included
    /// (`TransformKernelTests.fastLog` checks it).
    @inlinable @inline(__always)
    public static func log(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let tiny = v .< Float.leastNormalMagnitude
        var x = v
        x.replace(with: v * 33_554_432, where: tiny)  // 2^25
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)  // [1, 2)
        // The biased exponent in the low mantissa bits of 2^23: the float 2^23 + e + 127.
        var e = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: SIMD8<Float>.self) - (8_388_608 + 127)
        e.replace(with: e - 25, where: tiny)
        let high = m .> sqrt2
        m.replace(with: m * 0.5, where: high)
        e.replace(with: e + 1, where: high)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = SIMD8<Float>(repeating: 1.0 / 9)
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        p = p * s2 + 1
        var r = e * ln2Hi + (2 * s * p + e * ln2Lo)
        r.replace(with: -.infinity, where: v .== 0)
        r.replace(with: .infinity, where: v .== .infinity)
        r.replace(with: .nan, where: .!(v .>= 0))
        return r
    }

    /// x^y = e^(y · ln x) for x > 0 in every lane (`log` then `exp`, so inputs of `exp` are
    /// clamped to [−87, 88]).
    @inlinable @inline(__always)
    public static func pow(_ x: SIMD8<Float>, _ y: Float) -> SIMD8<Float> {
        exp(log(x) * y)
    }
}
