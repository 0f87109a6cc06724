import Foundation
import ProspectCore
import ProspectGDAL

/// A map read in strips of whole rows, its score band and, when it has one, its uncertainty
/// band.
///
/// Float32 bands are read block by block, past GDAL's block cache, so memory stays at one
/// strip however large the map: maps as Prospect writes them (ZSTD, floating-point predictor)
/// by `TileReader`, others by `GDALReadBlock`; other types through `GDALRasterIO` in strips of
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
    /// One handle per reading thread (the first is `dataset`), opened when first needed, with
    /// its tile reader when the map is one `TileReader` reads.
    private var handles: [(dataset: RasterDataset, tiles: TileReader?)] = []
    /// Threads reading strips: two with two cores or more (decoding a compressed map is most
    /// of the work), else one.
    let readerCount = min(2, ProcessInfoCores.active)
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

    /// The handles the readers use: `dataset`, then one more per further reader.
    private var readerHandles: [(dataset: RasterDataset, tiles: TileReader?)] {
        get throws {
            let bands = [1] + (uncertaintyBand.map { [$0] } ?? [])
            while handles.count < readerCount {
                let d = handles.isEmpty ? dataset : try RasterDataset.open(path)
                handles.append((d, byBlocks ? TileReader.make(dataset: d, bands: bands) : nil))
            }
            return handles
        }
    }

    @inline(__always) func isValid(_ v: Float) -> Bool { !v.isNaN && v != nodata }
    @inline(__always) func isValidUncertainty(_ v: Float) -> Bool { !v.isNaN && v != uncertaintyNodata }

    /// Calls `body` for each strip of rows, top to bottom: its first row, its row count, and
    /// the rows of each band read (`columns` wide).
    ///
    /// A second thread reads the next strip while `body` works on this one (two strips in
    /// memory per band); only that thread touches the dataset meanwhile.
    func forEachStrip(
        uncertainty: Bool, blocks: ((_ blockColumn: Int, _ blockRow: Int) -> Bool)? = nil,
        _ body: (_ row: Int, _ rows: Int, _ scores: UnsafeBufferPointer<Float>, _ uncertainty: UnsafeBufferPointer<Float>?) throws -> Void
    ) throws {
        let nothing: (Int, Int, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>?) -> Void = { _, _, _, _ in }
        try forEachStrip(uncertainty: uncertainty, blocks: blocks, prepare: nothing) { row, rows, scores, u, _ in
            try body(row, rows, scores, u)
        }
    }

    /// `forEachStrip`, with `prepare` run on the reading thread on each strip it has read, its
    /// result handed to `body` with the strip.
    ///
    /// What depends only on one strip is worked out there, beside the decoding, so that on
    /// two cores `body` (which runs the strips in order) is left with what must be sequential:
    /// `prepare` must read nothing that `body` changes.
    func forEachStrip<Prepared>(
        uncertainty: Bool, blocks: ((_ blockColumn: Int, _ blockRow: Int) -> Bool)? = nil,
        prepare:
            @escaping (_ row: Int, _ rows: Int, _ scores: UnsafeBufferPointer<Float>, _ uncertainty: UnsafeBufferPointer<Float>?) ->
            Prepared,
        _ body: (
            _ row: Int, _ rows: Int, _ scores: UnsafeBufferPointer<Float>, _ uncertainty: UnsafeBufferPointer<Float>?,
            _ prepared: Prepared
        ) throws -> Void
    ) throws {
        let columns = grid.columns
        let bands = [1] + (uncertainty ? uncertaintyBand.map { [$0] } ?? [] : [])
        let starts = Array(stride(from: 0, to: grid.rows, by: stripRows))
        let handles = try readerHandles
        // Readers take strips in turn (reader t the strips i with i mod readers = t), each into
        // its own two buffers; `body` takes the strips in order.
        let readers = (0..<readerCount).map { t in
            StripReader(
                map: self, dataset: handles[t].dataset, tiles: handles[t].tiles, bands: bands, blocks: blocks, prepare: prepare,
                capacity: columns * stripRows,
                starts: stride(from: t, to: starts.count, by: readerCount).map { starts[$0] })
        }
        for reader in readers { DispatchQueue.global().async { reader.run() } }
        do {
            for (i, row) in starts.enumerated() {
                let reader = readers[i % readerCount]
                let k = (i / readerCount) % 2
                reader.handoff.full[k].wait()
                if let error = reader.handoff.error { throw error }
                let rows = min(stripRows, grid.rows - row)
                let slot = reader.slots[k]
                try body(
                    row, rows, UnsafeBufferPointer(rebasing: slot[0][0..<(columns * rows)]),
                    slot.count > 1 ? UnsafeBufferPointer(rebasing: slot[1][0..<(columns * rows)]) : nil, reader.prepared[k]!)
                reader.prepared[k] = nil
                reader.handoff.empty[k].signal()
            }
        } catch {
            for reader in readers { reader.handoff.cancel() }
            for reader in readers { reader.handoff.done.wait() }
            throw error
        }
        for reader in readers { reader.handoff.done.wait() }
    }

    /// Reads rows `row ..< row + rows` of `bands` into one buffer per band, `columns` wide;
    /// blocks that `blocks` turns down are not read but filled with NaN (no data).
    fileprivate func readStrip(
        _ dataset: RasterDataset, tiles: TileReader?, row: Int, rows: Int, bands: [Int], blocks: ((Int, Int) -> Bool)?,
        into strips: [UnsafeMutableBufferPointer<Float>]
    ) throws {
        let columns = grid.columns
        for (b, band) in bands.enumerated() {
            if byBlocks {
                let blockBuffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: block.columns * block.rows)
                defer { blockBuffer.deallocate() }
                let across = (columns + block.columns - 1) / block.columns
                for bc in 0..<across {
                    let c0 = bc * block.columns
                    let width = min(block.columns, columns - c0)
                    if let blocks, !blocks(bc, row / block.rows) {
                        for r in 0..<rows { (strips[b].baseAddress! + r * columns + c0).update(repeating: .nan, count: width) }
                        continue
                    }
                    if let tiles {
                        try tiles.read(
                            band: band, blockColumn: bc, blockRow: row / block.rows, rows: rows, columns: width,
                            into: strips[b].baseAddress! + c0, stride: columns)
                        continue
                    }
                    try dataset.readBlock(
                        band: band, blockColumn: bc, blockRow: row / block.rows, into: UnsafeMutableRawPointer(blockBuffer.baseAddress!))
                    for r in 0..<rows {
                        (strips[b].baseAddress! + r * columns + c0).update(from: blockBuffer.baseAddress! + r * block.columns, count: width)
                    }
                }
            } else {
                try dataset.read(
                    band: band, window: Window(column: 0, row: row, columns: columns, rows: rows),
                    into: UnsafeMutableBufferPointer(rebasing: strips[b][0..<(columns * rows)]))
            }
        }
    }

    /// Pass 1 (and 2): the tiles' statistics, the blocks' score ranges and, without a given
    /// threshold, the score at or above which lie the top `percent` of the valid cells (the
    /// second pass reads only the blocks that can hold it).
    /// - Throws: `PipelineError` when every cell is nodata.
    func survey(threshold given: Float?, percent: Double, tileCells: Int) throws -> MapSurvey {
        let columns = grid.columns
        var survey = MapSurvey(grid: grid, tileCells: tileCells, block: byBlocks ? block : (columns, stripRows))
        let counting = given == nil
        let layout = survey
        let nodata = self.nodata
        let summarize = { (row0: Int, rows: Int, scores: UnsafeBufferPointer<Float>, _: UnsafeBufferPointer<Float>?) in
            layout.summarize(strip: scores, firstRow: row0, rows: rows, nodata: nodata, histogram: counting)
        }
        try forEachStrip(uncertainty: false, prepare: summarize) { row0, rows, _, _, strip in
            survey.merge(strip, firstRow: row0, rows: rows)
        }
        let valid = survey.tiles.reduce(0) { $0 + $1.valid }
        guard valid > 0 else { throw PipelineError(path, "every cell is nodata") }
        if let given {
            survey.threshold = given
            return survey
        }
        let k = max(1, min(valid, Int((Double(valid) * percent / 100).rounded(.up))))
        var selection = StreamingSelection(counts: survey.histogram)
        survey.histogram = []
        _ = selection.choose(k: k)
        let bucket = selection.bucket
        let wanted = { (column: Int, row: Int) in survey.block(column: column, row: row).holds(key: bucket) }
        // The bucket's members of each strip, from the blocks read (their order does not change
        // the answer: values of one bucket that compare equal have the same bits).
        let block = survey.block
        let pick = { (row0: Int, rows: Int, scores: UnsafeBufferPointer<Float>, _: UnsafeBufferPointer<Float>?) in
            var members: [Float] = []
            for bc in 0..<survey.blocksAcross where wanted(bc, row0 / block.rows) {
                for r in 0..<rows {
                    for c in (bc * block.columns)..<min(columns, (bc + 1) * block.columns) {
                        let v = scores[r * columns + c]
                        if !v.isNaN && v != nodata && Int(Selection.key(v) >> 16) == bucket { members.append(v) }
                    }
                }
            }
            return members
        }
        try forEachStrip(uncertainty: false, blocks: wanted, prepare: pick) { _, _, _, _, members in
            for v in members { selection.offer(v) }
        }
        survey.threshold = selection.result()!
        return survey
    }

    /// Reads one band over a window: block by block with the first reader's `TileReader` when
    /// the map is one it reads, else through `GDALRasterIO`.
    func read(band: Int, window: Window) throws -> [Float] {
        var values = [Float](repeating: 0, count: window.cellCount)
        guard let tiles = try readerHandles[0].tiles, window.cellCount > 0 else {
            try values.withUnsafeMutableBufferPointer { try dataset.read(band: band, window: window, into: $0) }
            return values
        }
        var buffer = [Float](repeating: 0, count: block.columns * block.rows)
        for br in (window.row / block.rows)...((window.row + window.rows - 1) / block.rows) {
            for bc in (window.column / block.columns)...((window.column + window.columns - 1) / block.columns) {
                // The block's cells inside both the map and the window.
                let r0 = max(window.row, br * block.rows)
                let r1 = min(window.row + window.rows, (br + 1) * block.rows)
                let c0 = max(window.column, bc * block.columns)
                let c1 = min(window.column + window.columns, (bc + 1) * block.columns)
                try buffer.withUnsafeMutableBufferPointer {
                    try tiles.read(
                        band: band, blockColumn: bc, blockRow: br, rows: r1 - br * block.rows, columns: c1 - bc * block.columns,
                        into: $0.baseAddress!, stride: block.columns)
                }
                for r in r0..<r1 {
                    for c in c0..<c1 {
                        values[(r - window.row) * window.columns + c - window.column] =
                            buffer[(r - br * block.rows) * block.columns + c - bc * block.columns]
                    }
                }
            }
        }
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
    func scanComponents(survey: MapSurvey, minCells: Int, deposits: DepositSet?) throws -> ComponentScan {
        let columns = grid.columns
        let threshold = survey.threshold
        var scan = ComponentScan(survey: survey, minCells: minCells)
        var scanner = ComponentScanner(columns: columns)
        // Deposit points by row.
        var depositsByRow: [Int: [(column: Int, index: Int)]] = [:]
        for (i, d) in (deposits?.inside ?? []).enumerated() { depositsByRow[d.row, default: []].append((d.column, i)) }
        let reaching = { (column: Int, row: Int) in survey.block(column: column, row: row).reaches(threshold) }
        let layout = survey
        let nodata = self.nodata
        let countAbove = { (row0: Int, rows: Int, scores: UnsafeBufferPointer<Float>, _: UnsafeBufferPointer<Float>?) in
            layout.countAbove(threshold, strip: scores, firstRow: row0, rows: rows, nodata: nodata)
        }
        try forEachStrip(uncertainty: true, blocks: reaching, prepare: countAbove) { row0, rows, scores, uncertainty, above in
            scan.survey.merge(above: above, firstRow: row0)
            for r in 0..<rows {
                let row = row0 + r
                let s = UnsafeBufferPointer(rebasing: scores[(r * columns)..<((r + 1) * columns)])
                let u = uncertainty.map { UnsafeBufferPointer(rebasing: $0[(r * columns)..<((r + 1) * columns)]) }
                scanner.add(
                    scores: s, threshold: threshold, nodata: nodata, uncertainty: u, uncertaintyNodata: uncertaintyNodata
                ) { root, summary in
                    scan.complete(root: root, summary: summary)
                }
                if let here = depositsByRow[row] {
                    let labels = scanner.labeller.current
                    for d in here where labels[d.column] != 0 { scan.depositLabels.append((d.index, labels[d.column])) }
                }
            }
        }
        scanner.finish { root, summary in scan.complete(root: root, summary: summary) }
        scan.provisionalCount = Int(scanner.labeller.count)
        scan.resolved = scanner.resolve()
        return scan
    }

    /// The largest bounding window (cells) of an area traced from its window rather than in
    /// the streaming pass: 12 bytes a cell, 48 MiB.
    static let windowTracingLimit = 1 << 22

    /// Pass 4: traces the kept areas that were not split (the pieces of split ones are traced
    /// from their windows): each from its bounding window when that is small, the others in one
    /// more streaming pass over the blocks that reach the threshold.
    func tracePolygons(units: inout TargetUnits, scan: ComponentScan) throws {
        let threshold = scan.survey.threshold
        var unsplit: [Int] = []
        for k in units.kept.indices where units.kept[k].root != 0 {
            let s = units.kept[k].summary
            guard s.window.cellCount <= Self.windowTracingLimit else {
                unsplit.append(k)
                continue
            }
            let window = s.window
            let inside = try componentMask(window: window, first: s.first, threshold: threshold)
            var tracer = CellRingTracer(columns: window.columns, labelCount: 1)
            var row = [Int32](repeating: 0, count: window.columns)
            for r in 0..<window.rows {
                for c in 0..<window.columns { row[c] = inside[r * window.columns + c] ? 1 : 0 }
                row.withUnsafeBufferPointer { tracer.add(row: $0) }
            }
            tracer.finish()
            units.kept[k].polygons = tracer.polygons(of: 1).map {
                $0.map { $0.map { GridVertex(x: $0.x + Int32(window.column), y: $0.y + Int32(window.row)) } }
            }
        }
        guard !unsplit.isEmpty else { return }
        let columns = grid.columns
        // Provisional label → 1-based index among the areas traced (0: not traced).
        var indexOfRoot: [Int32: Int32] = [:]
        for (i, k) in unsplit.enumerated() { indexOfRoot[units.kept[k].root] = Int32(i + 1) }
        let traced = scan.resolved.map { indexOfRoot[$0] ?? 0 }
        var labeller = RowLabeller(columns: columns)
        var tracer = CellRingTracer(columns: columns, labelCount: unsplit.count)
        var row = [Int32](repeating: 0, count: columns)
        let survey = scan.survey
        let reaching = { (column: Int, row: Int) in survey.block(column: column, row: row).reaches(threshold) }
        try forEachStrip(uncertainty: false, blocks: reaching) { _, rows, scores, _ in
            for r in 0..<rows {
                let s = UnsafeBufferPointer(rebasing: scores[(r * columns)..<((r + 1) * columns)])
                labeller.next(scores: s, threshold: threshold, nodata: nodata) { _, _ in }
                labeller.current.withUnsafeBufferPointer { labels in
                    for c in 0..<columns { row[c] = labels[c] == 0 ? 0 : traced[Int(labels[c])] }
                }
                row.withUnsafeBufferPointer { tracer.add(row: $0) }
            }
        }
        tracer.finish()
        for (i, k) in unsplit.enumerated() {
            units.kept[k].polygons = tracer.polygons(of: Int32(i + 1))
            tracer.release(Int32(i + 1))
        }
    }
}

