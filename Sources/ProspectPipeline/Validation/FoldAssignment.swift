import ProspectCore

/// Which of K folds each cell of a grid, and each deposit cell, belongs to: deterministic for a
/// seed, whatever the number of threads.
///
/// - `.blocks`: square blocks of `side` cells are dealt to the folds. Blocks holding deposits
///   go first, most deposits first (ties in a seeded shuffled order), each to the fold with the
///   fewest deposits so far (then the fewest blocks, then the lowest number); the other blocks,
///   in a seeded shuffled order, go round the folds from the one with the fewest blocks. A
///   deposit cell is in its block's fold.
/// - `.random`: each cell is in fold `hash(seed, cell) mod K`; the deposit cells, in a seeded
///   shuffled order, are dealt round the folds (so each fold holds ⌊m/K⌋ or ⌈m/K⌉).
public struct FoldAssignment: Sendable {
    public enum Layout: Sendable {
        case blocks(side: Int, across: Int, foldOfBlock: [UInt8])
        case random(seed: UInt64)
    }

    /// K.
    public let count: Int
    public let layout: Layout
    /// The fold of each deposit cell, in the order given.
    public let depositFolds: [Int]
    /// The deposit cells given (row-major indices).
    public let depositCells: [Int]
    let columns: Int

    /// Folds of blocks of `side` cells over `grid`.
    public static func blocks(side: Int, grid: Grid, depositCells: [Int], folds: Int, seed: UInt64) -> FoldAssignment {
        precondition(side >= 1 && folds >= 1 && folds <= 255)
        let (across, down) = SpatialBlocks.count(side: side, grid: grid)
        let blockOf = { (cell: Int) in (cell / grid.columns / side) * across + (cell % grid.columns) / side }
        var perBlock: [Int: Int] = [:]
        for cell in depositCells { perBlock[blockOf(cell), default: 0] += 1 }
        let table = deal(blocks: across * down, depositsPerBlock: perBlock, folds: folds, seed: seed)
        return FoldAssignment(
            count: folds, layout: .blocks(side: side, across: across, foldOfBlock: table),
            depositFolds: depositCells.map { Int(table[blockOf($0)]) }, depositCells: depositCells, columns: grid.columns)
    }

    /// Folds of single cells at random over `grid`, the deposit cells dealt evenly.
    public static func random(grid: Grid, depositCells: [Int], folds: Int, seed: UInt64) -> FoldAssignment {
        precondition(folds >= 1 && folds <= 255)
        var rng = SplitMix64(seed: seed ^ 0x5261_6E64_466F_6C64)
        var order = Array(depositCells.indices)
        shuffle(&order, &rng)
        var depositFolds = [Int](repeating: 0, count: depositCells.count)
        for (j, i) in order.enumerated() { depositFolds[i] = j % folds }
        return FoldAssignment(
            count: folds, layout: .random(seed: seed), depositFolds: depositFolds, depositCells: depositCells, columns: grid.columns)
    }

    /// The fold of cell (`column`, `row`) when it holds no deposit (`.blocks`: any cell).
    @inline(__always)
    public func fold(column: Int, row: Int) -> Int {
        switch layout {
        case .blocks(let side, let across, let table): return Int(table[(row / side) * across + column / side])
        case .random(let seed): return Self.hashedFold(row * columns + column, seed: seed, folds: count)
        }
    }

    /// What the model of fold `held` trains on: every cell of the other folds (`.blocks`: their
    /// blocks; `.random`: a bit mask, deposit cells in their own fold).
    public func trainingArea(heldOut held: Int, grid: Grid) -> TrainingArea {
        switch layout {
        case .blocks(let side, let across, let table):
            return .foldBlocks(side: side, across: across, folds: table, heldOut: held)
        case .random(let seed):
            var words = [UInt64](repeating: 0, count: (grid.cellCount + 63) / 64)
            for i in 0..<grid.cellCount where Self.hashedFold(i, seed: seed, folds: count) != held {
                words[i >> 6] |= 1 << UInt64(i & 63)
            }
            for (cell, f) in zip(depositCells, depositFolds) {
                if f == held {
                    words[cell >> 6] &= ~(1 << UInt64(cell & 63))
                } else {
                    words[cell >> 6] |= 1 << UInt64(cell & 63)
                }
            }
            return .mask(words)
        }
    }

    /// The blocks of each fold (`.blocks`), by fold.
    public var blocksPerFold: [Int]? {
        guard case .blocks(_, _, let table) = layout else { return nil }
        var n = [Int](repeating: 0, count: count)
        for f in table { n[Int(f)] += 1 }
        return n
    }

    /// A fold from a hash of the cell and seed (SplitMix64's output function).
    @inline(__always)
    static func hashedFold(_ cell: Int, seed: UInt64, folds: Int) -> Int {
        var g = SplitMix64(seed: seed &+ UInt64(cell) &* 0xD1B5_4A32_D192_ED03)
        return Int(g.next() % UInt64(folds))
    }

    /// Deals blocks to folds (see the type's discussion).
    /// - Returns: the fold of each block.
    static func deal(blocks: Int, depositsPerBlock: [Int: Int], folds: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed ^ 0x426C_6F63_6B46_6F6C)
        var table = [UInt8](repeating: 0, count: blocks)
        var withDeposits = depositsPerBlock.keys.sorted()
        shuffle(&withDeposits, &rng)
        let order = withDeposits.enumerated().sorted { a, b in
            (depositsPerBlock[a.element]!, -a.offset) > (depositsPerBlock[b.element]!, -b.offset)
        }
        var deposits = [Int](repeating: 0, count: folds)
        var count = [Int](repeating: 0, count: folds)
        for (_, block) in order {
            let f = (0..<folds).min { (deposits[$0], count[$0], $0) < (deposits[$1], count[$1], $1) }!
            table[block] = UInt8(f)
            deposits[f] += depositsPerBlock[block]!
            count[f] += 1
        }
        var empty = (0..<blocks).filter { depositsPerBlock[$0] == nil }
        shuffle(&empty, &rng)
        let round = (0..<folds).sorted { (count[$0], $0) < (count[$1], $1) }
        for (j, block) in empty.enumerated() { table[block] = UInt8(round[j % folds]) }
        return table
    }

    /// Fisher–Yates with `rng`.
    static func shuffle(_ a: inout [Int], _ rng: inout SplitMix64) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
    }
}
