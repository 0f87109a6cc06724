import Foundation

/// Counts the cells of each unique condition of a weights-of-evidence model while streaming.
///
/// A unique condition is one combination of the layers' generalized classes: the side of the
/// step of a binary layer, the class of a lookup (or none of its classes), or a missing layer
/// (`MissingDataRule.unknown`). Cells of one condition share one posterior and one standard
/// deviation.
///
/// Each cell's condition is numbered exactly, in mixed radix over the layers' class counts;
/// with at most `denseLimit` conditions possible (every binary model of up to 10 layers) the
/// counts live in an array indexed by that number, otherwise in a dictionary keyed by it (or,
/// past 2⁶⁴ combinations or with a linear term, by a hash of the classes). Each condition keeps
/// one cell's values, the cell with the smallest grid index, so tallies of disjoint parts of
/// the map merge (`merge`) into the tally of the whole in any order. `add(cell:_:)` is the
/// definition, one cell at a time; `add(layers:offsets:nodata:rowStride:origin:gridColumns:)`
/// counts a tile's cells and is tested against it.
public struct UniqueConditionTally: Sendable {
    /// One condition: its cells, the smallest grid index among them, that cell's values.
    public struct Condition: Sendable, Equatable {
        public var cells: Int
        public var first: Int
        public var values: [Float]
    }

    /// The most conditions counted in an array.
    public static let denseLimit = 1 << 16

    let terms: [LayerTerm]
    /// Per layer: 0 step, 1 lookup, 2 linear; a step's threshold; the class of a missing value.
    let kinds: [UInt8]
    let thresholds: [Float]
    let missingClass: [UInt64]
    /// Per lookup layer: its distinct codes, sorted, and the class (1 …) of each; 0: not listed.
    let lookupCodes: [[Int32]]
    let lookupClasses: [[UInt64]]
    /// The place value of each layer's class in the condition number; nil: hashed keys.
    let strides: [UInt64]?
    /// Conditions possible, when they fit `denseLimit` (else 0).
    let denseCount: Int
    /// Dense storage: cells and first cell per condition number, values of the first cell.
    private var denseCells: [Int] = []
    private var denseFirst: [Int] = []
    private var denseValues: [Float] = []
    /// Other storage: by condition number or hash.
    private var sparse: [UInt64: Condition] = [:]

    public init(terms: [LayerTerm]) {
        self.terms = terms
        var codes: [[Int32]] = []
        var classes: [[UInt64]] = []
        var radices: [UInt64]? = []
        var kinds: [UInt8] = []
        var thresholds: [Float] = []
        var missing: [UInt64] = []
        for term in terms {
            switch term {
            case .step(let threshold, _, _):
                codes.append([])
                classes.append([])
                kinds.append(0)
                thresholds.append(threshold)
                missing.append(2)
                radices?.append(3)  // below, above, missing
            case .lookup(let list, _, _):
                var first: [Int32: UInt64] = [:]
                for (i, c) in list.enumerated() where first[c] == nil { first[c] = UInt64(i + 1) }
                let sorted = first.keys.sorted()
                codes.append(sorted)
                classes.append(sorted.map { first[$0]! })
                kinds.append(1)
                thresholds.append(0)
                missing.append(UInt64(list.count + 1))
                radices?.append(UInt64(list.count + 2))  // not listed, each listed class, missing
            case .linear:
                codes.append([])
                classes.append([])
                kinds.append(2)
                thresholds.append(0)
                missing.append(0)
                radices = nil
            }
        }
        self.kinds = kinds
        self.thresholds = thresholds
        missingClass = missing
        lookupCodes = codes
        lookupClasses = classes
        var strides: [UInt64]? = []
        var product: UInt64 = 1
        for r in radices ?? [] {
            strides?.append(product)
            let (next, overflow) = product.multipliedReportingOverflow(by: r)
            if overflow {
                strides = nil
                break
            }
            product = next
        }
        self.strides = radices == nil ? nil : strides
        denseCount = self.strides != nil && product <= UInt64(Self.denseLimit) ? Int(product) : 0
        if denseCount > 0 {
            denseCells = [Int](repeating: 0, count: denseCount)
            denseFirst = [Int](repeating: Int.max, count: denseCount)
            denseValues = [Float](repeating: 0, count: denseCount * terms.count)
        }
    }

