import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// Tiles encoded here (`FloatPredictor`, `ZstdCompressor`) and appended to a file GDAL created
/// without them (`TileAppender`) make the file GDAL's GeoTIFF driver writes itself.
@Suite("Appending encoded tiles: the GeoTIFF GDAL writes, byte for byte")
struct TileAppenderTests {
    struct Layout: CustomTestStringConvertible, Sendable {
        var columns: Int
        var rows: Int
        var tile: Int
        var bands = 1
        var level = 1
        var predictor = true
        var bigTIFF = false
        var testDescription: String {
            "\(columns)×\(rows), \(tile)² tiles, \(bands) band(s), level \(level)\(predictor ? ", predictor" : "")\(bigTIFF ? ", BigTIFF" : "")"
        }
        var across: Int { (columns + tile - 1) / tile }
        var down: Int { (rows + tile - 1) / tile }

        var options: [String] {
            var o = [
                "TILED=YES", "BLOCKXSIZE=\(tile)", "BLOCKYSIZE=\(tile)", "COMPRESS=ZSTD", "ZSTD_LEVEL=\(level)",
                "BIGTIFF=\(bigTIFF ? "YES" : "IF_SAFER")",
            ]
            if predictor { o.append("PREDICTOR=3") }
            if bands > 1 { o.append("INTERLEAVE=BAND") }
            return o
        }
    }

    static let layouts = [
        // Two tiles, the second mostly outside the raster.
        Layout(columns: 300, rows: 200, tile: 256),
        // 80 tiles of three bands.
        Layout(columns: 640, rows: 512, tile: 64, bands: 3, level: 9),
        // One tile: the arrays' single entries sit inside the directory.
        Layout(columns: 256, rows: 256, tile: 256, predictor: false),
        Layout(columns: 300, rows: 200, tile: 128, level: 3, bigTIFF: true),
        // A width that is not a multiple of 16 cells within a tile row's vector steps.
        Layout(columns: 90, rows: 70, tile: 48, bands: 2, level: -3),
    ]

    /// A block of band `band`: smooth values, some nodata, some special values, and, outside
    /// the raster, the nodata padding the scorer writes.
    static func block(_ layout: Layout, column bc: Int, row br: Int, band: Int) -> [Float] {
        var block = [Float](repeating: -9999, count: layout.tile * layout.tile)
        for r in 0..<layout.tile {
            for c in 0..<layout.tile {
                let x = bc * layout.tile + c
                let y = br * layout.tile + r
                guard x < layout.columns, y < layout.rows else { continue }
                let v: Float
                switch (x * 7 + y * 13 + band) % 101 {
                case 0: v = -9999
                case 1: v = .nan
                case 2: v = -0.0
                case 3: v = .infinity
                default: v = 1 / (1 + exp(-Float(x) / 50 + Float(y % 37) / 20)) + Float(band) * 0.25
                }
                block[r * layout.tile + c] = v
            }
        }
        return block
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Creates the file with GDAL's options, its nodata, band descriptions and metadata.
    func create(_ path: String, _ layout: Layout, extra: [String] = []) throws -> RasterDataset {
        let ds = try RasterDataset.create(
            path, grid: try utmGrid(columns: layout.columns, rows: layout.rows), bands: layout.bands, options: layout.options + extra)
        for b in 1...layout.bands {
            try ds.setNodata(-9999, band: b)
            ds.setBandDescription("band \(b)", band: b)
        }
        try ds.setMetadata(["PROSPECT_CREATED": "2024-05-01T12:00:00Z"])
        return ds
    }

    @Test("the file equals the one GDAL compresses itself", arguments: layouts)
    func sameAsGDAL(layout: Layout) throws {
        try withTemporaryDirectory { dir in
            // GDAL compressing every block, in row-major order, bands inner: what the scorer did.
            let gdal = try create(dir + "/gdal.tif", layout)
            for br in 0..<layout.down {
                for bc in 0..<layout.across {
                    for b in 1...layout.bands {
                        var block = Self.block(layout, column: bc, row: br, band: b)
                        try block.withUnsafeMutableBytes {
                            try gdal.writeBlock(band: b, blockColumn: bc, blockRow: br, from: $0.baseAddress!)
                        }
                    }
                }
            }
            try gdal.close()

            try create(dir + "/own.tif", layout, extra: ["SPARSE_OK=TRUE"]).closeForAppending()
            let file = try TileAppender(path: dir + "/own.tif", bands: layout.bands)
            #expect(file.tilesAcross == layout.across && file.tilesDown == layout.down)
            let compressor = try ZstdCompressor()
            let cells = layout.tile * layout.tile
            let predicted = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * cells, alignment: 64)
            let encoded = UnsafeMutableRawBufferPointer.allocate(byteCount: ZstdCompressor.bound(4 * cells), alignment: 64)
            defer {
                predicted.deallocate()
                encoded.deallocate()
            }
            for br in 0..<layout.down {
                for bc in 0..<layout.across {
                    for b in 1...layout.bands {
                        let block = Self.block(layout, column: bc, row: br, band: b)
                        let n = try block.withUnsafeBufferPointer { values in
                            if layout.predictor {
                                FloatPredictor.encode(values, columns: layout.tile, into: predicted)
                                return try compressor.compress(
                                    UnsafeRawBufferPointer(predicted), into: encoded, setting: .level(layout.level))
                            }
                            return try compressor.compress(UnsafeRawBufferPointer(values), into: encoded, setting: .level(layout.level))
                        }
                        try file.append(UnsafeRawBufferPointer(rebasing: encoded[0..<n]), tileColumn: bc, tileRow: br, band: b)
                    }
                }
            }
            try file.close()

            // GDAL refuses levels below 1 (it warns and takes its default): compare values only.
            if layout.level >= 1 { #expect(try bytes(dir + "/own.tif") == bytes(dir + "/gdal.tif")) }
            let read = try RasterDataset.open(dir + "/own.tif")
            #expect(read.bandCount == layout.bands)
            #expect(read.metadata()["PROSPECT_CREATED"] == "2024-05-01T12:00:00Z")
            for b in 1...layout.bands {
                var values = [Float](repeating: 0, count: layout.columns * layout.rows)
                try values.withUnsafeMutableBufferPointer { try read.read(band: b, window: read.grid.full, into: $0) }
                var expected = values
                for br in 0..<layout.down {
                    for bc in 0..<layout.across {
                        let block = Self.block(layout, column: bc, row: br, band: b)
                        for r in 0..<layout.tile where br * layout.tile + r < layout.rows {
                            for c in 0..<layout.tile where bc * layout.tile + c < layout.columns {
                                expected[(br * layout.tile + r) * layout.columns + bc * layout.tile + c] = block[r * layout.tile + c]
                            }
                        }
                    }
                }
                #expect(values.map(\.bitPattern) == expected.map(\.bitPattern), "band \(b) reads back different values")
            }
        }
    }

    @Test("tiles never appended read as nodata")
    func sparse() throws {
        try withTemporaryDirectory { dir in
            let layout = Layout(columns: 300, rows: 200, tile: 128)
            try create(dir + "/m.tif", layout, extra: ["SPARSE_OK=TRUE"]).closeForAppending()
            let file = try TileAppender(path: dir + "/m.tif")
            let compressor = try ZstdCompressor()
            let block = Self.block(layout, column: 1, row: 1, band: 1)
            let predicted = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * block.count, alignment: 64)
            let encoded = UnsafeMutableRawBufferPointer.allocate(byteCount: ZstdCompressor.bound(4 * block.count), alignment: 64)
            defer {
                predicted.deallocate()
                encoded.deallocate()
            }
            block.withUnsafeBufferPointer { FloatPredictor.encode($0, columns: 128, into: predicted) }
            // The fast setting: a frame any decoder reads.
            let n = try compressor.compress(UnsafeRawBufferPointer(predicted), into: encoded, setting: .fast)
            try file.append(UnsafeRawBufferPointer(rebasing: encoded[0..<n]), tileColumn: 1, tileRow: 1)
            try file.close()
            let values = try readRaster(dir + "/m.tif")
            #expect(values[0] == -9999 && values[127 * 300 + 127] == -9999)
            #expect(values[128 * 300 + 128].bitPattern == block[0].bitPattern)
            #expect(values[199 * 300 + 299].bitPattern == block[71 * 128 + 171].bitPattern)
        }
    }

