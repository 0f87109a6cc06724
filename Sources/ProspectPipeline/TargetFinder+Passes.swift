import Foundation
import ProspectCore
import ProspectGDAL

/// A map read in strips of whole rows, its score band and, when it has one, its uncertainty
/// band.
///
/// Float32 bands are read block by block (`GDALReadBlock`, past GDAL's block cache, so memory
/// stays at one strip however large the map); other types through `GDALRasterIO` in strips of
/// 256 rows.
final class MapStrips {
    let path: String
    let dataset: RasterDataset
    let grid: Grid
    let nodata: Float
    let metadata: [String: String]
    /// The uncertainty band (posterior_std, ensemble_spread), its name and nodata.
    let uncertaintyBand: Int?
    let uncertaintyName: String?
    let uncertaintyNodata: Float
    let stripRows: Int
    private let byBlocks: Bool
    private let block: (columns: Int, rows: Int)

    init(path: String) throws {
        self.path = path
        let dataset = try RasterDataset.open(path)
        self.dataset = dataset
        grid = try GridCheck.northUp(dataset, path: path)
        nodata = dataset.nodata().map { Float($0) } ?? .nan
        metadata = dataset.metadata()
        var band: Int?
        if dataset.bandCount > 1 {
            band = (2...dataset.bandCount).first { TargetFinder.uncertaintyBands.contains(dataset.bandDescription(band: $0)) }
        }
        uncertaintyBand = band
        uncertaintyName = band.map { dataset.bandDescription(band: $0) }
        uncertaintyNodata = band.flatMap { dataset.nodata(band: $0) }.map { Float($0) } ?? .nan
        let block = dataset.blockSize()
        self.block = block
        var float = dataset.dataType() == .float32
        if let band { float = float && dataset.dataType(band: band) == .float32 && dataset.blockSize(band: band) == block }
        byBlocks = float && block.columns * block.rows <= 1 << 22 && block.rows <= 1024
        stripRows = byBlocks ? block.rows : 256
    }

    @inline(__always) func isValid(_ v: Float) -> Bool { !v.isNaN && v != nodata }
    @inline(__always) func isValidUncertainty(_ v: Float) -> Bool { !v.isNaN && v != uncertaintyNodata }

