import Foundation
import ProspectCore
import ProspectGDAL

/// What every training method starts from, built once: the evidence stack (transforms
/// resolved), the deposit cells with their values, the deposits left out and why, the base
/// summary and the warnings that concern the data rather than a method.
///
/// Several deposits in one cell count once (each deposit occupies a unit cell, as in ArcSDM).
/// A deposit outside the grid, or on a cell where a layer is missing (under
/// `MissingDataRule.unknown`: where every layer is), is left out with the reason.
public struct TrainingData: Sendable {
    /// A grid cell holding at least one usable deposit.
    public struct DepositCell: Sendable {
        /// Row-major index of the cell on the grid.
        public var cell: Int
        /// Each layer's value there, after its transforms; NaN for a missing layer under
        /// `MissingDataRule.unknown`.
        public var values: [Float]
        /// The deposits in the cell, in file order.
        public var ids: [String]
    }

    public var stack: EvidenceStack
    /// Class code → name, by layer name.
    public var legend: [String: [String: String]]
    /// The deposits' file, when deposits were given.
    public var depositsPath: String?
    /// The usable deposit cells, by ascending cell index.
    public var depositCells: [DepositCell]
    /// Deposits left out, with the reason.
    public var skipped: [(id: String, reason: String)]
    /// Deposit counts and the cell area; the training area (`validCells`) is the method's to fill.
    public var summary: TrainingSummary
    /// What the user should know about the data (a grid in degrees, an assumed CRS).
    public var warnings: [String]
    /// True when the grid's CRS is geographic, so cell sizes are degrees.
    public var geographic: Bool

    /// Resolves the layers' transforms, opens them as one stack and reads the deposits' values.
    ///
    /// The values come from the same tile reads as every other pass (`StackReader`), only the
    /// tiles holding deposits, on up to `threads` workers.
    /// - Parameters:
    ///   - deposits: the deposits' file; nil for a knowledge-driven model given none.
    ///   - selection: which of its points are deposits, and the field naming them.
    ///   - missing: the missing-data rule, which decides which deposits are usable.
    ///   - required: the fewest usable deposit cells the method needs (0 for knowledge-driven models).
    /// - Throws: `PipelineError` naming the file: a layer or the deposits unreadable, a layer
    ///   with no data, fewer usable deposits than `required`.
    public static func load(
        layers: [LayerSpec], deposits source: VectorSource?, depositsCRS: String? = nil,
        selection: DepositSelection = DepositSelection(), missing: MissingDataRule = .nodata, required: Int,
        legend: [String: [String: String]] = [:], threads: Int = ProcessInfoCores.active
    ) throws -> TrainingData {
        let stack = try EvidenceStack.open(try TransformResolver.resolve(layers, threads: threads))
        try stack.checkCategoricalCodes()
        // Layers given directly (not from a stack) bring their rasters' class names.
        let legend = RasterLegend.filling(legend, for: stack.layers)
        let grid = stack.grid
        let (cellAreaKm2, approximateArea) = try CellArea.km2(of: grid, file: stack.layers[0].path)
        var warnings: [String] = []
        if approximateArea {
            warnings.append(
                "the grid is in degrees (\(grid.crsName.isEmpty ? "geographic CRS" : grid.crsName)); areas use the cell size at its central latitude (\(String(format: "%.4g", cellAreaKm2)) km²); reproject to an equal-area or projected grid for exact areas"
            )
        }
        var summary = TrainingSummary(
            validCells: 0, cellAreaKm2: cellAreaKm2, depositsGiven: 0, depositsUsed: 0,
            depositsOutsideGrid: 0, depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: [])
        guard let source else {
            return TrainingData(
                stack: stack, legend: legend, depositsPath: nil, depositCells: [], skipped: [], summary: summary,
                warnings: warnings, geographic: approximateArea)
        }
        let deposits = try DepositSet.load(source.path, layer: source.layer, grid: grid, assumedCRS: depositsCRS, selection: selection)
        if let assumed = deposits.assumedCRS {
            warnings.append("\(deposits.path) declares no CRS; its coordinates were taken to be in \(assumed) as asked")
        }
        warnings += deposits.readWarnings
        var skipped: [(id: String, reason: String)] = deposits.outside.map { ($0, "outside the evidence grid") }
        // The first deposit in a cell decides it; the others share it.
        var first: [Int: Int] = [:]
        var cells: [DepositCell] = []
        for d in deposits.inside {
            if let i = first[d.cellIndex] {
                summary.depositsSharingCell += 1
                cells[i].ids.append(d.id)
            } else {
                first[d.cellIndex] = cells.count
                cells.append(DepositCell(cell: d.cellIndex, values: [], ids: [d.id]))
            }
        }
        try readValues(&cells, stack: stack, threads: threads)
        var usable: [DepositCell] = []
        for c in cells {
            var reason: String?
            switch missing {
            case .nodata:
                if let k = stack.layers.indices.first(where: { !Self.isValid(c.values[$0], nodata: stack.nodata[$0]) }) {
                    reason = "on a nodata cell of layer \(stack.layers[k].name)"
                }
            case .unknown:
                if !stack.layers.indices.contains(where: { Self.isValid(c.values[$0], nodata: stack.nodata[$0]) }) {
                    reason = "on a cell where every layer is nodata"
                }
            }
            if let reason {
                skipped.append((c.ids[0], reason))
                summary.depositsOnNodata += 1
            } else {
                var u = c
                for k in u.values.indices where !Self.isValid(u.values[k], nodata: stack.nodata[k]) { u.values[k] = .nan }
                usable.append(u)
            }
        }
        usable.sort { $0.cell < $1.cell }
        summary.depositsGiven = deposits.given
        summary.depositsUsed = usable.count
        summary.depositsOutsideGrid = deposits.outside.count
        if usable.isEmpty, required > 0 {
            // Every deposit is on a gap: name a layer that has no data at all, if there is one.
            for layer in stack.layers where try RasterDataset.open(layer.path).statistics(approximate: false) == nil {
                throw PipelineError(layer.path, "every cell is nodata")
            }
        }
        guard usable.count >= required else {
            throw PipelineError(
                deposits.path,
                "only \(usable.count) deposit(s) fall on cells where \(missing == .unknown ? "some" : "every") layer has data; at least \(required) are needed"
            )
        }
        return TrainingData(
            stack: stack, legend: legend, depositsPath: deposits.path, depositCells: usable, skipped: skipped,
            summary: summary, warnings: warnings, geographic: approximateArea)
    }