/// A reading thread of `MapStrips.forEachStrip`: reads its strips, one after another, into the
/// free one of its two buffers, through its own dataset handle (GDAL handles are not shared
/// between threads), and prepares each (`prepare`); the consumer reads only the buffer and the
/// result handed to it (`StripHandoff`).
private final class StripReader<Prepared>: @unchecked Sendable {
    let map: MapStrips
    let dataset: RasterDataset
    let tiles: TileReader?
    let bands: [Int]
    let blocks: ((Int, Int) -> Bool)?
    let prepare: (Int, Int, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>?) -> Prepared
    let starts: [Int]
    /// Two buffers, each one strip of every band, and what `prepare` made of each.
    let slots: [[UnsafeMutableBufferPointer<Float>]]
    var prepared: [Prepared?] = [nil, nil]
    let handoff = StripHandoff()

    init(
        map: MapStrips, dataset: RasterDataset, tiles: TileReader?, bands: [Int], blocks: ((Int, Int) -> Bool)?,
        prepare: @escaping (Int, Int, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>?) -> Prepared, capacity: Int,
        starts: [Int]
    ) {
        self.map = map
        self.dataset = dataset
        self.tiles = tiles
        self.bands = bands
        self.blocks = blocks
        self.prepare = prepare
        self.starts = starts
        slots = (0..<2).map { _ in bands.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity) } }
    }

    deinit { for slot in slots { for s in slot { s.deallocate() } } }

    func run() {
        defer { handoff.done.signal() }
        for (j, row) in starts.enumerated() {
            handoff.empty[j % 2].wait()
            if handoff.cancelled { return }
            let failure = read(j, row: row)
            if let failure { handoff.fail(failure) }
            handoff.full[j % 2].signal()
            if failure != nil { return }
        }
    }

    private func read(_ j: Int, row: Int) -> (any Error)? {
        let rows = min(map.stripRows, map.grid.rows - row)
        let slot = slots[j % 2]
        do {
            try map.readStrip(dataset, tiles: tiles, row: row, rows: rows, bands: bands, blocks: blocks, into: slot)
        } catch { return error }
        let cells = map.grid.columns * rows
        prepared[j % 2] = prepare(
            row, rows, UnsafeBufferPointer(rebasing: slot[0][0..<cells]),
            slot.count > 1 ? UnsafeBufferPointer(rebasing: slot[1][0..<cells]) : nil)
        return nil
    }
}