    /// Calls `body` for each strip of rows, top to bottom: its first row, its row count, and
    /// the rows of each band read (`columns` wide).
    func forEachStrip(
        uncertainty: Bool,
        _ body: (_ row: Int, _ rows: Int, _ scores: UnsafeBufferPointer<Float>, _ uncertainty: UnsafeBufferPointer<Float>?) throws -> Void
    ) throws {
        let columns = grid.columns
        let bands = [1] + (uncertainty ? uncertaintyBand.map { [$0] } ?? [] : [])
        let strips = bands.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: columns * stripRows) }
        let blockBuffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: byBlocks ? block.columns * block.rows : 0)
        defer {
            for s in strips { s.deallocate() }
            blockBuffer.deallocate()
        }
        var row = 0
        while row < grid.rows {
            let rows = min(stripRows, grid.rows - row)
            for (b, band) in bands.enumerated() {
                if byBlocks {
                    let across = (columns + block.columns - 1) / block.columns
                    for bc in 0..<across {
                        try dataset.readBlock(
                            band: band, blockColumn: bc, blockRow: row / block.rows, into: UnsafeMutableRawPointer(blockBuffer.baseAddress!)
                        )
                        let c0 = bc * block.columns
                        let width = min(block.columns, columns - c0)
                        for r in 0..<rows {
                            let from = blockBuffer.baseAddress! + r * block.columns
                            (strips[b].baseAddress! + r * columns + c0).update(from: from, count: width)
                        }
                    }
                } else {
                    try dataset.read(
                        band: band, window: Window(column: 0, row: row, columns: columns, rows: rows),
                        into: UnsafeMutableBufferPointer(rebasing: strips[b][0..<(columns * rows)]))
                }
            }
            try body(
                row, rows, UnsafeBufferPointer(rebasing: strips[0][0..<(columns * rows)]),
                strips.count > 1 ? UnsafeBufferPointer(rebasing: strips[1][0..<(columns * rows)]) : nil)
            row += rows
        }
    }

    /// The score at or above which lie the top `percent` of valid cells (two passes).
    /// - Throws: `PipelineError` when every cell is nodata.
    func topAreaThreshold(percent: Double) throws -> Float {
        var selection = StreamingSelection()
        try forEachStrip(uncertainty: false) { _, _, scores, _ in
            for v in scores where isValid(v) { selection.count(v) }
        }
        let valid = selection.count
        guard valid > 0 else { throw PipelineError(path, "every cell is nodata") }
        let k = max(1, min(valid, Int((Double(valid) * percent / 100).rounded(.up))))
        _ = selection.choose(k: k)
        try forEachStrip(uncertainty: false) { _, _, scores, _ in
            for v in scores where isValid(v) { selection.offer(v) }
        }
        return selection.result()!
    }

    /// Reads one band over a window.
    func read(band: Int, window: Window) throws -> [Float] {
        var values = [Float](repeating: 0, count: window.cellCount)
        try values.withUnsafeMutableBufferPointer { try dataset.read(band: band, window: window, into: $0) }
        return values
    }

    /// The cells of a window in the 8-connected area at or above `threshold` holding cell
    /// `first` (row-major over the map).
    func componentMask(window: Window, first: Int, threshold: Float) throws -> [Bool] {
        let scores = try read(band: 1, window: window)
        let (labels, _) = scores.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: window.columns, rows: window.rows, threshold: threshold, isValid: isValid)
        }
        let local = (first / grid.columns - window.row) * window.columns + first % grid.columns - window.column
        let label = labels[local]
        precondition(label != 0, "the first cell of a component is in it")
        return labels.map { $0 == label }
    }

    /// Pass 3: the connected areas at or above `threshold` with their statistics, the tiles,
    /// the deposits in target cells, and the first pass of the matrix's medians.
    func scanComponents(threshold: Float, tileCells: Int, minCells: Int, deposits: DepositSet?) throws -> ComponentScan {
        let columns = grid.columns
        var scan = ComponentScan(columns: columns, rows: grid.rows, tileCells: tileCells, threshold: threshold, minCells: minCells)
        var scanner = ComponentScanner(columns: columns)
        // Deposit points by row.
        var depositsByRow: [Int: [(column: Int, index: Int)]] = [:]
        for (i, d) in (deposits?.inside ?? []).enumerated() { depositsByRow[d.row, default: []].append((d.column, i)) }
        let tileOfColumn = (0..<columns).map { $0 / tileCells }
        let hasUncertainty = uncertaintyBand != nil
        var valid = 0
        try forEachStrip(uncertainty: true) { row0, rows, scores, uncertainty in
            for r in 0..<rows {
                let row = row0 + r
                let s = UnsafeBufferPointer(rebasing: scores[(r * columns)..<((r + 1) * columns)])
                let u = uncertainty.map { UnsafeBufferPointer(rebasing: $0[(r * columns)..<((r + 1) * columns)]) }
                scanner.add(
                    scores: s, uncertainty: u, isTarget: { isValid($0) && $0 >= threshold }, isValidUncertainty: isValidUncertainty
                ) { root, summary in
                    scan.complete(root: root, summary: summary)
                }
                let tileRow = (row / tileCells) * scan.tilesAcross
                for c in 0..<columns {
                    let v = s[c]
                    guard isValid(v) else { continue }
                    valid += 1
                    let above = v >= threshold
                    scan.tiles[tileRow + tileOfColumn[c]].add(v, above: above)
                    if above, hasUncertainty, let u, isValidUncertainty(u[c]) {
                        scan.scoreMedian.count(v)
                        scan.uncertaintyMedian.count(u[c])
                    }
                }
                if let here = depositsByRow[row] {
                    let labels = scanner.labeller.current
                    for d in here where labels[d.column] != 0 { scan.depositLabels.append((d.index, labels[d.column])) }
                }
            }
        }
        guard valid > 0 else { throw PipelineError(path, "every cell is nodata") }
        scanner.finish { root, summary in scan.complete(root: root, summary: summary) }
        scan.provisionalCount = Int(scanner.labeller.count)
        scan.resolved = scanner.resolve()
        return scan
    }

    /// Pass 4: traces the kept areas that were not split (the pieces of split ones are traced
    /// from their windows) and gathers the medians of the matrix.
    func tracePolygons(units: inout TargetUnits, scan: inout ComponentScan, threshold: Float) throws {
        let unsplit = units.kept.indices.filter { units.kept[$0].root != 0 }
        let medians = scan.scoreMedian.choose(k: (scan.scoreMedian.count + 1) / 2)
        _ = scan.uncertaintyMedian.choose(k: (scan.uncertaintyMedian.count + 1) / 2)
        guard !unsplit.isEmpty || medians else { return }
        let columns = grid.columns
        // Provisional label → 1-based index among the areas traced (0: not traced).
        var indexOfRoot: [Int32: Int32] = [:]
        for (i, k) in unsplit.enumerated() { indexOfRoot[units.kept[k].root] = Int32(i + 1) }
        let traced = scan.resolved.map { indexOfRoot[$0] ?? 0 }
        var labeller = RowLabeller(columns: columns)
        var tracer = CellRingTracer(columns: columns, labelCount: unsplit.count)
        var row = [Int32](repeating: 0, count: columns)
        try forEachStrip(uncertainty: medians) { _, rows, scores, uncertainty in
            for r in 0..<rows {
                let s = UnsafeBufferPointer(rebasing: scores[(r * columns)..<((r + 1) * columns)])
                if !unsplit.isEmpty {
                    labeller.next(foreground: { isValid(s[$0]) && s[$0] >= threshold }, equivalent: { _, _ in })
                    labeller.current.withUnsafeBufferPointer { labels in
                        for c in 0..<columns { row[c] = labels[c] == 0 ? 0 : traced[Int(labels[c])] }
                    }
                    row.withUnsafeBufferPointer { tracer.add(row: $0) }
                }
                if medians, let uncertainty {
                    let u = UnsafeBufferPointer(rebasing: uncertainty[(r * columns)..<((r + 1) * columns)])
                    for c in 0..<columns where isValid(s[c]) && s[c] >= threshold && isValidUncertainty(u[c]) {
                        scan.scoreMedian.offer(s[c])
                        scan.uncertaintyMedian.offer(u[c])
                    }
                }
            }
        }
        guard !unsplit.isEmpty else { return }
        tracer.finish()
        for (i, k) in unsplit.enumerated() {
            units.kept[k].polygons = tracer.polygons(of: Int32(i + 1))
            tracer.release(Int32(i + 1))
        }
    }
}

