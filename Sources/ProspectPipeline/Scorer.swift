import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

/// Output options for a prospectivity map.
public struct ScoreOptions: Sendable {
    public enum Compression: String, Sendable, CaseIterable { case none, deflate, zstd, lzw }
    /// ZSTD with the floating-point predictor by default, each tile at level 1 or with
    /// Zstandard's fast setting (`TileEncoder`): on 8192² float maps level 1 alone wrote 1.4×
    /// faster than DEFLATE level 1 and 3–4× faster than GDAL's default levels (DEFLATE 6,
    /// ZSTD 9), for files within 7 % of their size (Benchmarks/README.md). `deflate` suits
    /// readers without ZSTD.
    public var compression: Compression = .zstd
    /// Compression level (DEFLATE 1–12, ZSTD 1–22); nil: DEFLATE 1, ZSTD chosen per tile.
    public var level: Int? = nil
    /// Floating-point predictor (PREDICTOR=3) for DEFLATE and ZSTD.
    public var predictor = true
    /// Write a Cloud Optimized GeoTIFF with overviews.
    public var cog = false
    /// Write the model's extra bands (uncertainty) after the score, when it has any.
    public var extraBands = false
    public var threads = ProcessInfoCores.active
    public var nodata: Float = -9999
    /// Score grids over `Scorer.maxCells` cells, or larger than the free space, anyway.
    public var allowLarge = false
    /// The map's `PROSPECT_CREATED`; nil: the time of writing.
    public var created: CreationTime? = nil
    /// ZSTD tiles encoded by the scoring workers (`TileEncoder`) rather than by GDAL's GeoTIFF
    /// driver; the file is the same byte for byte either way (tests write both).
    var encodeOnWorkers = true
    public init() {}
}

/// What a scoring run did.
public struct ScoreReport: Sendable {
    public var cells: Int
    public var validCells: Int
    public var seconds: Double
    public var tiles: Int
    public var blockAligned: Bool
    /// Cells a layer's transforms turned into nodata, one line per layer.
    public var warnings: [String] = []
}