/// A reader of `MapStrips.forEachStrip` and the consumer: which strip buffer is full or free,
/// whether the consumer gave up, and the reader's error.
final class StripHandoff: @unchecked Sendable {
    let empty = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
    let full = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    private var failure: (any Error)?

    var cancelled: Bool { lock.withLock { stopped } }
    var error: (any Error)? { lock.withLock { failure } }

    func fail(_ error: any Error) { lock.withLock { failure = error } }

    /// Stops the reader: it sees `cancelled` once it wakes.
    func cancel() {
        lock.withLock { stopped = true }
        for e in empty { e.signal() }
    }
}

/// What the first pass learns of a map: the tiles' statistics, each block's score range and
/// the threshold.
struct MapSurvey {
    struct Tile {
        var valid = 0
        var sum = 0.0
        var max = -Float.infinity
        /// Valid cells at or above the threshold (counted in the component pass).
        var above = 0
    }

    /// The range of a block's valid scores, and of their keys' top 16 bits (`Selection.key`).
    struct Block {
        var max = -Float.infinity
        var minKey = UInt16.max
        var maxKey = UInt16.min
        /// Whether the block may hold a value whose key is in `bucket`.
        func holds(key bucket: Int) -> Bool { Int(minKey) <= bucket && bucket <= Int(maxKey) }
        /// Whether any of its cells is at or above `threshold`.
        func reaches(_ threshold: Float) -> Bool { max >= threshold }
    }