    /// Layer `k`'s class for a valid value `x` (NaN: missing).
    @inline(__always)
    func classIndex(_ k: Int, _ x: Float) -> UInt64 {
        if x.isNaN { return missingClass[k] }
        switch kinds[k] {
        case 0:
            return x >= thresholds[k] ? 1 : 0
        case 1:
            let code = LayerTerm.code(of: x)
            return lookupCodes[k].withUnsafeBufferPointer { codes in
                var lo = 0
                var hi = codes.count
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if codes[mid] < code { lo = mid + 1 } else { hi = mid }
                }
                return lo < codes.count && codes[lo] == code ? lookupClasses[k][lo] : 0
            }
        default:
            return UInt64(x.bitPattern) + 1
        }
    }

    /// The condition number of one cell (values in layer order, NaN for a missing layer), or a
    /// 64-bit hash of its classes when there is no exact number.
    @inline(__always)
    func key(_ value: (Int) -> Float) -> UInt64 {
        if let strides {
            var key: UInt64 = 0
            for k in terms.indices { key &+= classIndex(k, value(k)) &* strides[k] }
            return key
        }
        var hasher = Hasher()
        for k in terms.indices { hasher.combine(classIndex(k, value(k))) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// Counts one cell (grid index `cell`); `value(k)` is layer k's value, NaN when missing.
    public mutating func add(cell: Int = .max, _ value: (Int) -> Float) {
        count(key: key(value), cell: cell, value)
    }

    @inline(__always)
    private mutating func count(key: UInt64, cell: Int, _ value: (Int) -> Float) {
        if denseCount > 0 {
            let i = Int(key)
            denseCells[i] += 1
            if cell < denseFirst[i] || denseCells[i] == 1 {
                denseFirst[i] = cell
                for k in terms.indices { denseValues[i * terms.count + k] = value(k) }
            }
        } else if var c = sparse[key] {
            c.cells += 1
            if cell < c.first {
                c.first = cell
                c.values = terms.indices.map(value)
            }
            sparse[key] = c
        } else {
            sparse[key] = Condition(cells: 1, first: cell, values: terms.indices.map(value))
        }
    }

    /// Counts the cells of one tile: `layers[k][o]` is layer k's value at buffer offset o (a
    /// value that is not finite or equals `nodata[k]` is missing), `offsets` ascending, and the
    /// cell at offset o is grid cell `origin + (o / rowStride) · gridColumns + o % rowStride`.
    ///
    /// With the counts in an array, each cell's condition number is built layer by layer from
    /// the raw buffers and counted with no call per cell; otherwise as `add(cell:_:)`.
    public mutating func add(
        layers: [UnsafeMutableBufferPointer<Float>], offsets: UnsafeBufferPointer<Int32>, nodata: [Float], rowStride: Int,
        origin: Int, gridColumns: Int
    ) {
        let n = terms.count
        var rowStart = 0
        var rowCell = origin
        @inline(__always) func cell(_ offset: Int) -> Int {
            while offset >= rowStart + rowStride {
                rowStart += rowStride
                rowCell += gridColumns
            }
            return rowCell + offset - rowStart
        }
        guard denseCount > 0, let strides else {
            for o in offsets {
                let offset = Int(o)
                let value = { (k: Int) -> Float in
                    let x = layers[k][offset]
                    return x.isFinite && x != nodata[k] ? x : .nan
                }
                count(key: key(value), cell: cell(offset), value)
            }
            return
        }
        let bases = layers.map { UnsafePointer($0.baseAddress!) }
        // The counts move out of self while they are written (classIndex reads self).
        var denseCells = self.denseCells
        var denseFirst = self.denseFirst
        var denseValues = self.denseValues
        (self.denseCells, self.denseFirst, self.denseValues) = ([], [], [])
        defer { (self.denseCells, self.denseFirst, self.denseValues) = (denseCells, denseFirst, denseValues) }
        bases.withUnsafeBufferPointer { bases in
            strides.withUnsafeBufferPointer { strides in
                nodata.withUnsafeBufferPointer { nodata in
                    kinds.withUnsafeBufferPointer { kinds in
                        thresholds.withUnsafeBufferPointer { thresholds in
                            missingClass.withUnsafeBufferPointer { missing in
                                denseCells.withUnsafeMutableBufferPointer { cells in
                                    denseFirst.withUnsafeMutableBufferPointer { first in
                                        denseValues.withUnsafeMutableBufferPointer { values in
                                            // Neighbouring cells mostly share a condition: count runs.
                                            var run: UInt64 = 0
                                            var length = 0
                                            for o in offsets {
                                                let offset = Int(o)
                                                var key: UInt64 = 0
                                                for k in 0..<n {
                                                    let x = bases[k][offset]
                                                    let c: UInt64
                                                    if !(x.isFinite && x != nodata[k]) {
                                                        c = missing[k]
                                                    } else if kinds[k] == 0 {
                                                        c = x >= thresholds[k] ? 1 : 0
                                                    } else {
                                                        c = classIndex(k, x)
                                                    }
                                                    key &+= c &* strides[k]
                                                }
                                                if length > 0 && key == run {
                                                    length &+= 1
                                                    continue
                                                }
                                                if length > 0 { cells[Int(run)] &+= length }
                                                run = key
                                                length = 1
                                                // A run's first cell is its smallest.
                                                let i = Int(key)
                                                let here = cell(offset)
                                                guard here < first[i] else { continue }
                                                first[i] = here
                                                for k in 0..<n {
                                                    let x = bases[k][offset]
                                                    values[i &* n &+ k] = x.isFinite && x != nodata[k] ? x : .nan
                                                }
                                            }
                                            if length > 0 { cells[Int(run)] &+= length }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the counts of another tally of the same terms over other cells; each condition keeps
    /// the values of its smallest cell.
    public mutating func merge(_ other: UniqueConditionTally) {
        precondition(terms == other.terms, "tallies of one model")
        if denseCount > 0 {
            for i in 0..<denseCount where other.denseCells[i] > 0 {
                if denseCells[i] == 0 || other.denseFirst[i] < denseFirst[i] {
                    denseFirst[i] = other.denseFirst[i]
                    for k in terms.indices { denseValues[i * terms.count + k] = other.denseValues[i * terms.count + k] }
                }
                denseCells[i] += other.denseCells[i]
            }
        } else {
            for (key, c) in other.sparse {
                if var mine = sparse[key] {
                    mine.cells += c.cells
                    if c.first < mine.first {
                        mine.first = c.first
                        mine.values = c.values
                    }
                    sparse[key] = mine
                } else {
                    sparse[key] = c
                }
            }
        }
    }

    /// Every condition counted, by condition number (or hash).
    public var conditions: [UInt64: Condition] {
        guard denseCount > 0 else { return sparse }
        var out: [UInt64: Condition] = [:]
        for i in 0..<denseCount where denseCells[i] > 0 {
            out[UInt64(i)] = Condition(
                cells: denseCells[i], first: denseFirst[i], values: Array(denseValues[(i * terms.count)..<((i + 1) * terms.count)]))
        }
        return out
    }

    /// The conditions' areas, posteriors and standard deviations, in double precision, sorted
    /// by posterior, area and standard deviation.
    ///
    /// - Parameters:
    ///   - model: the additive model (prior logit and weights).
    ///   - variance: the variance terms.
    ///   - cellAreaInUnitCells: the area of one cell in unit cells.
    public func conditions(
        model: AdditiveModel, variance: WofEVariance,
        cellAreaInUnitCells unit: Double
    ) -> [(area: Double, posterior: Double, std: Double)] {
        conditions.values.map { c in
            var logit = Double(model.intercept)
            var v = Double(variance.priorVariance)
            for k in c.values.indices where !c.values[k].isNaN {
                logit += Double(model.terms[k].contribution(c.values[k]))
                v += Double(variance.terms[k].contribution(c.values[k]))
            }
            let p = 1 / (1 + exp(-logit))
            // Missing layers (MissingDataRule.unknown) add their missing-data variance.
            let extra =
                c.values.contains(where: \.isNaN)
                ? variance.missingVariance(logit: logit, posterior: p, isMissing: { c.values[$0].isNaN }) : 0
            return (Double(c.cells) * unit, p, WofEVariance.posteriorStd(logit: logit, logitVariance: v, missingVariance: extra).std)
        }.sorted { ($0.posterior, $0.area, $0.std) < ($1.posterior, $1.area, $1.std) }
    }
}
