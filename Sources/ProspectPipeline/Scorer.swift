import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

/// Output options for a prospectivity map.
public struct ScoreOptions: Sendable {
    public enum Compression: String, Sendable, CaseIterable { case none, deflate, zstd, lzw }
    /// ZSTD level 1 with the floating-point predictor by default: on 8192² float maps it wrote
    /// 1.4× faster than DEFLATE level 1 and 3–4× faster than GDAL's default levels (DEFLATE 6,
    /// ZSTD 9), for files within 7 % of their size (Benchmarks/README.md). `deflate` suits
    /// readers without ZSTD.
    public var compression: Compression = .zstd
    /// Compression level (DEFLATE 1–12, ZSTD 1–22); nil = 1.
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
/// next tile, reads every layer's block straight into its buffers, runs the SIMD kernel and
/// writes the tile under a lock to the one output handle. Memory: a few tile buffers per worker.
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
            let stagingPath = options.cog ? out.temporaryPath + ".staging.tif" : out.temporaryPath
            if options.cog { TemporaryFiles.shared.register(stagingPath) }
            defer { if options.cog { TemporaryFiles.shared.remove(stagingPath) } }
            var creation = ["TILED=YES", "BLOCKXSIZE=\(tiling.tileColumns)", "BLOCKYSIZE=\(tiling.tileRows)", "BIGTIFF=IF_SAFER"]
            let compression: ScoreOptions.Compression = options.cog ? .none : options.compression
            if compression != .none { creation += Self.compressionOptions(options) + ["NUM_THREADS=ALL_CPUS"] }
            if bands > 1 { creation.append("INTERLEAVE=BAND") }
            let dataset = try RasterDataset.create(stagingPath, grid: stack.grid, bands: bands, type: .float32, options: creation)
            for b in 1...bands { try dataset.setNodata(Double(options.nodata), band: b) }
            dataset.setBandDescription(Self.scoreDescription(file.payload))
            for (j, name) in compiled.extraBands.prefix(bands - 1).enumerated() { dataset.setBandDescription(name, band: j + 2) }
            try dataset.setMetadata(provenance)
            let valid = try run(
                compiled: compiled, bands: bands, stack: stack, tiling: tiling, output: dataset,
                outputNodata: options.nodata, threads: options.threads, progress: progress)
            try dataset.close()
            if options.cog {
                // 256-cell blocks: overviews are built down to one block, so even a 512² map gets one.
                var cogOptions = ["BLOCKSIZE=256", "OVERVIEWS=AUTO", "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"]
                if options.compression != .none {
                    cogOptions += Self.compressionOptions(options).map { $0 == "PREDICTOR=3" ? "PREDICTOR=YES" : $0 }
                }
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

    /// What band 1 of a map holds, by model kind.
    static func scoreDescription(_ payload: ModelPayload) -> String {
        switch payload {
        case .weightsOfEvidence: "posterior probability"
        case .logistic, .trees: "probability"
        case .fuzzy: "fuzzy membership"
        case .index: "prospectivity index"
        }
    }

    /// The parallel tile loop. Returns the number of cells scored (not nodata).
    static func run(
        compiled: any CellScorer, bands: Int, stack: EvidenceStack, tiling: Tiling, output: RasterDataset,
        outputNodata: Float, threads: Int, progress: Progress?
    ) throws -> Int {
        let state = LoopState()
        let target = UnsafeTransfer(output)
        let workers = max(1, min(threads, tiling.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let reader = try StackReader(stack, tiling: tiling)
                let cells = reader.tileCells
                let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
                let results = (0..<bands).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
                defer {
                    buffers.forEach { $0.deallocate() }
                    results.forEach { $0.deallocate() }
                }
                let inputs = buffers.map { UnsafeBufferPointer($0) }
                var validHere = 0
                var validity = ValidityCheck(stack)
                while let tile = state.next(limit: tiling.count) {
                    let (window, stride) = try reader.read(tile: tile, into: buffers)
                    validity.note(buffers, window: window, stride: stride)
                    let n = tiling.blockAligned ? cells : window.cellCount
                    let outs = results.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) }
                    let out = outs[0]
                    compiled.score(layers: inputs, outputs: outs, outputNodata: outputNodata)
                    for r in 0..<window.rows {
                        for c in 0..<window.columns where out[r * stride + c] != outputNodata { validHere += 1 }
                    }
                    try state.locked {
                        let (bc, br, _) = tiling.window(tile)
                        for (b, band) in outs.enumerated() {
                            if tiling.blockAligned {
                                try target.value.writeBlock(
                                    band: b + 1, blockColumn: bc, blockRow: br, from: UnsafeMutableRawPointer(band.baseAddress!))
                            } else {
                                try target.value.write(band: b + 1, window: window, from: UnsafeBufferPointer(band))
                            }
                        }
                    }
                    progress?.update(state.finished(), of: tiling.count)
                }
                state.addValid(validHere, validity)
            } catch {
                state.fail(error)
            }
        }
        progress?.finish()
        if let error = state.error { throw error }
        try state.validity?.check(stack)
        return state.valid
    }
}

/// Shared state of the tile loop: the next tile, the writer lock, the first error.
final class LoopState: @unchecked Sendable {
    private let lock = NSLock()
    private let writeLock = NSLock()
    private var nextTile = 0
    private var done = 0
    private(set) var error: Error?
    private(set) var valid = 0
    private(set) var validity: ValidityCheck?

    /// The next tile to do, or nil when all are taken or a worker failed.
    func next(limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, nextTile < limit else { return nil }
        nextTile += 1
        return nextTile - 1
    }

    func finished() -> Int {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        return done
    }
    func addValid(_ n: Int, _ check: ValidityCheck) {
        lock.lock()
        defer { lock.unlock() }
        valid += n
        if validity == nil { validity = check } else { validity!.merge(check) }
    }
    func fail(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }

    func locked(_ body: () throws -> Void) throws {
        writeLock.lock()
        defer { writeLock.unlock() }
        try body()
    }
}