    let columns: Int
    let rows: Int
    let tileCells: Int
    let tilesAcross: Int
    var tiles: [Tile]
    /// The blocks the strips are read in.
    let block: (columns: Int, rows: Int)
    let blocksAcross: Int
    var blocks: [Block]
    var threshold: Float = .infinity
    /// Valid cells by their keys' top 16 bits (`StreamingSelection`), when counted.
    var histogram = [Int](repeating: 0, count: 1 << 16)
    /// The runs every row is cut into.
    let runs: [Run]

    init(grid: Grid, tileCells: Int, block: (columns: Int, rows: Int)) {
        columns = grid.columns
        rows = grid.rows
        self.tileCells = tileCells
        tilesAcross = (columns + tileCells - 1) / tileCells
        tiles = [Tile](repeating: Tile(), count: tilesAcross * ((rows + tileCells - 1) / tileCells))
        self.block = block
        blocksAcross = (columns + block.columns - 1) / block.columns
        blocks = [Block](repeating: Block(), count: blocksAcross * ((rows + block.rows - 1) / block.rows))
        var runs: [Run] = []
        var c0 = 0
        while c0 < columns {
            let c1 = min(columns, (c0 / tileCells + 1) * tileCells, (c0 / block.columns + 1) * block.columns)
            runs.append(Run(columns: c0..<c1, tile: c0 / tileCells, block: c0 / block.columns))
            c0 = c1
        }
        self.runs = runs
    }

