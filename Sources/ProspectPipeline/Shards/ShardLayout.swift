import Foundation
import ProspectCore

extension OptionName {
    public static let shardCount = OptionName(flag: "--shards", key: "")
    public static let shardIndex = OptionName(flag: "--index", key: "")
    public static let shardThreads = OptionName(flag: "--threads", key: "")
}

/// How a grid is cut into `count` tiles: `across × down = count`, the factor pair whose tiles
/// are closest to square (a prime count gives bands), edges on multiples of 256 cells (the
/// prepared layers' blocks) where the tiles are that large.
public enum ShardLayout {
    /// The tiles, row-major.
    /// - Throws: `OptionError` naming `--shards` when the count is below 1 or the grid has
    ///   too few rows and columns for it.
    public static func tiles(of grid: Grid, count: Int) throws(OptionError) -> (across: Int, down: Int, windows: [Window]) {
        guard count >= 1 else { throw OptionError(.shardCount, "give at least 1 shard, got \(count)") }
        var best: (across: Int, down: Int, misfit: Double)?
        for across in 1...count where count % across == 0 {
            let down = count / across
            guard across <= grid.columns, down <= grid.rows else { continue }
            let aspect = (Double(grid.columns) / Double(across)) / (Double(grid.rows) / Double(down))
            let misfit = abs(log(aspect))
            if best == nil || misfit < best!.misfit - 1e-12 { best = (across, down, misfit) }
        }
        guard let (across, down, _) = best else {
            throw OptionError(
                .shardCount,
                "\(count) shards do not fit a grid of \(grid.columns) × \(grid.rows) cells (give at most one shard per row and column)")
        }
        let columns = cuts(grid.columns, into: across)
        let rows = cuts(grid.rows, into: down)
        var windows: [Window] = []
        for r in 0..<down {
            for c in 0..<across {
                windows.append(
                    Window(column: columns[c], row: rows[r], columns: columns[c + 1] - columns[c], rows: rows[r + 1] - rows[r]))
            }
        }
        return (across, down, windows)
    }

    /// The `parts + 1` edges cutting `length` cells into `parts` near-equal runs, on multiples
    /// of 256 when each run holds at least 256 cells (else of 16, else of 1).
    static func cuts(_ length: Int, into parts: Int) -> [Int] {
        for unit in [256, 16, 1] where length / parts >= unit {
            var edges = [0]
            for i in 1..<parts {
                let ideal = Double(i) * Double(length) / Double(parts)
                edges.append(Int((ideal / Double(unit)).rounded()) * unit)
            }
            edges.append(length)
            if zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) { return edges }
        }
        return (0...parts).map { $0 * length / parts }
    }
}
