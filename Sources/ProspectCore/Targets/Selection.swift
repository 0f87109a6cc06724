/// Exact order statistics of large score maps in linear time and small memory.
public enum Selection {
    /// An order-preserving unsigned key for a (non-NaN) float: larger floats get larger keys.
    @inlinable
    static func key(_ v: Float) -> UInt32 {
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
