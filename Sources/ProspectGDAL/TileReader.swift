internal import CGDAL
internal import CZSTD
import Foundation
import ProspectCore

/// Reads the Float32 tiles of GeoTIFFs as Prospect writes them without libtiff: each tile's
/// bytes from the file, Zstandard, and the floating-point predictor undone by
/// `FloatPredictor.decode`.
///
/// libtiff undoes the predictor a byte at a time (`fpAcc`): on a compressed map that was
/// 48 % of `prospect targets`, Zstandard 8 % (Benchmarks/README.md, "Targets"). The files it
/// reads are those `prospect score` and GDAL write that way: the GeoTIFF driver, tiled or
/// not, Float32, `COMPRESSION=ZSTD` with `PREDICTOR=3` or none, a single band or
/// `INTERLEAVE=BAND`, little-endian. `make` says nil for any other file, and a block whose
/// bytes are not where and what they should be (a tile never written, a strip shorter than a
/// block, bytes that do not decompress to a block) is read by `GDALReadBlock` instead, so a
/// block's cells inside the map read the same either way (tests compare them block by block;
/// past the map's edge GDAL may leave other values) and errors are GDAL's.
///
/// One reader per thread: it owns a file handle, a decompression context and buffers, and
/// reads through its dataset handle, which no other thread may use meanwhile.
public final class TileReader {
    public let dataset: RasterDataset
    /// The block (tile) size, the same for every band read.
    public let block: (columns: Int, rows: Int)
    private let predictor: Bool
    private let file: UnsafeMutablePointer<VSILFILE>
    private let context: OpaquePointer
    private var compressed: UnsafeMutableRawBufferPointer
    private let tile: UnsafeMutableRawBufferPointer
    /// The blocks read so far that GDAL read instead.
    public private(set) var blocksReadByGDAL = 0

    /// A reader of `bands` of `dataset`, or nil when the file is not one it reads.
    ///
    /// The corresponding C functions are `VSIFOpenL` (NULL on failure) and
    /// `ZSTD_createDCtx` (NULL on failure); the file's layout comes from its
    /// `IMAGE_STRUCTURE` metadata (`GDALGetMetadata`).
    public static func make(dataset: RasterDataset, bands: [Int]) -> TileReader? {
        guard dataset.driverName == "GTiff", !bands.isEmpty else { return nil }
        let block = dataset.blockSize(band: bands[0])
        for band in bands where dataset.dataType(band: band) != .float32 || dataset.blockSize(band: band) != block {
            return nil
        }
        let layout = dataset.metadata(domain: "IMAGE_STRUCTURE")
        guard layout["COMPRESSION"] == "ZSTD", dataset.bandCount == 1 || layout["INTERLEAVE"] == "BAND" else { return nil }
        let predictor: Bool
        switch layout["PREDICTOR"] ?? "1" {
        case "1": predictor = false
        case "3": predictor = true
        default: return nil
        }
        guard block.columns > 0, block.rows > 0, block.columns * block.rows <= 1 << 24 else { return nil }
        guard let file = VSIFOpenL(dataset.path, "rb") else { return nil }
        // Little-endian TIFF ("II"): libtiff swaps the bytes of other files' samples.
        var order: (UInt8, UInt8) = (0, 0)
        guard VSIFReadL(&order, 1, 2, file) == 2, order == (0x49, 0x49), let context = ZSTD_createDCtx() else {
            VSIFCloseL(file)  // 0 on success; nothing was written
            return nil
        }
        return TileReader(dataset: dataset, block: block, predictor: predictor, file: file, context: context)
    }

    private init(
        dataset: RasterDataset, block: (columns: Int, rows: Int), predictor: Bool, file: UnsafeMutablePointer<VSILFILE>,
        context: OpaquePointer
    ) {
        self.dataset = dataset
        self.block = block
        self.predictor = predictor
        self.file = file
        self.context = context
        let bytes = 4 * block.columns * block.rows
        tile = .allocate(byteCount: bytes, alignment: 64)
        compressed = .allocate(byteCount: ZSTD_compressBound(bytes), alignment: 64)
    }

    deinit {
        VSIFCloseL(file)  // 0 on success; the file was only read
        ZSTD_freeDCtx(context)
        tile.deallocate()
        compressed.deallocate()
    }

    /// Reads the first `rows` rows and `columns` columns of block (`blockColumn`, `blockRow`) of
    /// `band` into `destination`, rows `stride` cells apart.
    /// - Throws: `GDALError` "read failed at block …" when neither this reader nor GDAL can read it.
    public func read(
        band: Int, blockColumn: Int, blockRow: Int, rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>, stride: Int
    ) throws {
        precondition(rows <= block.rows && columns <= block.columns, "part of one block")
        if !decompress(band: band, blockColumn: blockColumn, blockRow: blockRow) {
            blocksReadByGDAL += 1
            try dataset.readBlock(band: band, blockColumn: blockColumn, blockRow: blockRow, into: tile.baseAddress!)
            copy(rows: rows, columns: columns, into: destination, stride: stride)
        } else if predictor {
            FloatPredictor.decode(tile.baseAddress!, columns: block.columns, rows: rows, width: columns, into: destination, stride: stride)
        } else {
            copy(rows: rows, columns: columns, into: destination, stride: stride)
        }
    }

    private func copy(rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>, stride: Int) {
        let cells = tile.baseAddress!.assumingMemoryBound(to: Float.self)
        for r in 0..<rows { (destination + r * stride).update(from: cells + r * block.columns, count: columns) }
    }

    /// Decompresses the block into `tile`; false when its bytes are not a whole block of this
    /// file's layout (then GDAL reads it).
    ///
    /// The corresponding C functions are `GDALGetMetadataItem` ("BLOCK_OFFSET_x_y" and
    /// "BLOCK_SIZE_x_y" in the "TIFF" domain, NULL for a block never written), `VSIFSeekL`
    /// (0 on success), `VSIFReadL` (the count read) and `ZSTD_decompressDCtx` (the bytes
    /// written, or a code `ZSTD_isError` recognises).
    private func decompress(band: Int, blockColumn: Int, blockRow: Int) -> Bool {
        let key = "\(blockColumn)_\(blockRow)"
        guard let offset = dataset.bandMetadataItem("BLOCK_OFFSET_\(key)", band: band, domain: "TIFF").flatMap({ UInt64($0) }),
            let size = dataset.bandMetadataItem("BLOCK_SIZE_\(key)", band: band, domain: "TIFF").flatMap({ Int($0) }),
            offset > 0, size > 0
        else { return false }
        if size > compressed.count {
            compressed.deallocate()
            compressed = .allocate(byteCount: size, alignment: 64)
        }
        guard VSIFSeekL(file, offset, SEEK_SET) == 0, VSIFReadL(compressed.baseAddress, 1, size, file) == size else { return false }
        let written = ZSTD_decompressDCtx(context, tile.baseAddress, tile.count, compressed.baseAddress, size)
        return ZSTD_isError(written) == 0 && written == tile.count
    }
}
