import ProspectCore

/// The cells training learns from, and the one pass over the stack that visits them.
public enum TrainingArea: Sendable {
    /// Every cell of the grid.
    case all
    /// The cells whose bit is set: bit `i & 63` of word `i >> 6` for cell `i` (row-major).
    case mask([UInt64])
    /// The cells of the square blocks listed: block `(row / side) · across + column / side`,
    /// `across` being the grid's columns divided by `side`, rounded up.
    case blocks(side: Int, keep: Set<Int>)
    /// The cells of the square blocks whose fold is not `heldOut`: block `b`'s fold is
    /// `folds[b]`, blocks numbered as for `.blocks` (what a cross-validation fold trains on;
    /// one array look-up per cell).
    case foldBlocks(side: Int, across: Int, folds: [UInt8], heldOut: Int)

    /// A mask over `grid` from a predicate on cell indices.
    public static func mask(grid: Grid, _ includes: (Int) -> Bool) -> TrainingArea {
        var words = [UInt64](repeating: 0, count: (grid.cellCount + 63) / 64)
        for i in 0..<grid.cellCount where includes(i) { words[i >> 6] |= 1 << UInt64(i & 63) }
        return .mask(words)
    }

    /// Whether cell (`column`, `row`) of `grid` is in the area.
    @inline(__always)
    func contains(column: Int, row: Int, grid: Grid) -> Bool {
        switch self {
        case .all: return true
        case .mask(let words):
            let i = row * grid.columns + column
            return words[i >> 6] & (1 << UInt64(i & 63)) != 0
        case .blocks(let side, let keep):
            let across = (grid.columns + side - 1) / side
            return keep.contains((row / side) * across + column / side)
        case .foldBlocks(let side, let across, let folds, let heldOut):
            return Int(folds[(row / side) * across + column / side]) != heldOut
        }
    }

    /// Whether cell `index` of `grid` is in the area.
    func contains(_ index: Int, grid: Grid) -> Bool {
        contains(column: index % grid.columns, row: index / grid.columns, grid: grid)
    }
}

/// Streams an evidence stack tile by tile for training, in bounded memory.
public enum CellStream {
    /// A training cell seen while streaming: its index and its layers' values in the tile buffers.
    struct Cell {
        var index: Int
        var buffers: [UnsafeMutableBufferPointer<Float>]
        var offset: Int
        /// Layer `k`'s value, NaN when missing (nodata, NaN or ±Inf).
        func value(_ k: Int, nodata: [Float]) -> Float {
            let x = buffers[k][offset]
            return x == nodata[k] || !x.isFinite ? .nan : x
        }
        func values() -> [Float] { buffers.map { $0[offset] } }
    }

    /// Reads every tile of `stack` (transforms applied) and calls `body` with its window, the
    /// row stride of the buffers and the buffers, one per layer.
    /// - Parameter requireData: throw when a layer shows no valid cell in the whole pass.
    /// - Throws: a read failure naming the file; with `requireData`, "every cell is nodata"
    ///   naming the first layer without data.
    static func tiles(
        of stack: EvidenceStack, requireData: Bool = true, progress: Progress? = nil,
        _ body: (Window, Int, [UnsafeMutableBufferPointer<Float>]) throws -> Void
    ) throws {
        let tiling = stack.tiling
        let reader = try StackReader(stack, tiling: tiling, countsInfinite: true)
        let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
        defer { buffers.forEach { $0.deallocate() } }
        var validity = ValidityCheck(stack)
        for t in 0..<tiling.count {
            let (window, stride) = try reader.read(tile: t, into: buffers)
            validity.note(buffers, window: window, stride: stride)
            try body(window, stride, buffers)
            progress?.update(t + 1, of: tiling.count)
        }
        progress?.finish()
        if requireData { try validity.check(stack) }
    }

    /// Visits the training cells of `stack` within `area`: under `.nodata` the cells where every
    /// layer is valid, calling `each` for all their values; under `.unknown` the cells where any
    /// layer is valid, calling `each` for their valid values only. `sample` is called once per
    /// cell visited.
    /// - Parameter requireData: throw when a layer shows no valid cell in the whole pass.
    /// - Returns: the number of cells visited.
    /// - Throws: a read failure naming the file; with `requireData`, "every cell is nodata"
    ///   naming the first layer without data.
    @discardableResult
    static func cells(
        of stack: EvidenceStack, area: TrainingArea = .all, rule: MissingDataRule = .nodata,
        requireData: Bool = true, progress: Progress? = nil,
        each: (Int, Float) -> Void, sample: (Cell) -> Void = { _ in }
    ) throws -> Int {
        let nodata = stack.nodata
        let grid = stack.grid
        var count = 0
        try tiles(of: stack, requireData: requireData, progress: progress) { window, stride, buffers in
            for r in 0..<window.rows {
                for c in 0..<window.columns {
                    guard area.contains(column: window.column + c, row: window.row + r, grid: grid) else { continue }
                    let o = r * stride + c
                    var valid = 0
                    for k in buffers.indices {
                        let x = buffers[k][o]
                        if x.isFinite && x != nodata[k] { valid += 1 }
                    }
                    guard rule == .unknown ? valid > 0 : valid == buffers.count else { continue }
                    count += 1
                    for k in buffers.indices {
                        let x = buffers[k][o]
                        if x.isFinite && x != nodata[k] { each(k, x) }
                    }
                    sample(Cell(index: (window.row + r) * grid.columns + window.column + c, buffers: buffers, offset: o))
                }
            }
        }
        return count
    }
}
