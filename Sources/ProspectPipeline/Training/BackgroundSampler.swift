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

    /// One worker's smallest keys so far: a max-heap of (key, slot), the values of slot s at
    /// `values[s · layers ..< (s + 1) · layers]`.
    struct Reservoir {
        let limit: Int
        let layers: Int
        let base: UInt64
        var heap: [(key: UInt64, slot: Int32)] = []
        var cells: [Int] = []
        var values: [Float] = []
        var eligible = 0

        init(limit: Int, layers: Int, seed: UInt64) {
            self.limit = limit
            self.layers = layers
            base = BackgroundSampler.base(seed: seed)
        }

        /// Offers the cell at `offset` of `tile`.
        @inline(__always)
        mutating func offer(cell: Int, offset: Int, tile: StackTile) {
            eligible += 1
            let key = BackgroundSampler.key(cell: cell, base: base)
            if heap.count < limit {
                let slot = Int32(cells.count)
                cells.append(cell)
                for k in 0..<layers { values.append(tile.buffers[k][offset]) }
                heap.append((key, slot))
                siftUp(heap.count - 1)
            } else if key < heap[0].key {
                let s = Int(heap[0].slot)
                cells[s] = cell
                for k in 0..<layers { values[s * layers + k] = tile.buffers[k][offset] }
                heap[0].key = key
                siftDown(0)
            }
        }

        private mutating func siftUp(_ start: Int) {
            var i = start
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[parent].key < heap[i].key else { return }
                heap.swapAt(parent, i)
                i = parent
            }
        }

        private mutating func siftDown(_ start: Int) {
            var i = start
            let n = heap.count
            while true {
                let l = 2 * i + 1
                guard l < n else { return }
                let r = l + 1
                let c = r < n && heap[r].key > heap[l].key ? r : l
                guard heap[c].key > heap[i].key else { return }
                heap.swapAt(c, i)
                i = c
            }
        }
    }

    /// The sample of the workers' reservoirs: the `limit` smallest keys of all, rows by cell.
    init(merging reservoirs: [Reservoir], layers: Int, limit: Int) {
        var all: [(key: UInt64, reservoir: Int, slot: Int32)] = []
        for (r, reservoir) in reservoirs.enumerated() { for h in reservoir.heap { all.append((h.key, r, h.slot)) } }
        if all.count > limit {
            all.sort { $0.key < $1.key }
            all.removeLast(all.count - limit)
        }
        let rows = all.map { (cell: reservoirs[$0.reservoir].cells[Int($0.slot)], reservoir: $0.reservoir, slot: Int($0.slot)) }
            .sorted { $0.cell < $1.cell }
        cells = rows.map(\.cell)
        columns = (0..<layers).map { k in rows.map { reservoirs[$0.reservoir].values[$0.slot * layers + k] } }
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
                for o in offsets {
                    let cell = tile.cell(at: Int(o), gridColumns: grid.columns)
                    guard skip[cell >> 6] & (1 << UInt64(cell & 63)) == 0 else { continue }
                    reservoir.offer(cell: cell, offset: Int(o), tile: tile)
                }
            }
        }
        return (BackgroundSampler(merging: reservoirs, layers: layers, limit: limit), valid)
    }
}
