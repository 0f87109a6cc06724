import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

@Suite("Shards: layout, index, checksums, mosaics")
struct ShardPlanTests {
    static func grid(_ columns: Int, _ rows: Int) -> Grid {
        Grid(columns: columns, rows: rows, transform: .northUp(left: 0, top: 0, cellSize: 10))
    }

    @Test(
        "tiles cover the grid once, as near square as the count allows, on 256-cell edges where they are that large",
        arguments: [
            (512, 512, 4, 2, 2), (512, 512, 16, 4, 4), (150, 110, 6, 3, 2), (1000, 300, 7, 7, 1), (300, 1000, 7, 1, 7),
            (8192, 8192, 16, 4, 4), (5, 5, 1, 1, 1), (3, 900, 12, 1, 12),
        ])
    func layout(columns: Int, rows: Int, count: Int, across: Int, down: Int) throws {
        let g = Self.grid(columns, rows)
        let tiles = try ShardLayout.tiles(of: g, count: count)
        #expect(tiles.across == across && tiles.down == down)
        #expect(tiles.windows.count == count)
        // Inside the grid, no two overlapping, as many cells as the grid: every cell once.
        for (i, w) in tiles.windows.enumerated() {
            #expect(w.columns > 0 && w.rows > 0 && w.intersection(g.full) == w)
            for other in tiles.windows[(i + 1)...] { #expect(w.intersection(other) == nil) }
        }
        #expect(tiles.windows.map(\.cellCount).reduce(0, +) == g.cellCount)
        if columns / across >= 256 { #expect(tiles.windows.allSatisfy { $0.column % 256 == 0 }) }
        if rows / down >= 256 { #expect(tiles.windows.allSatisfy { $0.row % 256 == 0 }) }
    }

    @Test("a shard count the grid cannot hold is refused, naming --shards")
    func tooManyShards() throws {
        let e = try #require(throws: OptionError.self) { try ShardLayout.tiles(of: Self.grid(3, 2), count: 7) }
        #expect(e.description == "--shards: 7 shards do not fit a grid of 3 × 2 cells (give at most one shard per row and column)")
        let zero = try #require(throws: OptionError.self) { try ShardLayout.tiles(of: Self.grid(3, 2), count: 0) }
        #expect(zero.description == "--shards: give at least 1 shard, got 0")
    }

    @Test("the shard index: --index, else the first array variable set; one line when none is")
    func index() throws {
        #expect(try ShardIndex.resolve(given: 3, shards: 4, environment: ["SLURM_ARRAY_TASK_ID": "1"]) == 3)
        for (name, value) in [
            ("SLURM_ARRAY_TASK_ID", 1), ("JOB_COMPLETION_INDEX", 2), ("PBS_ARRAY_INDEX", 3), ("AWS_BATCH_JOB_ARRAY_INDEX", 0),
        ] {
            #expect(try ShardIndex.resolve(given: nil, shards: 4, environment: [name: String(value)]) == value)
        }
        #expect(try ShardIndex.resolve(given: nil, shards: 4, environment: ["JOB_COMPLETION_INDEX": "2", "PBS_ARRAY_INDEX": "1"]) == 2)
        let none = try #require(throws: OptionError.self) {
            try ShardIndex.resolve(given: nil, shards: 4, environment: ["SLURM_ARRAY_TASK_ID": ""])
        }
        #expect(
            none.description
                == "--index: give --index I, or run the step as an array task (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, PBS_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is not set)"
        )
        let beyond = try #require(throws: OptionError.self) {
            try ShardIndex.resolve(given: nil, shards: 4, environment: ["SLURM_ARRAY_TASK_ID": "4"])
        }
        #expect(beyond.description == "--index: SLURM_ARRAY_TASK_ID is 4; the plan has shards 0 to 3")
        let text = try #require(throws: OptionError.self) {
            try ShardIndex.resolve(given: nil, shards: 4, environment: ["PBS_ARRAY_INDEX": "x"])
        }
        #expect(text.description == "--index: PBS_ARRAY_INDEX is x, not a whole number")
        #expect(throws: OptionError.self) { try ShardIndex.resolve(given: -1, shards: 4, environment: [:]) }
    }

    @Test("FNV-1a 64 of the published test strings, and of a file read in blocks")
    func checksums() throws {
        func hash(_ s: String) -> UInt64 { Array(s.utf8).withUnsafeBytes { FileChecksum.fnv1a64($0) } }
        #expect(hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(hash("foobar") == 0x8594_4171_f739_67e8)
        let folder = try TemporaryFolder()
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/f"))
        let file = try #require(FileChecksum.fnv1a64(folder.path + "/f"))
        #expect(file.bytes == Int64(bytes.count))
        #expect(file.hex == String(bytes.withUnsafeBytes { FileChecksum.fnv1a64($0) }, radix: 16))
        #expect(FileChecksum.fnv1a64(folder.path + "/missing") == nil)
    }

    @Test("the merged map's COG options name the level and the predictor as the COG driver does")
    func cogOptions() {
        var options = ScoreOptions()
        options.threads = 3
        #expect(
            ShardMerge.cogOptions(options) == [
                "BLOCKSIZE=256", "OVERVIEWS=AUTO", "BIGTIFF=IF_SAFER", "NUM_THREADS=3", "COMPRESS=ZSTD", "LEVEL=1", "PREDICTOR=YES",
            ])
        options.compression = .deflate
        options.level = 6
        #expect(ShardMerge.cogOptions(options).suffix(3) == ["COMPRESS=DEFLATE", "LEVEL=6", "PREDICTOR=YES"])
        options.compression = .none
        #expect(ShardMerge.cogOptions(options).count == 4)
    }

    @Test("a mosaic VRT reads each tile's cells where the tile lies, its sources relative to it")
    func mosaic() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let g = Self.grid(5, 3)
        try FileManager.default.createDirectory(atPath: dir + "/tiles", withIntermediateDirectories: true)
        let left = Window(column: 0, row: 0, columns: 2, rows: 3)
        let right = Window(column: 2, row: 0, columns: 3, rows: 3)
        for (name, w) in [("left", left), ("right", right)] {
            try writeRaster(dir + "/tiles/\(name).tif", grid: g.part(w), nodata: -9999) { c, r in Float((w.row + r) * 10 + w.column + c) }
        }
        let vrt = MosaicVRT(
            grid: g,
            bands: [
                .init(
                    description: "a <&> \"b\"", nodata: -9999, unitType: "km/km²",
                    sources: [
                        .init(path: dir + "/tiles/left.tif", window: left),
                        .init(
                            path: dir + "/tiles/right.tif", window: right,
                            blockSize: try RasterDataset.open(dir + "/tiles/right.tif").blockSize()),
                    ])
            ],
            metadata: ["NOTE": "x < y & \"z\"\nsecond line"])
        try FileManager.default.createDirectory(atPath: dir + "/stack", withIntermediateDirectories: true)
        try vrt.write(to: dir + "/stack/m.vrt")
        #expect(try readRaster(dir + "/stack/m.vrt") == (0..<15).map { Float(($0 / 5) * 10 + $0 % 5) })
        let xml = try String(contentsOfFile: dir + "/stack/m.vrt", encoding: .utf8)
        #expect(xml.contains("<SourceFilename relativeToVRT=\"1\">../tiles/left.tif</SourceFilename>"))
        #expect(xml.contains("<SourceProperties RasterXSize=\"3\" RasterYSize=\"3\" DataType=\"Float32\" BlockXSize=\"3\" BlockYSize=\""))
        let ds = try RasterDataset.open(dir + "/stack/m.vrt")
        #expect(ds.metadata()["NOTE"] == "x < y & \"z\"\nsecond line")
        #expect(ds.bandDescription() == "a <&> \"b\"")
        #expect(xml.contains("<UnitType>km/km²</UnitType>"))
        #expect(ds.blockSize().columns == 256)
        #expect(MosaicVRT.relativePath("/a/b/c.tif", from: "/a/d/e") == "../../b/c.tif")
        #expect(MosaicVRT.relativePath("/x/c.tif", from: "/a") == nil)
    }
}