    func block(column: Int, row: Int) -> Block { blocks[row * blocksAcross + column] }

    /// The cells of a row sharing a tile and a block: `columns`, in tile column `tile` and
    /// block column `block`, left to right.
    struct Run {
        var columns: Range<Int>
        var tile: Int
        var block: Int
    }

    /// What one strip of rows (within one row of blocks) adds to the survey, worked out apart
    /// from it (on a reading thread) by `summarize`, added by `merge`.
    struct Strip {
        /// Its row of blocks, left to right.
        var blocks: [Block]
        /// Valid cells and the highest score of each tile its rows cross, from tile row
        /// `firstTileRow`.
        var firstTileRow: Int
        var valid: [Int]
        var max: [Float]
        /// The sum of each run's valid scores, row by row (`runs.count` a row).
        var sums: [Double]
        /// The keys' top 16 bits counted, when counting (else empty).
        var histogram: [Int]
    }

    /// Summarizes rows `firstRow ..< firstRow + rows` (within one row of blocks): the tiles and
    /// blocks each cell lies in and, with `histogram`, the keys' top 16 bits.
    ///
    /// Each run's sum starts from 0 and adds its cells in order, as the tiles' sums then add
    /// the runs (`merge`), so a tile's sum does not depend on how the map is cut into strips.
    func summarize(strip scores: UnsafeBufferPointer<Float>, firstRow: Int, rows: Int, nodata: Float, histogram counting: Bool) -> Strip {
        precondition(rows > 0 && firstRow / block.rows == (firstRow + rows - 1) / block.rows, "rows within one row of blocks")
        let columns = self.columns
        let tileCells = self.tileCells
        let tilesAcross = self.tilesAcross
        let runs = self.runs
        let firstTileRow = firstRow / tileCells
        let tileRows = (firstRow + rows - 1) / tileCells - firstTileRow + 1
        var strip = Strip(
            blocks: [Block](repeating: Block(), count: blocksAcross), firstTileRow: firstTileRow,
            valid: [Int](repeating: 0, count: tileRows * tilesAcross), max: [Float](repeating: -.infinity, count: tileRows * tilesAcross),
            sums: [Double](repeating: 0, count: rows * runs.count), histogram: counting ? [Int](repeating: 0, count: 1 << 16) : [])
        strip.valid.withUnsafeMutableBufferPointer { valid in
            strip.max.withUnsafeMutableBufferPointer { maxima in
                strip.blocks.withUnsafeMutableBufferPointer { blocks in
                    strip.sums.withUnsafeMutableBufferPointer { sums in
                        strip.histogram.withUnsafeMutableBufferPointer { counts in
                            // The current run of equal keys (counted when `counting`).
                            var runKey: UInt32 = 0
                            var runCount = 0
                            for r in 0..<rows {
                                let tileBase = ((firstRow + r) / tileCells - firstTileRow) * tilesAcross
                                let p = scores.baseAddress! + r * columns
                                for (k, run) in runs.enumerated() {
                                    var n = 0
                                    var sum = 0.0
                                    var top = -Float.infinity
                                    var minKey = UInt32.max
                                    var maxKey = UInt32.min
                                    for c in run.columns {
                                        let v = p[c]
                                        guard v == v, v != nodata else { continue }
                                        n += 1
                                        sum += Double(v)
                                        top = Swift.max(top, v)
                                        let key = Selection.key(v) >> 16
                                        minKey = Swift.min(minKey, key)
                                        maxKey = Swift.max(maxKey, key)
                                        // Neighbours mostly share a bucket: counted by runs.
                                        if key == runKey {
                                            runCount += 1
                                        } else if counting {
                                            counts[Int(runKey)] += runCount
                                            runKey = key
                                            runCount = 1
                                        }
                                    }
                                    guard n > 0 else { continue }
                                    sums[r * runs.count + k] = sum
                                    let t = tileBase + run.tile
                                    valid[t] += n
                                    maxima[t] = Swift.max(maxima[t], top)
                                    blocks[run.block].max = Swift.max(blocks[run.block].max, top)
                                    blocks[run.block].minKey = Swift.min(blocks[run.block].minKey, UInt16(minKey))
                                    blocks[run.block].maxKey = Swift.max(blocks[run.block].maxKey, UInt16(maxKey))
                                }
                            }
                            if counting { counts[Int(runKey)] += runCount }
                        }
                    }
                }
            }
        }
        return strip
    }

