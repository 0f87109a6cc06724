import ProspectCore

/// The background sample of logistic regression and trees: a seeded reservoir sample (Vitter's
/// algorithm R) of at most `limit` eligible cells, each kept as its layers' values.
///
/// Eligible cells are the training cells that are not deposit cells and, with an exclusion
/// mask, lie outside it. The sample's share of the eligible population (`kept / eligible`)
/// undoes the sampling in the model's intercept or prior correction.
struct BackgroundSampler {
    private var rng: SplitMix64
    private let limit: Int
    /// Layer-major: `columns[k][i]` is layer k's value at sampled cell i.
    private(set) var columns: [[Float]]
    /// The grid cell of each sampled row.
    private(set) var cells: [Int] = []
    /// Cells seen that could be sampled.
    private(set) var eligible = 0
    var kept: Int { columns.first?.count ?? 0 }

    /// - Parameters:
    ///   - size: at most this many cells; 0 keeps every eligible cell.
    init(layers: Int, size: Int, seed: UInt64) {
        rng = SplitMix64(seed: seed)
        limit = size > 0 ? size : Int.max
        columns = Array(repeating: [], count: layers)
    }

    /// Offers one eligible cell.
    mutating func offer(_ cell: CellStream.Cell) {
        eligible += 1
        if kept < limit {
            for k in columns.indices { columns[k].append(cell.buffers[k][cell.offset]) }
            cells.append(cell.index)
        } else {
            let j = Int(rng.next() % UInt64(eligible))
            if j < limit {
                for k in columns.indices { columns[k][j] = cell.buffers[k][cell.offset] }
                cells[j] = cell.index
            }
        }
    }

    /// Streams the training cells of `data` within `area` and samples those that are not in
    /// `deposits` or `excluded` (one bit per grid cell).
    /// - Returns: the sampler and the number of training cells seen.
    static func sample(
        _ data: TrainingData, area: TrainingArea, deposits: Set<Int>, excluded: [UInt64]? = nil,
        size: Int, seed: UInt64, progress: Progress?
    ) throws -> (sampler: BackgroundSampler, validCells: Int) {
        var sampler = BackgroundSampler(layers: data.stack.layers.count, size: size, seed: seed)
        let valid = try CellStream.cells(of: data.stack, area: area, progress: progress) { _, _ in
        } sample: { cell in
            guard !deposits.contains(cell.index) else { return }
            if let excluded, excluded[cell.index >> 6] & (1 << UInt64(cell.index & 63)) != 0 { return }
            sampler.offer(cell)
        }
        return (sampler, valid)
    }
}
