import ProspectCore
import ProspectGDAL

/// Where the tile loop writes finished tiles.
enum TileSink {
    /// GDAL writes each block (`GDALWriteBlock`), compressing it itself when the map is compressed.
    case gdal(RasterDataset)
    /// The workers encode each tile (`TileEncoder`) and the committing worker appends it.
    case appended(TileAppender, TileEncoding)

    var encoding: TileEncoding? {
        if case .appended(_, let encoding) = self { return encoding }
        return nil
    }

    /// Finishes the file: GDAL's flush and close, or the appender's tile arrays.
    func close() throws {
        switch self {
        case .gdal(let dataset): try dataset.close()
        case .appended(let file, _): try file.close()
        }
    }
}

/// How the workers encode a ZSTD map's tiles (`PREDICTOR=3` when `predictor`).
struct TileEncoding: Sendable {
    /// GDAL's `ZSTD_LEVEL` for every tile; nil: chosen per tile (`TileEncoder.setting`).
    var level: Int?
    var predictor: Bool

    init(_ options: ScoreOptions) {
        level = options.level
        predictor = options.predictor
    }
}

/// One worker's compression context and buffers for encoding tiles as GDAL's GeoTIFF driver
/// does: the floating-point predictor (`FloatPredictor`), then one Zstandard frame
/// (`ZstdCompressor`).
///
/// With no level given, each tile is compressed by the setting that suits it, decided from its
/// bytes alone (so for any thread count): at level 1, as GDAL writes it, when at least half its
/// bytes are 0 after the predictor (a map of few distinct values: weights of evidence, index
/// overlays), else with Zstandard's `.fast` setting, which compressed noisy maps 1.8× as fast
/// for 1–4 % more bytes (Benchmarks/README.md, "Compressed output"). Measured zero shares: 22–35 %
/// on logistic, tree and benchmark maps, 84–98 % on weights-of-evidence maps.
final class TileEncoder {
    let compressor: ZstdCompressor
    let encoding: TileEncoding
    /// A tile after the predictor.
    let predicted: UnsafeMutableRawBufferPointer
    /// An edge tile padded to a whole block (`Scorer.block`).
    let padded: UnsafeMutableBufferPointer<Float>

    init(_ encoding: TileEncoding, cells: Int) throws {
        compressor = try ZstdCompressor()
        self.encoding = encoding
        predicted = .allocate(byteCount: cells * MemoryLayout<Float>.size, alignment: 64)
        padded = .allocate(capacity: cells)
    }

    deinit {
        predicted.deallocate()
        padded.deallocate()
    }

    /// Bytes an encoded tile of `cells` cells may take.
    static func capacity(cells: Int) -> Int { ZstdCompressor.bound(cells * MemoryLayout<Float>.size) }

    /// The setting for a tile of `bytes` (after the predictor, when there is one).
    static func setting(for bytes: UnsafeRawBufferPointer, encoding: TileEncoding) -> ZstdSetting {
        if let level = encoding.level { return .level(level) }
        guard encoding.predictor else { return .level(1) }
        return 2 * FloatPredictor.zeros(in: bytes) >= bytes.count ? .level(1) : .fast
    }

    /// Encodes one whole block (rows of `columns` cells) into `output`; returns the length.
    func encode(_ block: UnsafeMutableBufferPointer<Float>, columns: Int, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let input: UnsafeRawBufferPointer
        if encoding.predictor {
            FloatPredictor.encode(UnsafeBufferPointer(block), columns: columns, into: predicted)
            input = UnsafeRawBufferPointer(rebasing: predicted[0..<(block.count * MemoryLayout<Float>.size)])
        } else {
            input = UnsafeRawBufferPointer(block)
        }
        return try compressor.compress(input, into: output, setting: Self.setting(for: input, encoding: encoding))
    }
}

/// One tile's results: each band's values and, when the workers encode, each band's encoded bytes.
struct ResultSlot {
    let values: [UnsafeMutableBufferPointer<Float>]
    let encoded: [UnsafeMutableRawBufferPointer]
    /// Bytes of `encoded` in use, per band.
    let lengths: UnsafeMutableBufferPointer<Int>

    init(bands: Int, cells: Int, encodedCapacity: Int) {
        values = (0..<bands).map { _ in .allocate(capacity: cells) }
        encoded = encodedCapacity == 0 ? [] : (0..<bands).map { _ in .allocate(byteCount: encodedCapacity, alignment: 64) }
        lengths = .allocate(capacity: bands)
        lengths.initialize(repeating: 0)
    }

    func encodedBytes(band: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: encoded[band][0..<lengths[band]]) }

    func deallocate() {
        values.forEach { $0.deallocate() }
        encoded.forEach { $0.deallocate() }
        lengths.deallocate()
    }
}
