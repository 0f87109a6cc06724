import Dispatch
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

    var isAll: Bool { if case .all = self { true } else { false } }
}

/// A tile of the stack as one worker read it, each layer's transforms applied.
struct StackTile {
    /// The tile's index in the stack's tiling (row-major over tiles).
    var index: Int
    var window: Window
    /// The row stride of the buffers: cell (c, r) of the window is at offset `r · stride + c`
    /// (a file block's full width when reads are block-aligned).
    var stride: Int
    /// One buffer per layer.
    var buffers: [UnsafeMutableBufferPointer<Float>]

    /// The grid index of the cell at buffer offset `offset`.
    @inline(__always)
    func cell(at offset: Int, gridColumns: Int) -> Int {
        (window.row + offset / stride) * gridColumns + window.column + offset % stride
    }

    /// Calls `body` with each offset of `offsets` (ascending) and its cell's grid index, found
    /// row by row rather than by a division per cell.
    @inline(__always)
    func forEachCell(_ offsets: UnsafeBufferPointer<Int32>, gridColumns: Int, _ body: (Int, Int) -> Void) {
        var rowStart = 0
        var rowCell = window.row * gridColumns + window.column
        for o in offsets {
            let offset = Int(o)
            while offset >= rowStart + stride {
                rowStart += stride
                rowCell += gridColumns
            }
            body(offset, rowCell + offset - rowStart)
        }
    }
}