    /// Adds a strip of rows summarized by `summarize`; strips are added top to bottom.
    mutating func merge(_ strip: Strip, firstRow: Int, rows: Int) {
        let blockBase = (firstRow / block.rows) * blocksAcross
        for (i, b) in strip.blocks.enumerated() {
            blocks[blockBase + i].max = Swift.max(blocks[blockBase + i].max, b.max)
            blocks[blockBase + i].minKey = Swift.min(blocks[blockBase + i].minKey, b.minKey)
            blocks[blockBase + i].maxKey = Swift.max(blocks[blockBase + i].maxKey, b.maxKey)
        }
        let tileBase = strip.firstTileRow * tilesAcross
        for i in strip.valid.indices {
            tiles[tileBase + i].valid += strip.valid[i]
            tiles[tileBase + i].max = Swift.max(tiles[tileBase + i].max, strip.max[i])
        }
        // Runs without valid cells add +0, which leaves a sum as it is (a sum of runs from +0 is
        // never −0).
        let runs = self.runs
        for r in 0..<rows {
            let base = ((firstRow + r) / tileCells) * tilesAcross
            for k in runs.indices { tiles[base + runs[k].tile].sum += strip.sums[r * runs.count + k] }
        }
        if !strip.histogram.isEmpty { for k in histogram.indices { histogram[k] += strip.histogram[k] } }
    }