    /// A layer value the models take: finite (not NaN, not ±Inf) and not the layer's nodata.
    static func isValid(_ v: Float, nodata: Float) -> Bool { v.isFinite && v != nodata }

    /// Fills each cell's values from the tiles that hold deposit cells, transforms applied.
    static func readValues(_ cells: inout [DepositCell], stack: EvidenceStack, threads: Int) throws {
        let tiling = stack.tiling
        var byTile: [Int: [Int]] = [:]
        for (i, c) in cells.enumerated() {
            let column = c.cell % stack.grid.columns
            let row = c.cell / stack.grid.columns
            byTile[(row / tiling.tileRows) * tiling.across + column / tiling.tileColumns, default: []].append(i)
        }
        guard !byTile.isEmpty else { return }
        // The tiles read on up to `threads` workers (deposits spread over a grid reach most of
        // its tiles: a pass over the stack); each deposit's values written to its own row.
        let tiles = byTile.keys.sorted()
        let members = tiles.map { byTile[$0]! }
        let grid = stack.grid
        let layers = stack.layers.count
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells.count * layers)
        defer { values.deallocate() }
        let shared = UnsafeTransfer(values)
        let cellIndices = cells.map(\.cell)
        let queue = TileQueue()
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, tiles.count))) { _ in
            do {
                let reader = try StackReader(stack, tiling: tiling)
                let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
                defer { buffers.forEach { $0.deallocate() } }
                while let t = queue.next(limit: tiles.count) {
                    let (window, stride) = try reader.read(tile: tiles[t], into: buffers)
                    for i in members[t] {
                        let column = cellIndices[i] % grid.columns
                        let row = cellIndices[i] / grid.columns
                        let o = (row - window.row) * stride + column - window.column
                        for k in 0..<layers { shared.value[i * layers + k] = buffers[k][o] }
                    }
                }
            } catch {
                queue.fail(error)
            }
        }
        if let error = queue.error { throw error }
        for i in cells.indices { cells[i].values = Array(values[(i * layers)..<((i + 1) * layers)]) }
    }
}

/// Fills the parameters that transforms take from the data (min–max, z-score, fuzzy
/// midpoints) from each layer's own valid cells, after the transforms before them.
///
/// Each layer is read on up to `threads` workers; each tile's statistics are merged in tile
/// order (`StatisticsAccumulator.merge`), so the parameters are the same for any number of threads.
public enum TransformResolver {
    /// - Throws: `PipelineError` naming the layer's file when it has no valid cell to take a
    ///   parameter from.
    public static func resolve(
        _ layers: [LayerSpec], threads: Int = ProcessInfoCores.active, progress: Progress? = nil
    ) throws -> [LayerSpec] {
        var out = layers
        for k in layers.indices {
            var chain = layers[k].transforms
            for i in chain.indices where chain[i].needsStatistics {
                var spec = layers[k]
                spec.transforms = Array(chain[0..<i])
                var accumulator = StatisticsAccumulator()
                let stack = try EvidenceStack.open([spec])
                let nodata = stack.nodata[0]
                try CellStream.reduce(of: stack, threads: threads, requireData: false, progress: progress) {
                    StatisticsAccumulator()
                } _: { part, tile in
                    for r in 0..<tile.window.rows {
                        part.add(tile.buffers[0].baseAddress! + r * tile.stride, count: tile.window.columns, nodata: nodata)
                    }
                } commit: { part in
                    accumulator.merge(part)
                }
                guard let stats = accumulator.statistics else {
                    throw PipelineError(
                        spec.path,
                        "every cell is nodata\(i > 0 ? " after \(chain[0..<i].map(\.description).joined(separator: ", "))" : ""), so \(chain[i]) has nothing to take its parameters from"
                    )
                }
                chain[i] = chain[i].resolved(with: stats)
            }
            out[k].transforms = chain
        }
        return out
    }
}
