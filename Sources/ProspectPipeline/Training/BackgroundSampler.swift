import ProspectCore
import Synchronization

/// The background sample of logistic regression and trees: a seeded uniform sample without
/// replacement of at most `limit` eligible cells, each kept as its layers' values.
///
/// Each cell gets a pseudo-random key from the seed and its grid index alone
/// (`BackgroundSampler.key`), and the sample is the `limit` cells with the smallest keys
/// (bottom-k sampling: every subset of `limit` cells is equally likely; Cohen & Kaplan 2007,
/// "Summarizing data using bottom-k sketches"). The keys do not depend on the order the cells
/// are seen in, so workers can each keep the smallest keys of the tiles they read and merge
/// them: the sample is the same for any number of threads and any tiling. Rows are in
/// ascending cell order.
///
/// Eligible cells are the training cells that are not deposit cells and, with an exclusion
/// mask, lie outside it. The sample's share of the eligible population (`kept / eligible`)
/// undoes the sampling in the model's intercept or prior correction.
struct BackgroundSampler {
    /// Layer-major: `columns[k][i]` is layer k's value at sampled cell i.
    private(set) var columns: [[Float]]
    /// The grid cell of each sampled row, ascending.
    private(set) var cells: [Int]
    /// Cells seen that could be sampled.
    private(set) var eligible: Int
    var kept: Int { cells.count }

