import Testing

@testable import ProspectCore

@Suite("Exact k-th largest by radix selection")
struct SelectionTests {
    @Test("matches sorting, with negatives, ties, zeros and nodata", arguments: [1, 2, 7, 100, 4999])
    func matchesSort(k: Int) {
        var rng = SplitMix64(seed: UInt64(k))
        var values = (0..<5000).map { _ in Float(rng.nextGaussian() * 3) }
        for i in stride(from: 0, to: 5000, by: 37) { values[i] = -9999 }
        for i in stride(from: 5, to: 5000, by: 41) { values[i] = 0.5 }
        values[11] = .nan
        values[12] = -0.0
        values[13] = 0
        let valid = values.filter { !$0.isNaN && $0 != -9999 }.sorted(by: >)
        let got = values.withUnsafeBufferPointer { Selection.kthLargest($0, k: k, isValid: { $0 != -9999 }) }
        if k <= valid.count { #expect(got == valid[k - 1]) } else { #expect(got == nil) }
    }

    @Test func tooFewValues() {
        let values: [Float] = [1, 2, -9999]
        #expect(values.withUnsafeBufferPointer { Selection.kthLargest($0, k: 3, isValid: { $0 != -9999 }) } == nil)
        #expect(values.withUnsafeBufferPointer { Selection.kthLargest($0, k: 0, isValid: { _ in true }) } == nil)
        #expect(values.withUnsafeBufferPointer { Selection.kthLargest($0, k: 1, isValid: { $0 != -9999 }) } == 2)
    }
}