/// Streams an evidence stack tile by tile for training, in bounded memory, on several threads.
///
/// Every pass cuts the work by the stack's tiling, which depends on the files alone, so the
/// tiles (the chunks of the work) are the same for any number of threads. Workers, each with
/// its own dataset handles (`StackReader`), take tiles in turn. A pass whose result depends on
/// the order of its additions (floating-point sums) adds each tile's part in tile order
/// (`reduce`); counts, which any order adds alike, are kept per worker and added at the end
/// (`tiles`, `cells`). Either way the result is the same for any number of threads.
public enum CellStream {
    /// Reads every tile of `stack` on up to `threads` workers and calls `body` with the
    /// worker's state (from `state`) and the tile; returns the workers' states in worker order.
    ///
    /// Which tiles a worker gets depends on timing: `body` must accumulate what any grouping of
    /// the tiles adds alike (integer counts), or write to a place owned by the tile.
    /// - Parameter requireData: throw when a layer shows no valid cell in the whole pass.
    /// - Throws: a read failure naming the file; with `requireData`, "every cell is nodata"
    ///   naming the first layer without data.
    static func tiles<State>(
        of stack: EvidenceStack, threads: Int, requireData: Bool = true, progress: Progress? = nil,
        state: @Sendable () -> State, _ body: @Sendable (inout State, StackTile) throws -> Void
    ) throws -> [State] {
        let tiling = stack.tiling
        let workers = max(1, min(threads, tiling.count))
        let queue = TileQueue()
        let states = UnsafeMutableBufferPointer<(State, ValidityCheck)?>.allocate(capacity: workers)
        states.initialize(repeating: nil)
        defer {
            _ = states.deinitialize()
            states.deallocate()
        }
        // Worker w writes only states[w].
        let shared = UnsafeTransfer(states)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            do {
                let reader = try StackReader(stack, tiling: tiling, countsInfinite: true)
                let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
                defer { buffers.forEach { $0.deallocate() } }
                var local = state()
                var validity = ValidityCheck(stack)
                while let t = queue.next(limit: tiling.count) {
                    let (window, stride) = try reader.read(tile: t, into: buffers)
                    validity.note(buffers, window: window, stride: stride)
                    try body(&local, StackTile(index: t, window: window, stride: stride, buffers: buffers))
                    progress?.update(queue.finished(), of: tiling.count)
                }
                shared.value[w] = (local, validity)
            } catch {
                queue.fail(error)
            }
        }
        progress?.finish()
        if let error = queue.error { throw error }
        var validity = states[0]!.1
        for w in 1..<workers { validity.merge(states[w]!.1) }
        if requireData { try validity.check(stack) }
        return states.map { $0!.0 }
    }

    /// Reads every tile of `stack` on up to `threads` workers, makes each tile's part with
    /// `body` (from a fresh `partial()`), and hands the parts to `commit` in tile order, one at
    /// a time: sums come out the same for any number of threads. At most a few parts per worker
    /// wait for the tiles before them (`OrderedCommits`).
    /// - Throws: as `tiles`, or what `commit` throws.
    static func reduce<Partial>(
        of stack: EvidenceStack, threads: Int, requireData: Bool = true, progress: Progress? = nil,
        partial: @Sendable () -> Partial, _ body: @Sendable (inout Partial, StackTile) throws -> Void,
        commit: (Partial) throws -> Void
    ) throws {
        let tiling = stack.tiling
        let workers = max(1, min(threads, tiling.count))
        let slotCount = 2 * workers + 1
        let slots = UnsafeMutableBufferPointer<Partial?>.allocate(capacity: slotCount)
        slots.initialize(repeating: nil)
        let checks = UnsafeMutableBufferPointer<ValidityCheck?>.allocate(capacity: workers)
        checks.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
            _ = checks.deinitialize()
            checks.deallocate()
        }
        // A worker writes only the slot `take()` handed it and checks[w]; the one committing
        // worker reads and clears the slots it commits.
        let shared = UnsafeTransfer((slots: slots, checks: checks))
        try withoutActuallyEscaping(commit) { commit in
            let work = OrderedCommits(items: tiling.count, slots: slotCount) { _, slot in
                let part = shared.value.slots[slot]!
                shared.value.slots[slot] = nil
                try commit(part)
            }
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                do {
                    let reader = try StackReader(stack, tiling: tiling, countsInfinite: true)
                    let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
                    defer { buffers.forEach { $0.deallocate() } }
                    var validity = ValidityCheck(stack)
                    while let (t, slot) = work.take() {
                        let (window, stride) = try reader.read(tile: t, into: buffers)
                        validity.note(buffers, window: window, stride: stride)
                        var part = partial()
                        try body(&part, StackTile(index: t, window: window, stride: stride, buffers: buffers))
                        shared.value.slots[slot] = part
                        work.finish(item: t, slot: slot)
                        progress?.update(work.committed, of: tiling.count)
                    }
                    shared.value.checks[w] = validity
                } catch {
                    work.fail(error)
                }
            }
            if let error = work.error { throw error }
        }
        progress?.finish()
        var validity = checks[0]!
        for w in 1..<workers { validity.merge(checks[w]!) }
        if requireData { try validity.check(stack) }
    }

    /// Visits the training cells of `stack` within `area` on up to `threads` workers: under
    /// `.nodata` the cells where every layer is valid, under `.unknown` the cells where any layer
    /// is valid. `body` gets the worker's state, the tile and the buffer offsets of its training
    /// cells in row-major order; it must accumulate what any grouping of tiles adds alike.
    /// - Returns: the number of cells visited and the workers' states, in worker order.
    /// - Throws: as `tiles`.
    static func cells<State>(
        of stack: EvidenceStack, area: TrainingArea = .all, rule: MissingDataRule = .nodata, threads: Int,
        requireData: Bool = true, progress: Progress? = nil,
        state: @Sendable () -> State, _ body: @Sendable (inout State, StackTile, UnsafeBufferPointer<Int32>) -> Void
    ) throws -> (count: Int, states: [State]) {
        let select = TrainingCells(area: area, rule: rule, nodata: stack.nodata, grid: stack.grid)
        let workers = try tiles(of: stack, threads: threads, requireData: requireData, progress: progress) {
            TrainingCells.Worker(state: state())
        } _: { w, tile in
            let kept = select.offsets(of: tile, into: &w.offsets, flags: &w.flags)
            w.count += kept
            let offsets = w.offsets
            offsets.withUnsafeBufferPointer { body(&w.state, tile, UnsafeBufferPointer(rebasing: $0[0..<kept])) }
        }
        return (workers.reduce(0) { $0 + $1.count }, workers.map(\.state))
    }
}