    @Test("a level after the fast setting is still GDAL's level: one context may run both")
    func settingsDoNotLeak() throws {
        let layout = Layout(columns: 256, rows: 256, tile: 256)
        let block = Self.block(layout, column: 0, row: 0, band: 1)
        let predicted = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * block.count, alignment: 64)
        defer { predicted.deallocate() }
        block.withUnsafeBufferPointer { FloatPredictor.encode($0, columns: 256, into: predicted) }
        func frame(_ compressor: ZstdCompressor, _ setting: ZstdSetting) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: ZstdCompressor.bound(predicted.count))
            let n = try out.withUnsafeMutableBytes {
                try compressor.compress(UnsafeRawBufferPointer(predicted), into: $0, setting: setting)
            }
            return Array(out[0..<n])
        }
        let shared = try ZstdCompressor()
        let fast = try frame(shared, .fast)
        let level = try frame(shared, .level(1))
        #expect(level == (try frame(try ZstdCompressor(), .level(1))))
        #expect(fast != level, "the two settings write different frames")
        #expect(try frame(shared, .fast) == fast)
    }

    @Test("a file that is not an empty tiled TIFF is refused with one line naming it")
    func refused() throws {
        try withTemporaryDirectory { dir in
            let layout = Layout(columns: 64, rows: 64, tile: 32)
            // Blocks already written.
            let full = try create(dir + "/full.tif", layout)
            var block = [Float](repeating: 1, count: 32 * 32)
            try block.withUnsafeMutableBytes { try full.writeBlock(blockColumn: 0, blockRow: 0, from: $0.baseAddress!) }
            try full.close()
            // Strips, not tiles.
            try writeRaster(dir + "/strips.tif", grid: try utmGrid(columns: 64, rows: 64)) { c, _ in Float(c) }
            try writeText("not a raster", to: dir + "/text.tif")
            let cases: [(String, String)] = [
                ("full.tif", "the file already holds tiles"), ("strips.tif", "the TIFF directory has no tag 322"),
                ("text.tif", "not a little-endian TIFF"), ("missing.tif", "cannot open for writing tiles: No such file or directory"),
            ]
            for (name, message) in cases {
                #expect(throws: GDALError(path: dir + "/" + name, message: message)) { try TileAppender(path: dir + "/" + name) }
            }
            // Two bands asked of a one-band file.
            #expect(throws: GDALError.self) { try TileAppender(path: dir + "/strips.tif", bands: 2) }
        }
    }
}