    /// Valid cells at or above `threshold` in each tile that rows `firstRow ..< firstRow + rows`
    /// cross, from the first of those tile rows (`merge(above:firstRow:)`).
    func countAbove(_ threshold: Float, strip scores: UnsafeBufferPointer<Float>, firstRow: Int, rows: Int, nodata: Float) -> [Int] {
        let firstTileRow = firstRow / tileCells
        let tileRows = (firstRow + rows - 1) / tileCells - firstTileRow + 1
        var above = [Int](repeating: 0, count: tileRows * tilesAcross)
        for r in 0..<rows {
            let tileBase = ((firstRow + r) / tileCells - firstTileRow) * tilesAcross
            let p = scores.baseAddress! + r * columns
            for run in runs {
                var n = 0
                for c in run.columns where p[c] >= threshold && p[c] != nodata { n += 1 }
                above[tileBase + run.tile] += n
            }
        }
        return above
    }

    /// Adds the counts of `countAbove` for a strip starting at `firstRow`.
    mutating func merge(above: [Int], firstRow: Int) {
        let base = (firstRow / tileCells) * tilesAcross
        for i in above.indices { tiles[base + i].above += above[i] }
    }
}

/// What the component pass gathers.
struct ComponentScan {
    var survey: MapSurvey
    /// Areas with fewer cells are counted, not kept.
    let minCells: Int
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

    init(survey: MapSurvey, minCells: Int) {
        self.survey = survey
        self.minCells = minCells
    }

    mutating func complete(root: Int32, summary: ComponentSummary) {
        count += 1
        if summary.cells >= minCells { components.append((root, summary)) }
    }

    /// The tiles, ranked (`TileRanking.rank`), the first `top` of them (0: all).
    func shownTiles(top: Int) -> [TileStat] {
        let tileCells = survey.tileCells
        let stats = survey.tiles.enumerated().map { i, t in
            let tc = i % survey.tilesAcross
            let tr = i / survey.tilesAcross
            let window = Window(
                column: tc * tileCells, row: tr * tileCells, columns: min(tileCells, survey.columns - tc * tileCells),
                rows: min(tileCells, survey.rows - tr * tileCells))
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