/// What the component pass gathers.
struct ComponentScan {
    struct Tile {
        var valid = 0
        var sum = 0.0
        var max = -Float.infinity
        var above = 0
        @inline(__always) mutating func add(_ v: Float, above isAbove: Bool) {
            valid += 1
            sum += Double(v)
            if v > max { max = v }
            if isAbove { above += 1 }
        }
    }

    let columns: Int
    let rows: Int
    let tileCells: Int
    let threshold: Float
    /// Areas with fewer cells are counted, not kept.
    let minCells: Int
    let tilesAcross: Int
    var tiles: [Tile]
    /// The completed areas of at least `minCells` cells (root label, statistics); `count`
    /// areas in all.
    var components: [(root: Int32, summary: ComponentSummary)] = []
    var count = 0
    /// Deposits (index into the deposit set's `inside`) on a target cell, with that cell's
    /// provisional label.
    var depositLabels: [(deposit: Int, label: Int32)] = []
    var provisionalCount = 0
    /// The root of every provisional label.
    var resolved: [Int32] = []
    var scoreMedian = StreamingSelection()
    var uncertaintyMedian = StreamingSelection()

    init(columns: Int, rows: Int, tileCells: Int, threshold: Float, minCells: Int) {
        self.minCells = minCells
        self.columns = columns
        self.rows = rows
        self.tileCells = tileCells
        self.threshold = threshold
        tilesAcross = (columns + tileCells - 1) / tileCells
        tiles = [Tile](repeating: Tile(), count: tilesAcross * ((rows + tileCells - 1) / tileCells))
    }

    mutating func complete(root: Int32, summary: ComponentSummary) {
        count += 1
        if summary.cells >= minCells { components.append((root, summary)) }
    }

    /// The matrix's thresholds, once both selections are done.
    mutating func matrix(band: String?) -> UncertaintyMatrix? {
        guard let band, let s = scoreMedian.result(), let u = uncertaintyMedian.result() else { return nil }
        return UncertaintyMatrix(band: band, scoreMedian: Double(s), uncertaintyMedian: Double(u))
    }

    /// The tiles, ranked (`TileRanking.rank`), the first `top` of them (0: all).
    func shownTiles(top: Int) -> [TileStat] {
        let stats = tiles.enumerated().map { i, t in
            let tc = i % tilesAcross
            let tr = i / tilesAcross
            let window = Window(
                column: tc * tileCells, row: tr * tileCells, columns: min(tileCells, columns - tc * tileCells),
                rows: min(tileCells, rows - tr * tileCells))
            return TileStat(
                tileColumn: tc, tileRow: tr, window: window, validCells: t.valid, mean: t.valid > 0 ? t.sum / Double(t.valid) : 0,
                max: t.max, cellsAboveThreshold: t.above)
        }
        let ranked = TileRanking.rank(stats)
        return top > 0 ? Array(ranked.prefix(top)) : ranked
    }

    func rankedTiles(top: Int, grid: Grid, cellKm2: Double, toWGS84: CoordinateTransformer) throws -> [RankedTile] {
        try shownTiles(top: top).enumerated().map { i, t in
            let (x, y) = grid.transform.map(
                column: Double(t.window.column) + Double(t.window.columns) / 2, row: Double(t.window.row) + Double(t.window.rows) / 2)
            let ll = try toWGS84.transform([(x, y)])[0]
            return RankedTile(
                rank: i + 1, column: t.tileColumn, row: t.tileRow, meanScore: t.mean, maxScore: Double(t.max),
                areaAboveKm2: Double(t.cellsAboveThreshold) * cellKm2, centroidLon: ll.x, centroidLat: ll.y)
        }
    }
}
