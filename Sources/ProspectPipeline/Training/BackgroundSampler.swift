import ProspectCore

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
    struct Reservoir {
        let limit: Int
        let capacity: Int
        let layers: Int
        let base: UInt64
        /// After the first selection, only keys below `bound` can be among the smallest.
        var full = false
        var bound: UInt64 = .max
        var keys: [UInt64] = []
        var cells: [Int] = []
        /// Row i's value of layer k is `values[i · layers + k]`.
        var values: [Float] = []
        var eligible = 0

        init(limit: Int, layers: Int, seed: UInt64) {
            self.limit = limit
            capacity = limit == Int.max ? Int.max : limit + max(limit / 2, 1024)
            self.layers = layers
            base = BackgroundSampler.base(seed: seed)
        }

        /// Offers cell `cell`, whose layers' values are at `offset` of `buffers`.
        @inline(__always)
        mutating func offer(cell: Int, offset: Int, buffers: [UnsafeMutableBufferPointer<Float>]) {
            eligible += 1
            let key = BackgroundSampler.key(cell: cell, base: base)
            if full && key >= bound { return }
            keys.append(key)
            cells.append(cell)
            for k in 0..<layers { values.append(buffers[k][offset]) }
            if keys.count >= capacity { keepSmallest() }
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
            full = true
            bound = largest
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
    init(merging reservoirs: [Reservoir], layers: Int, limit: Int) {
        var keys = reservoirs.flatMap(\.keys)
        let largest = keys.count > limit ? Self.select(&keys, rank: limit - 1) : UInt64.max
        var rows: [(cell: Int, reservoir: Int, row: Int)] = []
        for (r, reservoir) in reservoirs.enumerated() {
            for i in reservoir.keys.indices where reservoir.keys[i] <= largest { rows.append((reservoir.cells[i], r, i)) }
        }
        rows.sort { $0.cell < $1.cell }
        cells = rows.map(\.cell)
        columns = (0..<layers).map { k in rows.map { reservoirs[$0.reservoir].values[$0.row * layers + k] } }
        eligible = reservoirs.reduce(0) { $0 + $1.eligible }
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
        let (valid, reservoirs) = try CellStream.cells(of: data.stack, area: area, threads: threads, progress: progress) {
            Reservoir(limit: limit, layers: layers, seed: seed)
        } _: { reservoir, tile, offsets in
            skip.withUnsafeBufferPointer { skip in
                tile.forEachCell(offsets, gridColumns: grid.columns) { offset, cell in
                    guard skip[cell >> 6] & (1 << UInt64(cell & 63)) == 0 else { return }
                    reservoir.offer(cell: cell, offset: offset, buffers: tile.buffers)
                }
            }
        }
        return (BackgroundSampler(merging: reservoirs, layers: layers, limit: limit), valid)
    }
}
