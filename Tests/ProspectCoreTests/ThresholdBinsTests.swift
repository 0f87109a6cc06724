import Testing

@testable import ProspectCore

@Suite struct ThresholdBinsTests {
    /// Reference: count thresholds below x; equal → odd bin.
    private func reference(_ x: Float, _ t: [Float]) -> Int {
        let below = t.filter { $0 < x }.count
        return below < t.count && t[below] == x ? 2 * below + 1 : 2 * below
    }

    @Test(arguments: 0...9)
    func matchesLinearScan(m: Int) {
        let t = (0..<m).map { Float($0 * 2) }
        let probes: [Float] =
            [-.infinity, -1] + (0..<(2 * m + 1)).map { Float($0) - 0.5 } + (0..<(2 * m + 1)).map(Float.init) + [.infinity]
        t.withUnsafeBufferPointer { tb in
            for x in probes { #expect(ThresholdBins.bin(of: x, in: tb) == reference(x, t), "x = \(x), m = \(m)") }
        }
    }
}
