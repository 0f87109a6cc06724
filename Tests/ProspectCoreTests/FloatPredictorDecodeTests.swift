import ProspectAVX2
import Testing

@testable import ProspectCore

@Suite("Undoing the TIFF floating-point predictor against its definition")
struct FloatPredictorDecodeTests {
    enum Kernel: String, CaseIterable {
        case dispatched, portable, avx2, reference
    }

    /// Decodes `rows` rows of `columns` samples, the first `width` of each row, `stride` apart
    /// (a guard value elsewhere), with one kernel; nil for AVX2 on a processor without it.
    static func decode(_ bytes: [UInt8], columns: Int, rows: Int, width: Int, stride: Int, kernel: Kernel) -> [UInt32]? {
        var out = [UInt32](repeating: 0xDEAD_BEEF, count: max(0, rows - 1) * stride + width + 3)
        let run: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
        switch kernel {
        case .dispatched: run = { FloatPredictor.decode($0, columns: columns, rows: rows, width: width, into: $1, stride: stride) }
        case .portable: run = { FloatPredictor.decodePortable($0, columns: columns, rows: rows, width: width, into: $1, stride: stride) }
        case .reference: run = { FloatPredictor.decodeReference($0, columns: columns, rows: rows, width: width, into: $1, stride: stride) }
        case .avx2:
            guard CPUFeatures.avx2 && AVX2Kernels.built else { return nil }
            run = { encoded, destination in
                AVX2Kernels.undoFloatPredictor(
                    encoded.assumingMemoryBound(to: UInt8.self), columns: columns, rows: rows, width: width,
                    into: UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt32.self), stride: stride)
            }
        }
        bytes.withUnsafeBytes { b in
            out.withUnsafeMutableBytes { o in
                run(b.baseAddress ?? UnsafeRawPointer(o.baseAddress!), o.baseAddress!.assumingMemoryBound(to: Float.self))
            }
        }
        return out
    }

    static let widths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 255, 256, 1023]

    @Test("every kernel gives back the samples the encoder took, whole rows", arguments: widths, Kernel.allCases)
    func roundTrip(columns: Int, kernel: Kernel) {
        let rows = 3
        let values = FloatPredictorTests.samples(columns * rows, seed: UInt64(columns) + 11)
        let bytes = FloatPredictorTests.encode(values, columns: columns, fast: false)
        guard let out = Self.decode(bytes, columns: columns, rows: rows, width: columns, stride: columns, kernel: kernel) else { return }
        #expect(Array(out.prefix(values.count)) == values.map(\.bitPattern))
        #expect(out.suffix(3).allSatisfy { $0 == 0xDEAD_BEEF }, "nothing written past the last row")
    }

    @Test(
        "on any bytes, every kernel equals the definition: part of each row, rows apart in the destination",
        arguments: widths, Kernel.allCases)
    func anyBytes(columns: Int, kernel: Kernel) {
        var rng = SplitMix64(seed: UInt64(columns) * 7 + 1)
        let rows = 4
        let bytes = (0..<(4 * columns * rows)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for width in Set([0, 1, columns / 2, columns - 1, columns]).filter({ $0 >= 0 && $0 <= columns }) {
            let stride = columns + 5
            let expected = Self.decode(bytes, columns: columns, rows: rows, width: width, stride: stride, kernel: .reference)
            guard let out = Self.decode(bytes, columns: columns, rows: rows, width: width, stride: stride, kernel: kernel) else { return }
            #expect(out == expected, "\(kernel) width \(width)")
        }
    }

    @Test("the definition by hand: one row of two samples")
    func byHand() {
        // The encoding of [1.0, -2.5] (FloatPredictorTests.byHand).
        let bytes: [UInt8] = [0x3F, 0x81, 0xC0, 0xA0, 0xE0, 0x00, 0x00, 0x00]
        for kernel in Kernel.allCases {
            guard let out = Self.decode(bytes, columns: 2, rows: 1, width: 2, stride: 2, kernel: kernel) else { continue }
            #expect(Array(out.prefix(2)) == [Float(1.0).bitPattern, Float(-2.5).bitPattern], "\(kernel)")
        }
    }

    @Test("no rows or no samples write nothing")
    func empty() {
        for kernel in Kernel.allCases {
            guard let a = Self.decode([], columns: 16, rows: 0, width: 16, stride: 16, kernel: kernel),
                let b = Self.decode([UInt8](repeating: 1, count: 64), columns: 16, rows: 1, width: 0, stride: 16, kernel: kernel)
            else { continue }
            #expect(a.allSatisfy { $0 == 0xDEAD_BEEF } && b.allSatisfy { $0 == 0xDEAD_BEEF }, "\(kernel)")
        }
    }
}
