import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// `TileReader` reads every block of the GeoTIFFs it takes as `GDALReadBlock` does, and turns
/// down the others.
@Suite("Reading ZSTD tiles past libtiff: every block as GDAL reads it")
struct TileReaderTests {
    struct Variant: CustomTestStringConvertible, Sendable {
        var name: String
        var columns = 300
        var rows = 200
        var bands = 1
        var options: [String]
        /// Whether `TileReader.make` takes the file.
        var fast = true
        /// Blocks left unwritten (`SPARSE_OK`): every third.
        var sparse = false
        /// Whether GDAL reads some blocks (never written, or a short last strip).
        var someByGDAL = false
        var testDescription: String { name }
    }

    static let zstd = ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=32", "COMPRESS=ZSTD"]
    static let variants = [
        Variant(name: "predictor, partial edge tiles", options: zstd + ["PREDICTOR=3"]),
        Variant(name: "no predictor", options: zstd),
        Variant(
            name: "predictor, level 9, 256² tiles", columns: 520, rows: 260,
            options: ["TILED=YES", "COMPRESS=ZSTD", "ZSTD_LEVEL=9", "PREDICTOR=3"]),
        Variant(name: "three bands by band", bands: 3, options: zstd + ["PREDICTOR=3", "INTERLEAVE=BAND"]),
        Variant(name: "tiles never written", options: zstd + ["PREDICTOR=3", "SPARSE_OK=TRUE"], sparse: true, someByGDAL: true),
        Variant(
            name: "strips, the last one short", columns: 70, rows: 45, options: ["COMPRESS=ZSTD", "PREDICTOR=3", "BLOCKYSIZE=8"],
            someByGDAL: true),
        Variant(name: "BigTIFF", options: zstd + ["PREDICTOR=3", "BIGTIFF=YES"]),
        Variant(name: "bands by pixel", bands: 2, options: zstd + ["PREDICTOR=3", "INTERLEAVE=PIXEL"], fast: false),
        Variant(name: "DEFLATE", options: ["TILED=YES", "COMPRESS=DEFLATE", "PREDICTOR=3"], fast: false),
        Variant(name: "uncompressed", options: ["TILED=YES"], fast: false),
        Variant(name: "big-endian", options: zstd + ["PREDICTOR=3", "ENDIANNESS=BIG"], fast: false),
    ]

    /// Smooth scores with nodata (−9999), NaN, infinities and random bit patterns.
    static func value(_ c: Int, _ r: Int, band: Int) -> Float {
        let k = c * 7 + r * 13 + band
        if k % 41 == 0 { return -9999 }
        if k % 97 == 0 { return .nan }
        if k % 101 == 0 { return -.infinity }
        if k % 7 == 3 { return Float(bitPattern: UInt32(truncatingIfNeeded: (k &* 2_654_435_761) ^ 0x5A5A)) }
        return Float(sin(Double(c) * 0.05) * cos(Double(r) * 0.07)) * Float(band) + 0.5
    }

    static func write(_ path: String, _ v: Variant) throws {
        let grid = try utmGrid(columns: v.columns, rows: v.rows)
        let ds = try RasterDataset.create(path, grid: grid, bands: v.bands, type: .float32, options: v.options)
        let block = ds.blockSize()
        for band in 1...v.bands {
            try ds.setNodata(-9999, band: band)
            if v.sparse {
                // Every third block written, the others left out of the file.
                let count = ds.blockCount(band: band)
                for br in 0..<count.rows {
                    for bc in 0..<count.columns where (bc + br) % 3 == 0 {
                        let window = Window(
                            column: bc * block.columns, row: br * block.rows, columns: min(block.columns, v.columns - bc * block.columns),
                            rows: min(block.rows, v.rows - br * block.rows))
                        let values = (0..<window.cellCount).map {
                            value(window.column + $0 % window.columns, window.row + $0 / window.columns, band: band)
                        }
                        try values.withUnsafeBufferPointer { try ds.write(band: band, window: window, from: $0) }
                    }
                }
            } else {
                let values = (0..<grid.cellCount).map { value($0 % v.columns, $0 / v.columns, band: band) }
                try values.withUnsafeBufferPointer { try ds.write(band: band, window: grid.full, from: $0) }
            }
        }
        try ds.close()
    }

