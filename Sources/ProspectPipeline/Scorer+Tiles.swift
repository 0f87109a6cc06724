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

/// How the workers encode a ZSTD map's tiles: GDAL's `ZSTD_LEVEL` and `PREDICTOR=3`.
struct TileEncoding: Sendable {
    var level: Int
    var predictor: Bool

    init(_ options: ScoreOptions) {
        level = options.level ?? 1
        predictor = options.predictor
    }
}

/// One worker's stream and buffers for encoding tiles as GDAL's GeoTIFF driver does: the
/// floating-point predictor (`FloatPredictor`), then one Zstandard frame (`ZstdCompressor`).
///
/// Measured on 1024 tiles of a scored 8192² map (Benchmarks/README.md), one core: the predictor
/// takes a fraction of what the compression takes, and both ran inside GDAL's own compression
/// threads before, behind a copy of each tile and a TIFF written in memory per tile.
final class TileEncoder {
    let compressor: ZstdCompressor
    let predictor: Bool
    /// A tile after the predictor.
    let predicted: UnsafeMutableRawBufferPointer
    /// An edge tile padded to a whole block (`Scorer.block`).
    let padded: UnsafeMutableBufferPointer<Float>

    init(_ encoding: TileEncoding, cells: Int) throws {
        compressor = try ZstdCompressor(level: encoding.level)
        predictor = encoding.predictor
        predicted = .allocate(byteCount: cells * MemoryLayout<Float>.size, alignment: 64)
        padded = .allocate(capacity: cells)
    }

    deinit {
        predicted.deallocate()
        padded.deallocate()
    }

    /// Bytes an encoded tile of `cells` cells may take.
    static func capacity(cells: Int) -> Int { ZstdCompressor.bound(cells * MemoryLayout<Float>.size) }

    /// Encodes one whole block (rows of `columns` cells) into `output`; returns the length.
    func encode(_ block: UnsafeMutableBufferPointer<Float>, columns: Int, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let input: UnsafeRawBufferPointer
        if predictor {
            FloatPredictor.encode(UnsafeBufferPointer(block), columns: columns, into: predicted)
            input = UnsafeRawBufferPointer(rebasing: predicted[0..<(block.count * MemoryLayout<Float>.size)])
        } else {
            input = UnsafeRawBufferPointer(block)
        }
        return try compressor.compress(input, into: output)
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
