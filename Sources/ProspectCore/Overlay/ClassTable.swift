/// A score per class code of a categorical layer; codes not listed score `otherwise`.
///
/// A cell's value is its class code rounded to the nearest whole number (halves away from
/// zero, as `LayerTerm.lookup` does). The vector lookup compares each lane with every listed
/// code's rounding interval and blends the scores in (`Interval`), so it needs no Float↔Int
/// conversion (scalar code on Linux); its cost grows with the number of listed codes, which
/// are the classes an expert scored.
public struct ClassTable: Sendable, Equatable {
    public var codes: [Int32]
    public var scores: [Float]
    public var otherwise: Float

    /// The values rounding to one listed code, [lower, upper), and its score, splatted once so
    /// that kernels never build vector constants inside their loops (LLVM then scalarizes the
    /// comparisons).
    struct Interval: Sendable {
        var lower: SIMD8<Float>
        var upper: SIMD8<Float>
        var score: SIMD8<Float>
    }

    let intervals: [Interval]
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
        intervals = zip(codes, scores).map { (c: Int32, s: Float) -> Interval in
            let code = Float(c)
            let lower: Float = c > 0 ? code - 0.5 : (code - 0.5).nextUp
            let upper: Float = c < 0 ? (code + 0.5).nextUp : code + 0.5
            return Interval(lower: SIMD8(repeating: lower), upper: SIMD8(repeating: upper), score: SIMD8(repeating: s))
        }
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

    /// Calls `body` with a vector lookup valid inside it (no reference counting in the loop).
    @inline(__always)
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        intervals.withUnsafeBufferPointer { body(Lookup(intervals: $0, otherwise: SIMD8(repeating: otherwise))) }
    }

    /// The vector lookup: eight values at a time.
    struct Lookup {
        let intervals: UnsafeBufferPointer<Interval>
        let otherwise: SIMD8<Float>

        /// The scores of eight values (NaN lanes score `otherwise`; callers mask missing cells).
        @inline(__always) func score(_ x: SIMD8<Float>) -> SIMD8<Float> {
            var s = otherwise
            for t in intervals {
                s.replace(with: t.score, where: (x .>= t.lower) .& (x .< t.upper))
            }
            return s
        }
    }
}

/// The class tables of a model's layers in one flat array, so a kernel reaches every layer's
/// lookup through one unsafe buffer: copying a `ClassTable` per chunk retains its arrays, and
/// with several threads the shared reference counts became a bottleneck.
struct FlatClassTables: Sendable {
    struct Entry: Sendable {
        var start: Int
        var count: Int
        var otherwise: SIMD8<Float>
        var categorical: Bool
    }

    let entries: [Entry]
    let intervals: [ClassTable.Interval]

    init(_ tables: [ClassTable?]) {
        var entries: [Entry] = []
        var intervals: [ClassTable.Interval] = []
        for table in tables {
            entries.append(
                Entry(
                    start: intervals.count, count: table?.intervals.count ?? 0,
                    otherwise: SIMD8(repeating: table?.otherwise ?? 0), categorical: table != nil))
            intervals += table?.intervals ?? []
        }
        self.entries = entries
        self.intervals = intervals
    }

    /// Calls `body` with the lookups of every layer (nil for continuous layers), valid inside it.
    @inline(__always)
    func withLookups<R>(_ body: (UnsafeBufferPointer<ClassTable.Lookup?>) -> R) -> R {
        intervals.withUnsafeBufferPointer { all in
            entries.withUnsafeBufferPointer { e in
                withUnsafeTemporaryAllocation(of: ClassTable.Lookup?.self, capacity: e.count) { lookups in
                    for (k, entry) in e.enumerated() {
                        lookups.initializeElement(
                            at: k,
                            to: entry.categorical
                                ? ClassTable.Lookup(
                                    intervals: UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.count)]),
                                    otherwise: entry.otherwise)
                                : nil)
                    }
                    return body(UnsafeBufferPointer(lookups))
                }
            }
        }
    }
}
