/// A score per class code of a categorical layer; codes not listed score `otherwise`.
///
/// A cell's value is its class code rounded to the nearest whole number (halves away from
/// zero, as `LayerTerm.lookup` does). The vector lookup compares each lane with every listed
/// code's rounding interval and blends the scores in, so it needs no Float↔Int conversion
/// (scalar code on Linux); past `blendLimit` listed codes it looks lanes up one by one.
public struct ClassTable: Sendable, Equatable {
    public var codes: [Int32]
    public var scores: [Float]
    public var otherwise: Float

    /// Listed codes up to which the vector lookup blends.
    public static let blendLimit = 16

    /// Per listed code, the half-open interval [lower, upper) of values rounding to it.
    @usableFromInline let lower: [Float]
    @usableFromInline let upper: [Float]
    @usableFromInline let table: [Int32: Float]

    public init(codes: [Int32], scores: [Float], otherwise: Float = 0) {
        precondition(codes.count == scores.count, "one score per code")
        precondition(Set(codes).count == codes.count, "codes are listed once")
        for c in codes { precondition(abs(c) < 1 << 22, "class codes must be below 2^22 in magnitude") }
        self.codes = codes
        self.scores = scores
        self.otherwise = otherwise
        // x.rounded() == c  ⇔  x in [c − ½, c + ½) for c > 0, (c − ½, c + ½] for c < 0,
        // (−½, ½) for c = 0; open ends become closed at the next float.
        lower = codes.map { c in c > 0 ? Float(c) - 0.5 : (Float(c) - 0.5).nextUp }
        upper = codes.map { c in c < 0 ? (Float(c) + 0.5).nextUp : Float(c) + 0.5 }
        table = Dictionary(uniqueKeysWithValues: zip(codes, scores))
    }

    public static func == (a: ClassTable, b: ClassTable) -> Bool {
        a.codes == b.codes && a.scores == b.scores && a.otherwise == b.otherwise
    }

    /// The score of one valid value (the definition).
    @inlinable
    public func score(_ x: Float) -> Float {
        guard let code = Int32(exactly: x.rounded()) else { return otherwise }
        return table[code] ?? otherwise
    }

    /// The score of eight values (NaN lanes score `otherwise`; callers mask missing cells).
    @inlinable @inline(__always)
    func score(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var s = SIMD8<Float>(repeating: otherwise)
        if codes.count <= Self.blendLimit {
            for j in codes.indices {
                s.replace(with: SIMD8(repeating: scores[j]),
                          where: (x .>= SIMD8(repeating: lower[j])) .& (x .< SIMD8(repeating: upper[j])))
            }
        } else {
            for lane in 0..<8 { s[lane] = score(x[lane]) }
        }
        return s
    }
}
