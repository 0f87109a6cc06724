import Testing

@testable import ProspectCore

@Suite("TIFF floating-point predictor against its definition")
struct FloatPredictorTests {
    /// Samples whose four bytes all vary: random bit patterns (NaNs, infinities, subnormals and
    /// negative zero among them) and smooth values, as maps hold.
    static func samples(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            i % 3 == 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) : Float(i % 97) / 97 + Float(rng.nextUnit()) * 1e-3
        }
    }

    static func encode(_ values: [Float], columns: Int, fast: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0xA5, count: 4 * values.count)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBytes {
                if fast {
                    FloatPredictor.encode(v, columns: columns, into: $0)
                } else {
                    FloatPredictor.reference(v, columns: columns, into: $0)
                }
            }
        }
        return out
    }

    @Test(
        "the vector encoding equals the definition for every row width, one row and several",
        arguments: [1, 2, 7, 8, 15, 16, 17, 18, 31, 32, 33, 48, 256, 1023], [1, 3])
    func matchesReference(columns: Int, rows: Int) {
        let values = Self.samples(columns * rows, seed: UInt64(columns * 31 + rows))
        #expect(Self.encode(values, columns: columns, fast: true) == Self.encode(values, columns: columns, fast: false))
    }

    @Test("an empty tile writes nothing")
    func empty() {
        #expect(Self.encode([], columns: 16, fast: true).isEmpty)
    }

    @Test("the definition on one row of two samples, byte by byte")
    func byHand() {
        // 1.0 = 0x3F800000, -2.5 = 0xC0200000: planes 3F C0 | 80 20 | 00 00 | 00 00, then each
        // byte less the one before it (mod 256).
        let out = Self.encode([1.0, -2.5], columns: 2, fast: false)
        #expect(out == [0x3F, 0x81, 0xC0, 0xA0, 0xE0, 0x00, 0x00, 0x00])
        #expect(Self.encode([1.0, -2.5], columns: 2, fast: true) == out)
    }

    @Test("a change of one sample changes only its own bytes and the bytes after them", arguments: [16, 33, 256])
    func local(columns: Int) {
        var values = Self.samples(columns, seed: 5)
        let before = Self.encode(values, columns: columns, fast: true)
        let k = columns / 2
        values[k] = -values[k] - 1
        let after = Self.encode(values, columns: columns, fast: true)
        for plane in 0..<4 {
            for c in 0..<columns where c != k && c != k + 1 {
                #expect(before[plane * columns + c] == after[plane * columns + c], "plane \(plane), column \(c)")
            }
        }
    }

    @Test("zero bytes are counted as one by one, over every length and position", arguments: [0, 1, 31, 32, 33, 8160, 8192, 8193, 70_000])
    func zeros(length: Int) {
        var rng = SplitMix64(seed: UInt64(length) + 3)
        let bytes = (0..<length).map { _ in rng.nextUnit() < 0.4 ? UInt8(0) : UInt8(1 + rng.next() % 255) }
        #expect(bytes.withUnsafeBytes { FloatPredictor.zeros(in: $0) } == bytes.filter { $0 == 0 }.count)
        let allZero = [UInt8](repeating: 0, count: length)
        #expect(allZero.withUnsafeBytes { FloatPredictor.zeros(in: $0) } == length)
    }
}