    /// Where the keys of one seed start: a draw from the seed mixed with a constant, so the
    /// keys are not the draws other steps take from the seed itself (tree growing, holdouts).
    static func base(seed: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ 0x6261_636B_6772_6F75)
        return g.next()
    }

    /// The cell's key: SplitMix64's output for the state `base + (cell + 1) · γ` (γ its
    /// increment), a bijection of the cell index for one base, so no two cells share a key.
    @inline(__always)
    static func key(cell: Int, base: UInt64) -> UInt64 {
        var g = SplitMix64(seed: base &+ UInt64(cell) &* 0x9E37_79B9_7F4A_7C15)
        return g.next()
    }

    /// One worker's smallest keys so far. Cells whose key is below the bound are appended;
    /// when `capacity` rows are held, the `limit` smallest keys are kept (a selection, linear
    /// time) and the bound drops to the largest of them. Each eligible cell costs a key and a
    /// comparison; appends and selections cost about `limit · (1 + ln(N / limit))` rows over N
    /// cells. (A binary heap of `limit` rows spent a quarter of a logistic training's time
    /// sifting, measured with perf on 8 layers of 8192².)
    ///
    /// The workers also share a bound (`SharedBound`): every key appended is counted by its top
    /// bits, the workers' counts are added after each tile, and once `limit` keys counted lie
    /// at or below some bucket's top, no key above it can be in the sample. A worker's own
    /// bound alone is the `limit`-th smallest key of its share of the cells: two workers so
    /// bounded appended and selected twice the rows one did (perf, 8 layers of 8192²).
    struct Reservoir {
        let limit: Int
        let capacity: Int
        let layers: Int
        let base: UInt64
        let shared: SharedBound
        /// Only keys at or below `bound` can be among the smallest.
        var bound: UInt64 = .max
        /// Keys appended since the last tile, by bucket (`SharedBound.bucket`).
        var counts = [Int](repeating: 0, count: SharedBound.buckets)
        var keys: [UInt64] = []
        var cells: [Int] = []
        /// Row i's value of layer k is `values[i · layers + k]`.
        var values: [Float] = []
        var eligible = 0

        init(limit: Int, layers: Int, seed: UInt64, shared: SharedBound) {
            self.limit = limit
            capacity = limit == Int.max ? Int.max : limit + max(limit / 2, 1024)
            self.layers = layers
            base = BackgroundSampler.base(seed: seed)
            self.shared = shared
        }

        /// Offers the cells of `tile` at `offsets` that `skip` (one bit per grid cell) leaves.
        mutating func offer(
            _ tile: StackTile, offsets: UnsafeBufferPointer<Int32>, gridColumns: Int, skip: UnsafeBufferPointer<UInt64>
        ) {
            let buffers = tile.buffers
            var seen = 0
            tile.forEachCell(offsets, gridColumns: gridColumns) { offset, cell in
                guard skip[cell >> 6] & (1 << UInt64(cell & 63)) == 0 else { return }
                seen += 1
                let key = BackgroundSampler.key(cell: cell, base: base)
                guard key <= bound else { return }
                keys.append(key)
                cells.append(cell)
                counts[SharedBound.bucket(key)] += 1
                for k in 0..<layers { values.append(buffers[k][offset]) }
                if keys.count >= capacity { keepSmallest() }
            }
            eligible += seen
            if limit < Int.max { bound = min(bound, shared.add(&counts, limit: limit)) }
        }

        /// Keeps the rows of the `limit` smallest keys, in the order they came.
        mutating func keepSmallest() {
            guard keys.count > limit else { return }
            var scratch = keys
            let largest = BackgroundSampler.select(&scratch, rank: limit - 1)
            var kept = 0
            for i in keys.indices where keys[i] <= largest {
                keys[kept] = keys[i]
                cells[kept] = cells[i]
                for k in 0..<layers { values[kept * layers + k] = values[i * layers + k] }
                kept += 1
            }
            keys.removeLast(keys.count - kept)
            cells.removeLast(cells.count - kept)
            values.removeLast(values.count - kept * layers)
            bound = min(bound, largest)
        }
    }

    /// The value of rank `rank` (0: the smallest) of distinct values, by Hoare's selection with
    /// a median-of-three pivot; `a` is reordered.
    static func select(_ a: inout [UInt64], rank: Int) -> UInt64 {
        precondition(rank >= 0 && rank < a.count, "a rank within the values")
        var lo = 0
        var hi = a.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo
            var j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j {
                hi = j
            } else if rank >= i {
                lo = i
            } else {
                return a[rank]
            }
        }
        return a[lo]
    }

    /// The sample of the workers' reservoirs: the `limit` smallest keys of all, rows by cell.
    ///
    /// The kept rows are put in cell order by a radix sort of their cells (eleven bits a pass,
    /// stable, linear time) and gathered into columns through pointers: a comparison sort of
    /// (cell, reservoir, row) tuples and a gather through the reservoirs' arrays made this
    /// merge, which runs on one thread, a tenth of a logistic training on 8 layers of 8192².
    init(merging reservoirs: [Reservoir], layers: Int, limit: Int) {
        let held = reservoirs.reduce(0) { $0 + $1.keys.count }
        var largest = UInt64.max
        if held > limit {
            var keys = [UInt64]()
            keys.reserveCapacity(held)
            for r in reservoirs { keys.append(contentsOf: r.keys) }
            largest = Self.select(&keys, rank: limit - 1)
        }
        // The kept rows: their cells, and where each is (reservoir in the high bits, row in the low 40).
        var cells: [Int] = []
        var sources: [Int] = []
        cells.reserveCapacity(min(held, limit))
        sources.reserveCapacity(min(held, limit))
        for (r, reservoir) in reservoirs.enumerated() {
            for i in reservoir.keys.indices where reservoir.keys[i] <= largest {
                cells.append(reservoir.cells[i])
                sources.append(r << 40 | i)
            }
        }
        let order = Self.sortedOrder(cells)
        let n = cells.count
        self.cells = order.map { cells[$0] }
        // Layer k's value of row i at flat[k · n + i]; each reservoir's rows in one scan.
        let flat = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n * layers))
        defer { flat.deallocate() }
        order.withUnsafeBufferPointer { order in
            sources.withUnsafeBufferPointer { sources in
                for (r, reservoir) in reservoirs.enumerated() {
                    reservoir.values.withUnsafeBufferPointer { values in
                        for i in 0..<n where sources[order[i]] >> 40 == r {
                            let row = values.baseAddress! + (sources[order[i]] & (1 << 40 - 1)) * layers
                            for k in 0..<layers { flat[k * n + i] = row[k] }
                        }
                    }
                }
            }
        }
        columns = (0..<layers).map { k in Array(flat[(k * n)..<((k + 1) * n)]) }
        eligible = reservoirs.reduce(0) { $0 + $1.eligible }
    }

    /// The indices of `cells` (non-negative) in ascending order of their cell: a stable least
    /// significant digit radix sort, eleven bits a pass.
    static func sortedOrder(_ cells: [Int]) -> [Int] {
        let n = cells.count
        var order = Array(0..<n)
        guard n > 1, let top = cells.max(), top > 0 else { return order }
        let bits = Int.bitWidth - top.leadingZeroBitCount
        var scratch = [Int](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 1 << 11)
        var shift = 0
        while shift < bits {
            cells.withUnsafeBufferPointer { cells in
                order.withUnsafeMutableBufferPointer { from in
                    scratch.withUnsafeMutableBufferPointer { to in
                        counts.withUnsafeMutableBufferPointer { counts in
                            for d in counts.indices { counts[d] = 0 }
                            for i in 0..<n { counts[(cells[from[i]] >> shift) & 2047] += 1 }
                            var start = 0
                            for d in counts.indices { (counts[d], start) = (start, start + counts[d]) }
                            for i in 0..<n {
                                let d = (cells[from[i]] >> shift) & 2047
                                to[counts[d]] = from[i]
                                counts[d] += 1
                            }
                        }
                    }
                }
            }
            swap(&order, &scratch)
            shift += 11
        }
        return order
    }

    /// Streams the training cells of `data` within `area` on up to `threads` workers and
    /// samples those that are neither deposit cells nor `excluded` (one bit per grid cell).
    /// - Parameter size: at most this many cells; 0 keeps every eligible cell.
    /// - Returns: the sampler and the number of training cells seen.
    static func sample(
        _ data: TrainingData, area: TrainingArea, deposits: [Int], excluded: [UInt64]? = nil,
        size: Int, seed: UInt64, threads: Int, progress: Progress?
    ) throws -> (sampler: BackgroundSampler, validCells: Int) {
        let grid = data.stack.grid
        let layers = data.stack.layers.count
        let limit = size > 0 ? size : Int.max
        // The cells that cannot be sampled: the deposit cells and the exclusion mask.
        var ineligible = excluded ?? [UInt64](repeating: 0, count: (grid.cellCount + 63) / 64)
        for cell in deposits { ineligible[cell >> 6] |= 1 << UInt64(cell & 63) }
        let skip = ineligible
        let bound = SharedBound()
        let (valid, reservoirs) = try CellStream.cells(of: data.stack, area: area, threads: threads, progress: progress) {
            Reservoir(limit: limit, layers: layers, seed: seed, shared: bound)
        } _: { reservoir, tile, offsets in
            skip.withUnsafeBufferPointer { reservoir.offer(tile, offsets: offsets, gridColumns: grid.columns, skip: $0) }
        }
        return (BackgroundSampler(merging: reservoirs, layers: layers, limit: limit), valid)
    }
}

/// The keys the workers of one sampling pass appended, counted by their top twelve bits, and
/// the bound the counts allow.
final class SharedBound: Sendable {
    static let buckets = 4096

    @inline(__always)
    static func bucket(_ key: UInt64) -> Int { Int(key >> 52) }

    private let state = Mutex((counts: [Int](repeating: 0, count: SharedBound.buckets), bound: UInt64.max))

    /// Adds a worker's counts (and zeroes them); returns the top of the lowest bucket at or
    /// below which `limit` keys have been counted, or `UInt64.max`.
    func add(_ counts: inout [Int], limit: Int) -> UInt64 {
        state.withLock { state in
            for b in counts.indices where counts[b] != 0 {
                state.counts[b] += counts[b]
                counts[b] = 0
            }
            var total = 0
            for b in state.counts.indices {
                total += state.counts[b]
                if total >= limit {
                    state.bound = min(state.bound, UInt64(b) << 52 | (1 << 52 - 1))
                    break
                }
            }
            return state.bound
        }
    }
}
