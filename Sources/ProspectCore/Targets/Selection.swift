/// Exact order statistics of large score maps in linear time and small memory.
public enum Selection {
    /// An order-preserving unsigned key for a (non-NaN) float: larger floats get larger keys.
    @inlinable
    public static func key(_ v: Float) -> UInt32 {
        let b = v.bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }

    /// The `k`-th largest (1-based) of the values for which `isValid` holds, or nil when there
    /// are fewer than `k` of them.
    ///
    /// Radix selection: a histogram of the keys' top 16 bits finds the bucket holding the
    /// answer, then only that bucket's values are sorted. Two passes, 256 KiB of counts.
    public static func kthLargest(_ values: UnsafeBufferPointer<Float>, k: Int, isValid: (Float) -> Bool) -> Float? {
        guard k >= 1 else { return nil }
        var counts = [Int](repeating: 0, count: 1 << 16)
        var n = 0
        for v in values where !v.isNaN && isValid(v) {
            counts[Int(key(v) >> 16)] += 1
            n += 1
        }
        guard k <= n else { return nil }
        var remaining = k
        var bucket = counts.count - 1
        while counts[bucket] < remaining {
            remaining -= counts[bucket]
            bucket -= 1
        }
        var members: [Float] = []
        members.reserveCapacity(counts[bucket])
        for v in values where !v.isNaN && isValid(v) && Int(key(v) >> 16) == bucket { members.append(v) }
        members.sort(by: >)
        return members[remaining - 1]
    }
}

/// The `k`-th largest of values seen in passes over a stream, exactly, in two passes: a
/// histogram of the keys' top 16 bits (256 KiB), then the members of the one bucket that holds
/// the answer (`Selection.kthLargest` in pieces).
public struct StreamingSelection: Sendable {
    public private(set) var counts = [Int](repeating: 0, count: 1 << 16)
    /// Values counted.
    public private(set) var count = 0
    /// The bucket (top 16 key bits) holding the answer, once chosen (-1 before).
    public private(set) var bucket = -1
    private var remaining = 0
    private var members: [Float] = []

    public init() {}

    /// The first pass already counted: `counts[k]` values whose key's top 16 bits are `k`.
    public init(counts: [Int]) {
        precondition(counts.count == 1 << 16, "one count per 16-bit key")
        self.counts = counts
        count = counts.reduce(0, +)
    }

    /// First pass: counts a value (not NaN).
    @inline(__always)
    public mutating func count(_ v: Float) {
        counts[Int(Selection.key(v) >> 16)] += 1
        count += 1
    }

    /// Ends the first pass for the `k`-th largest (1-based); false when fewer than `k` values
    /// were counted.
    public mutating func choose(k: Int) -> Bool {
        guard k >= 1, k <= count else { return false }
        remaining = k
        bucket = counts.count - 1
        while counts[bucket] < remaining {
            remaining -= counts[bucket]
            bucket -= 1
        }
        members.reserveCapacity(counts[bucket])
        return true
    }

    /// Second pass: offers the same values again.
    @inline(__always)
    public mutating func offer(_ v: Float) {
        if Int(Selection.key(v) >> 16) == bucket { members.append(v) }
    }

    /// The answer, after the second pass.
    public mutating func result() -> Float? {
        guard bucket >= 0, members.count >= remaining else { return nil }
        members.sort(by: >)
        return members[remaining - 1]
    }
}