/// Which cells of a tile training visits.
struct TrainingCells {
    let area: TrainingArea
    let rule: MissingDataRule
    let nodata: [Float]
    let grid: Grid

    /// A worker's state in `CellStream.cells`: the caller's, the cells counted, scratch.
    struct Worker<State> {
        var state: State
        var count = 0
        var offsets: [Int32] = []
        var flags: [UInt32] = []
    }

    /// Writes the buffer offsets of `tile`'s training cells into the start of `offsets`,
    /// row-major, and returns their number: under `.nodata` the cells where every layer is valid
    /// (finite and not its nodata), under `.unknown` those where at least one is; and within the
    /// area.
    ///
    /// One flag per cell, set eight cells at a time by each layer in turn (a layer missing
    /// there under `.nodata`, valid there under `.unknown`), then one scan of the flags.
    /// `offsetsReference` is the definition, cell by cell; tests compare the two.
    func offsets(of tile: StackTile, into offsets: inout [Int32], flags: inout [UInt32]) -> Int {
        let (rows, columns, stride) = (tile.window.rows, tile.window.columns, tile.stride)
        let n = rows * columns
        if flags.count < n { flags = [UInt32](repeating: 0, count: n) }
        if offsets.count < n { offsets = [Int32](repeating: 0, count: n) }
        let unknown = rule == .unknown
        let magnitude = SIMD8<UInt32>(repeating: 0x7FFF_FFFF)
        let infinity = SIMD8<UInt32>(repeating: 0x7F80_0000)
        let one = SIMD8<UInt32>(repeating: 1)
        let zero = SIMD8<UInt32>(repeating: 0)
        var kept = 0
        flags.withUnsafeMutableBufferPointer { flags in
            for i in 0..<n { flags[i] = 0 }
            for (k, buffer) in tile.buffers.enumerated() {
                let nd = nodata[k]
                let nodataLanes = SIMD8<Float>(repeating: nd)
                for r in 0..<rows {
                    let row = UnsafeRawPointer(buffer.baseAddress! + r * stride)
                    let flag = flags.baseAddress! + r * columns
                    var c = 0
                    while c + 8 <= columns {
                        let bits = row.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<UInt32>.self)
                        let x = row.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
                        let valid = (bits & magnitude .< infinity) .& (x .!= nodataLanes)
                        let set = zero.replacing(with: one, where: unknown ? valid : .!valid)
                        let f = UnsafeMutableRawPointer(flag + c)
                        f.storeBytes(of: f.loadUnaligned(as: SIMD8<UInt32>.self) | set, as: SIMD8<UInt32>.self)
                        c += 8
                    }
                    while c < columns {
                        let x = buffer[r * stride + c]
                        let valid = x.isFinite && x != nd
                        if valid == unknown { flag[c] = 1 }
                        c += 1
                    }
                }
            }
            let wanted: UInt32 = unknown ? 1 : 0
            let all = area.isAll
            offsets.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    for c in 0..<columns where flags[r * columns + c] == wanted {
                        if all || area.contains(column: tile.window.column + c, row: tile.window.row + r, grid: grid) {
                            out[kept] = Int32(r * stride + c)
                            kept += 1
                        }
                    }
                }
            }
        }
        return kept
    }

    /// The definition of `offsets`: cell by cell, layer by layer.
    func offsetsReference(of tile: StackTile) -> [Int32] {
        var out: [Int32] = []
        for r in 0..<tile.window.rows {
            for c in 0..<tile.window.columns {
                let o = r * tile.stride + c
                let valid = tile.buffers.indices.filter { k in
                    let x = tile.buffers[k][o]
                    return x.isFinite && x != nodata[k]
                }.count
                guard rule == .unknown ? valid > 0 : valid == tile.buffers.count else { continue }
                if area.contains(column: tile.window.column + c, row: tile.window.row + r, grid: grid) { out.append(Int32(o)) }
            }
        }
        return out
    }
}
