import Foundation
import ProspectCore

/// The side of the square blocks a map is cut into for spatial validation, and why.
public struct BlockSize: Sendable, Equatable, Codable {
    /// Cells along a side.
    public var cells: Int
    /// `cells` × the cell side, in km.
    public var km: Double
    /// How the size was chosen, in words.
    public var reason: String
}

/// Square blocks of a grid for spatially blocked validation (Roberts et al. 2017): block
/// `(row / side) · across + column / side`, as `TrainingArea.blocks` numbers them.
public enum SpatialBlocks {
    /// The default block side is this many times the median distance from a deposit cell to
    /// the nearest other one: clusters of neighbouring deposits then mostly fall in one block.
    public static let spacingMultiple = 5.0

    /// Blocks across and down a grid for a side of `side` cells.
    public static func count(side: Int, grid: Grid) -> (across: Int, down: Int) {
        ((grid.columns + side - 1) / side, (grid.rows + side - 1) / side)
    }

    /// The block size: `km` when given, else `spacingMultiple` × the deposits' median
    /// nearest-neighbour distance rounded to 1, 2, 2.5 or 5 × 10ⁿ km, in whole cells, and
    /// halved while there are fewer blocks, or blocks holding deposits, than `minimumBlocks`.
    /// - Parameters:
    ///   - cellKm: the side of a cell in km.
    ///   - depositCells: the deposit cells (row-major indices), one each.
    ///   - minimumBlocks: the fewest blocks that make sense (the folds).
    /// - Throws: `OptionError` for `option` when the given size makes fewer than
    ///   `minimumBlocks` blocks on the map.
    public static func choose(
        km given: Double?, option: OptionName, grid: Grid, cellKm: Double, depositCells: [Int], minimumBlocks: Int
    ) throws(OptionError) -> BlockSize {
        func blocks(_ side: Int) -> Int {
            let (a, d) = count(side: side, grid: grid)
            return a * d
        }
        func depositBlocks(_ side: Int) -> Int {
            let across = count(side: side, grid: grid).across
            return Set(depositCells.map { ($0 / grid.columns / side) * across + ($0 % grid.columns) / side }).count
        }
        let mapKm = "\(grid.columns) × \(grid.rows) cells of \(show(cellKm)) km"
        if let given {
            let side = max(1, Int((given / cellKm).rounded()))
            guard blocks(side) >= minimumBlocks else {
                var largest = min(side, max(grid.columns, grid.rows))
                while largest > 1, blocks(largest) < minimumBlocks { largest -= 1 }
                throw OptionError(
                    option,
                    "blocks of \(show(given)) km make \(blocks(side)) block\(blocks(side) == 1 ? "" : "s") on the map (\(mapKm)); give at most \(show(Double(largest) * cellKm)) km for \(minimumBlocks) folds"
                )
            }
            let note = abs(Double(side) * cellKm - given) > 1e-9 * given ? " (\(show(given)) km, in whole cells of \(show(cellKm)) km)" : ""
            return BlockSize(cells: side, km: tidy(Double(side) * cellKm), reason: "as given\(note)")
        }
        var side: Int
        var reason: String
        if let spacing = medianNearestNeighbour(depositCells, columns: grid.columns) {
            let spacingKm = spacing * cellKm
            let km = nice(spacingMultiple * spacingKm)
            side = max(1, Int((km / cellKm).rounded()))
            reason =
                "\(show(spacingMultiple)) × the median distance from a deposit to its nearest neighbour (\(show(spacingKm)) km), rounded to \(show(km)) km"
        } else {
            side = max(1, max(grid.columns, grid.rows) / (2 * minimumBlocks))
            reason = "one deposit cell: the map's longer side / \(2 * minimumBlocks)"
        }
        side = min(side, max(grid.columns, grid.rows))
        let wanted = min(minimumBlocks, depositCells.count)
        var halved = false
        while side > 1, blocks(side) < minimumBlocks || depositBlocks(side) < wanted {
            side /= 2
            halved = true
        }
        if halved { reason += "; halved to \(show(Double(side) * cellKm)) km so that each of the \(minimumBlocks) folds can hold deposits" }
        return BlockSize(cells: side, km: tidy(Double(side) * cellKm), reason: reason)
    }

    /// The median, over deposit cells, of the distance in cells from a cell's centre to the
    /// nearest other deposit cell's; nil for fewer than two cells.
    ///
    /// A sweep over the cells sorted by column: for each, neighbours are visited outwards in
    /// column order until the column gap alone exceeds the nearest distance found.
    public static func medianNearestNeighbour(_ cells: [Int], columns: Int) -> Double? {
        guard cells.count >= 2 else { return nil }
        let points = cells.map { (c: $0 % columns, r: $0 / columns) }.sorted { ($0.c, $0.r) < ($1.c, $1.r) }
        var nearest: [Double] = []
        nearest.reserveCapacity(points.count)
        for i in points.indices {
            var best = Int.max
            for step in [-1, 1] {
                var j = i + step
                while j >= 0, j < points.count {
                    let dc = points[j].c - points[i].c
                    if dc * dc > best { break }
                    let dr = points[j].r - points[i].r
                    best = min(best, dc * dc + dr * dr)
                    j += step
                }
            }
            nearest.append(Double(best).squareRoot())
        }
        nearest.sort()
        let n = nearest.count
        return n % 2 == 1 ? nearest[n / 2] : (nearest[n / 2 - 1] + nearest[n / 2]) / 2
    }

    /// `x` to 9 significant digits, so that 12 cells of 0.1 km are 1.2 km, not 1.2000000000000002.
    static func tidy(_ x: Double) -> Double { Double(String(format: "%.9g", x)) ?? x }

    /// `x` rounded to the nearest (in ratio) of 1, 2, 2.5 and 5 × 10ⁿ.
    static func nice(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return x }
        let decade = pow(10, (log10(x)).rounded(.down))
        let steps = [1, 2, 2.5, 5, 10].map { $0 * decade }
        return steps.min { abs(log($0 / x)) < abs(log($1 / x)) }!
    }

    /// A number in km as text: up to three significant decimals, no trailing zeros.
    public static func show(_ x: Double) -> String {
        var s = String(format: x >= 10 ? "%.1f" : x >= 1 ? "%.2f" : "%.3f", x)
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
