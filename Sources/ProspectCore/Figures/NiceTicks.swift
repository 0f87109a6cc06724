import Foundation

/// Axis ticks at round values: steps of 1, 2 or 5 times a power of ten (Heckbert, 1990, "Nice
/// numbers for graph labels", Graphics Gems).
public enum NiceTicks {
    /// About `count` ticks covering [low, high]: every multiple of the step within the range
    /// (ends included when they are multiples). A range of one value gets that value alone.
    public static func ticks(low: Double, high: Double, count: Int = 5) -> [Double] {
        precondition(low.isFinite && high.isFinite && low <= high && count >= 1, "ticks need a finite range")
        guard high > low else { return [low] }
        let step = self.step(low: low, high: high, count: count)
        let first = (low / step).rounded(.up)
        let last = (high / step).rounded(.down)
        guard last >= first else { return [low, high] }
        return stride(from: first, through: last, by: 1).map { k in
            let v = k * step
            return abs(v) < step * 1e-9 ? 0 : v
        }
    }

    /// The round step for about `count` intervals over [low, high].
    public static func step(low: Double, high: Double, count: Int = 5) -> Double {
        let raw = (high - low) / Double(max(1, count))
        let magnitude = Foundation.pow(10, (log10(raw)).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * magnitude
    }

    /// `value` with as many decimals as `step` needs (0.25 → "0.25" for a step of 0.05; 2000 →
    /// "2000"); very small or large steps in scientific notation.
    public static func label(_ value: Double, step: Double) -> String {
        if step >= 1e6 || step < 1e-4 { return String(format: "%.2g", value) }
        let decimals = max(0, Int((-log10(step)).rounded(.up) + 0.0001))
        return String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    }

    /// Ticks for a log10 axis over [low, high] (low > 0): the powers of ten inside, with 2 and 5
    /// times them when there are fewer than three.
    public static func logTicks(low: Double, high: Double) -> [Double] {
        precondition(low > 0 && high >= low, "log ticks need a positive range")
        let a = Int(log10(low).rounded(.down))
        let b = Int(log10(high).rounded(.up))
        let (lo, hi) = (low * (1 - 1e-9), high * (1 + 1e-9))
        var ticks: [Double] = []
        for e in a...b {
            let p: Double = Foundation.pow(10, Double(e))
            if p >= lo, p <= hi { ticks.append(p) }
        }
        guard ticks.count < 3 else { return ticks }
        ticks = []
        for e in a...b {
            let p: Double = Foundation.pow(10, Double(e))
            for m in [1.0, 2, 5] where m * p >= lo && m * p <= hi { ticks.append(m * p) }
        }
        return ticks
    }
}