    @Test("every block of every band, whole and in part, as GDALReadBlock reads it", arguments: variants)
    func sameAsGDAL(variant: Variant) throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/map.tif"
        try Self.write(path, variant)
        let gdal = try RasterDataset.open(path)
        let bands = Array(1...variant.bands)
        let reader = TileReader.make(dataset: try RasterDataset.open(path), bands: bands)
        #expect((reader != nil) == variant.fast)
        guard let reader else { return }
        let block = gdal.blockSize()
        #expect(reader.block == block)
        let count = gdal.blockCount()
        var expected = [Float](repeating: 0, count: block.columns * block.rows)
        for band in bands {
            for br in 0..<count.rows {
                for bc in 0..<count.columns {
                    try expected.withUnsafeMutableBytes {
                        try gdal.readBlock(band: band, blockColumn: bc, blockRow: br, into: $0.baseAddress!)
                    }
                    // The whole block, then the part inside the raster into a wider buffer.
                    var whole = [Float](repeating: 1, count: expected.count)
                    try whole.withUnsafeMutableBufferPointer {
                        try reader.read(
                            band: band, blockColumn: bc, blockRow: br, rows: block.rows, columns: block.columns, into: $0.baseAddress!,
                            stride: block.columns)
                    }
                    #expect(whole.map(\.bitPattern) == expected.map(\.bitPattern), "band \(band), block (\(bc), \(br))")
                    let columns = min(block.columns, variant.columns - bc * block.columns)
                    let rows = min(block.rows, variant.rows - br * block.rows)
                    let stride = columns + 3
                    var part = [Float](repeating: 7, count: rows * stride)
                    try part.withUnsafeMutableBufferPointer {
                        try reader.read(
                            band: band, blockColumn: bc, blockRow: br, rows: rows, columns: columns, into: $0.baseAddress!, stride: stride)
                    }
                    for r in 0..<rows {
                        let got = part[(r * stride)..<(r * stride + columns)].map(\.bitPattern)
                        #expect(got == expected[(r * block.columns)..<(r * block.columns + columns)].map(\.bitPattern), "row \(r)")
                        #expect(
                            part[(r * stride + columns)..<(r * stride + stride)].allSatisfy { $0 == 7 },
                            "nothing past the columns asked for")
                    }
                }
            }
        }
        // Two reads of each block; GDAL's only where the file's bytes are not a whole block.
        let blocks = 2 * variant.bands * count.columns * count.rows
        if variant.sparse {
            #expect(reader.blocksReadByGDAL > blocks / 2 && reader.blocksReadByGDAL < blocks)
        } else if variant.someByGDAL {
            #expect(reader.blocksReadByGDAL == 2 * variant.bands * count.columns, "the short last strip")
        } else {
            #expect(reader.blocksReadByGDAL == 0)
        }
    }

    @Test("a tile whose bytes are damaged fails with GDAL's one-line error naming the file")
    func damagedTile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/map.tif"
        try Self.write(path, Variant(name: "", options: Self.zstd + ["PREDICTOR=3"]))
        let offset = try #require(Int(try RasterDataset.open(path).bandMetadataItem("BLOCK_OFFSET_1_1", domain: "TIFF") ?? ""))
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 16))
        try handle.close()
        let reader = try #require(TileReader.make(dataset: try RasterDataset.open(path), bands: [1]))
        var block = [Float](repeating: 0, count: 64 * 32)
        let error = #expect(throws: GDALError.self) {
            try block.withUnsafeMutableBufferPointer {
                try reader.read(band: 1, blockColumn: 1, blockRow: 1, rows: 32, columns: 64, into: $0.baseAddress!, stride: 64)
            }
        }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains(path) && message.contains("block (1, 1)") && !message.contains("\n"), "\(message)")
        // The blocks around it still read.
        try block.withUnsafeMutableBufferPointer {
            try reader.read(band: 1, blockColumn: 0, blockRow: 1, rows: 32, columns: 64, into: $0.baseAddress!, stride: 64)
        }
    }
}