/// Scores an evidence stack with a model into a tiled GeoTIFF, streaming tiles on all cores.
///
/// Each worker opens its own dataset handles (GDAL datasets are not thread-safe), takes the
/// next tile, reads every layer's block straight into its buffers and runs the SIMD kernel into
/// a result slot; the tiles are written to the one output handle in row-major order, whichever
/// worker finished them (`run`). Memory: a few tile buffers per worker. The file's bytes do
/// not depend on `threads` (GDAL's compression threads, `NUM_THREADS`, follow it too).
public enum Scorer {
    public static func score(
        model file: ModelFile, stack: EvidenceStack, outputPath: String,
        options: ScoreOptions = ScoreOptions(), provenance: [String: String] = [:],
        progress: Progress? = nil
    ) throws -> ScoreReport {
        try options.validate()
        GDAL.initialize()
        GDAL.setConfigOption("GDAL_CACHEMAX", "64")
        // Nodata is a property of the files being scored.
        let compiled = file.scorer(nodata: stack.nodata)
        let bands = 1 + (options.extraBands ? compiled.extraBands.count : 0)
        let tiling = stack.tiling
        try checkSize(grid: stack.grid, bands: bands, outputPath: outputPath, options: options)
        let out = try AtomicOutput(outputPath)
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            // A COG is made from a plain tiled file; the final compression is applied then.
            let stagingPath = options.cog ? TemporaryName.make(for: outputPath) : out.temporaryPath
            if options.cog { TemporaryFiles.shared.register(stagingPath) }
            defer { if options.cog { TemporaryFiles.shared.remove(stagingPath) } }
            var creation = ["TILED=YES", "BLOCKXSIZE=\(tiling.tileColumns)", "BLOCKYSIZE=\(tiling.tileRows)", "BIGTIFF=IF_SAFER"]
            let compression: ScoreOptions.Compression = options.cog ? .none : options.compression
            // ZSTD tiles are encoded on the workers and appended to the file GDAL created without
            // them (SPARSE_OK: GDAL writes no tile itself); other compressions are GDAL's.
            let encoding = compression == .zstd && options.encodeOnWorkers ? TileEncoding(options) : nil
            if compression != .none {
                creation += Self.compressionOptions(options) + [encoding == nil ? "NUM_THREADS=\(options.threads)" : "SPARSE_OK=TRUE"]
            }
            if bands > 1 { creation.append("INTERLEAVE=BAND") }
            let dataset = try RasterDataset.create(stagingPath, grid: stack.grid, bands: bands, type: .float32, options: creation)
            for b in 1...bands { try dataset.setNodata(Double(options.nodata), band: b) }
            dataset.setBandDescription(Self.scoreDescription(file.payload))
            for (j, name) in compiled.extraBands.prefix(bands - 1).enumerated() { dataset.setBandDescription(name, band: j + 2) }
            try dataset.setMetadata(provenance)
            let sink: TileSink
            if let encoding {
                try dataset.closeForAppending()
                sink = .appended(try TileAppender(path: stagingPath, label: outputPath, bands: bands), encoding)
            } else {
                sink = .gdal(dataset)
            }
            let valid = try run(
                compiled: compiled, bands: bands, stack: stack, tiling: tiling, output: sink,
                outputNodata: options.nodata, threads: options.threads, progress: progress)
            try sink.close()
            if options.cog {
                // 256-cell blocks: overviews are built down to one block, so even a 512² map gets one.
                var cogOptions = ["BLOCKSIZE=256", "OVERVIEWS=AUTO", "BIGTIFF=IF_SAFER", "NUM_THREADS=\(options.threads)"]
                if options.compression != .none { cogOptions += Self.cogCompressionOptions(options) }
                try GDALAlgorithms.translateToCOG(source: stagingPath, destination: out.temporaryPath, creationOptions: cogOptions)
            }
            try out.commit()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return ScoreReport(
                cells: stack.grid.cellCount, validCells: valid, seconds: seconds,
                tiles: tiling.count, blockAligned: tiling.blockAligned, warnings: stack.unmappedCells.warnings(layers: stack.layers))
        } catch {
            out.discard()
            throw error
        }
    }

    /// GeoTIFF creation options for the chosen compression.
    static func compressionOptions(_ options: ScoreOptions) -> [String] {
        var o = ["COMPRESS=\(options.compression.rawValue.uppercased())"]
        let level = options.level ?? 1
        switch options.compression {
        case .deflate: o.append("ZLEVEL=\(level)")
        case .zstd: o.append("ZSTD_LEVEL=\(level)")
        case .lzw, .none: break
        }
        if options.predictor, options.compression == .deflate || options.compression == .zstd { o.append("PREDICTOR=3") }
        return o
    }

    /// COG creation options for the chosen compression: the COG driver names the level
    /// `LEVEL` (it ignores the GeoTIFF driver's `ZSTD_LEVEL` and `ZLEVEL` with a warning and
    /// compresses ZSTD at 9, measured 3× slower than level 1 on an 8192² map) and the
    /// floating-point predictor `PREDICTOR=YES`.
    static func cogCompressionOptions(_ options: ScoreOptions) -> [String] {
        compressionOptions(options).map { option in
            if option == "PREDICTOR=3" { return "PREDICTOR=YES" }
            for prefix in ["ZSTD_LEVEL=", "ZLEVEL="] where option.hasPrefix(prefix) { return "LEVEL=" + option.dropFirst(prefix.count) }
            return option
        }
    }

    /// What band 1 of a map holds, by model kind.
    static func scoreDescription(_ payload: ModelPayload) -> String {
        switch payload {
        case .weightsOfEvidence: "posterior probability"
        case .logistic, .trees: "probability"
        case .fuzzy: "fuzzy membership"
        case .index: "prospectivity index"
        }
    }

    /// Result slots per worker: how many tiles a worker may compute ahead of the writes.
    static let slotsPerWorker = 4
    /// The most memory the result slots may take, when tiles (the files' blocks) are large.
    static let slotBudget = 64 << 20

    /// The parallel tile loop: the workers compute tiles ahead, and the tiles are written in
    /// row-major order (`OrderedCommits`), so the file is the same byte for byte for any
    /// `threads`. Returns the number of cells scored (not nodata).
    ///
    /// Every tile is written as one whole block of the output, straight to the file: with
    /// `GDALWriteBlock`, or encoded on the worker that scored it and appended (`TileSink`).
    /// The map's blocks are the tiles, and none waits in GDAL's block cache, where the workers'
    /// reads would decide when it is flushed (and so where it lands in the file).
    static func run(
        compiled: any CellScorer, bands: Int, stack: EvidenceStack, tiling: Tiling, output: TileSink,
        outputNodata: Float, threads: Int, progress: Progress?
    ) throws -> Int {
        let workers = max(1, min(threads, tiling.count))
        let tileCells = tiling.tileColumns * tiling.tileRows
        let encoding = output.encoding
        let encodedCapacity = encoding == nil ? 0 : TileEncoder.capacity(cells: tileCells)
        let slotBytes = bands * (tileCells * MemoryLayout<Float>.size + encodedCapacity)
        let slotCount = max(1, min(tiling.count, max(workers + 1, min(slotsPerWorker * workers, slotBudget / slotBytes))))
        let slots = (0..<slotCount).map { _ in ResultSlot(bands: bands, cells: tileCells, encodedCapacity: encodedCapacity) }
        // An edge tile of a tiling that is not the files' blocks, padded to a whole block.
        let padded = UnsafeMutableBufferPointer<Float>.allocate(capacity: tileCells)
        defer {
            slots.forEach { $0.deallocate() }
            padded.deallocate()
        }
        // Workers write only the slots `take()` hands them; the one committing worker reads
        // them, and alone writes `padded` and the output.
        let shared = UnsafeTransfer((output: output, slots: slots, padded: padded))
        let work = OrderedCommits(items: tiling.count, slots: slotCount) { tile, slot in
            let (output, slots, padded) = shared.value
            let (bc, br, window) = tiling.window(tile)
            let result = slots[slot]
            for b in 0..<bands {
                switch output {
                case .gdal(let dataset):
                    let block = Self.block(result.values[b], window: window, tiling: tiling, nodata: outputNodata, padded: padded)
                    try dataset.writeBlock(band: b + 1, blockColumn: bc, blockRow: br, from: UnsafeMutableRawPointer(block.baseAddress!))
                case .appended(let file, _):
                    try file.append(result.encodedBytes(band: b), tileColumn: bc, tileRow: br, band: b + 1)
                }
            }
            progress?.update(tile + 1, of: tiling.count)
        }
        let state = LoopState()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let reader = try StackReader(stack, tiling: tiling)
                let cells = reader.tileCells
                let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
                defer { buffers.forEach { $0.deallocate() } }
                let encoder = try encoding.map { try TileEncoder($0, cells: tileCells) }
                let inputs = buffers.map { UnsafeBufferPointer($0) }
                var validHere = 0
                var validity = ValidityCheck(stack)
                while let (tile, slot) = work.take() {
                    let (window, stride) = try reader.read(tile: tile, into: buffers)
                    validity.note(buffers, window: window, stride: stride)
                    let n = tiling.blockAligned ? cells : window.cellCount
                    let result = shared.value.slots[slot]
                    let outs = result.values.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) }
                    let out = outs[0]
                    compiled.score(layers: inputs, outputs: outs, outputNodata: outputNodata)
                    for r in 0..<window.rows {
                        for c in 0..<window.columns where out[r * stride + c] != outputNodata { validHere += 1 }
                    }
                    if let encoder {
                        for b in 0..<bands {
                            let block = Self.block(
                                result.values[b], window: window, tiling: tiling, nodata: outputNodata, padded: encoder.padded)
                            result.lengths[b] = try encoder.encode(block, columns: tiling.tileColumns, into: result.encoded[b])
                        }
                    }
                    work.finish(item: tile, slot: slot)
                }
                state.addValid(validHere, validity)
            } catch {
                work.fail(error)
            }
        }
        progress?.finish()
        if let error = work.error { throw error }
        try state.validity?.check(stack)
        return state.valid
    }

    /// The whole output block of a tile's `values`: the values themselves, or, for an edge
    /// window of a tiling that is not the files' blocks, the window's rows copied into `padded`
    /// with nodata around them.
    static func block(
        _ values: UnsafeMutableBufferPointer<Float>, window: Window, tiling: Tiling, nodata: Float,
        padded: UnsafeMutableBufferPointer<Float>
    ) -> UnsafeMutableBufferPointer<Float> {
        guard !tiling.blockAligned, window.columns < tiling.tileColumns || window.rows < tiling.tileRows else { return values }
        padded.update(repeating: nodata)
        for r in 0..<window.rows {
            let row = UnsafeMutableBufferPointer(rebasing: padded[(r * tiling.tileColumns)..<(r * tiling.tileColumns + window.columns)])
            _ = row.update(fromContentsOf: values[(r * window.columns)..<((r + 1) * window.columns)])
        }
        return padded
    }
}

/// What the workers of the tile loop found: cells with a score, layers with data.
final class LoopState: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var valid = 0
    private(set) var validity: ValidityCheck?

    func addValid(_ n: Int, _ check: ValidityCheck) {
        lock.lock()
        defer { lock.unlock() }
        valid += n
        if validity == nil { validity = check } else { validity!.merge(check) }
    }
}
