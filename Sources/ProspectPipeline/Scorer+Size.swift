import Foundation
import ProspectCore

extension Scorer {
    /// Grids of more cells than this (2^34, 17 179 869 184: 64 GiB per Float32 band) are
    /// scored only with `ScoreOptions.allowLarge`; a continental grid at 30 m is about 2^33.
    public static let maxCells = 1 << 34

    /// Refuses, before anything is written, a grid of more than `maxCells` cells or a map whose
    /// estimated size exceeds the free space of the output folder, unless `options.allowLarge`.
    ///
    /// The estimate is 4 bytes per cell and band uncompressed; compressed maps are counted at a
    /// quarter of that, a guess on the safe side for smooth probability maps; a COG also needs
    /// its uncompressed staging file. Free space is `statfs`'s, through
    /// `FileManager.attributesOfFileSystem` (`.systemFreeSize`), unchecked when unknown.
    /// - Throws: `PipelineError` naming `outputPath`, with the size and the override.
    static func checkSize(grid: Grid, bands: Int, outputPath: String, options: ScoreOptions) throws {
        guard !options.allowLarge else { return }
        let override = "pass --allow-large (in a study: outputs.allow_large: true) to score it anyway"
        let cells = grid.columns.multipliedReportingOverflow(by: grid.rows)
        guard !cells.overflow, cells.partialValue <= maxCells else {
            throw PipelineError(
                outputPath, "the grid has \(grid.columns) × \(grid.rows) cells, more than 2^34; \(override)")
        }
        let raw = Double(cells.partialValue) * Double(bands) * 4
        let compressed = options.compression == .none ? raw : raw / 4
        let needed = options.cog ? raw + compressed : compressed
        let folder = URL(fileURLWithPath: outputPath).deletingLastPathComponent().path
        // Unknown free space (a file system that does not say) is not a reason to refuse.
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: folder),
            let free = (attributes[.systemFreeSize] as? NSNumber)?.doubleValue
        else { return }
        guard needed <= free else {
            throw PipelineError(
                outputPath,
                "the map needs about \(gigabytes(needed)) but \(folder) has \(gigabytes(free)) free; \(override)")
        }
    }

    private static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}
