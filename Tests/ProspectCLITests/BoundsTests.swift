import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Files that declare absurd sizes are refused before anything is allocated for them: one line
/// on stderr naming the file and the problem, a non-zero exit status, nothing left behind.
@Suite("Absurd sizes are refused before they are allocated")
struct BoundsTests {
    /// Runs a command that must fail with one line naming `file` and saying `problem`, leaving
    /// `dir` as it was.
    func expectRefusal(
        _ args: [String], in dir: String, naming file: String, problem: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = CLI.files(in: dir)
        let r = try CLI.run(args, in: dir)
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file) && r.stderr.contains(problem), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(
            CLI.files(in: dir) == before, "files left behind: \(CLI.files(in: dir).subtracting(before))", sourceLocation: sourceLocation)
    }

    /// A 279-byte LightGBM dump declaring a billion features.
    @Test func lightGBMDumpWithABillionFeatures() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let dump = #"""
            {"name":"tree","version":"v4","num_class":1,"num_tree_per_iteration":1,"max_feature_idx":1000000000,"objective":"binary sigmoid:1","tree_info":[{"num_leaves":1,"tree_structure":{"leaf_value":0.5}}]}
            """#
        try Data(dump.utf8).write(to: URL(fileURLWithPath: dir + "/huge.json"))
        let evidence = try Fixture.raster(dir + "/a.tif") { c, _ in Float(c) }
        try expectRefusal(
            ["import", "--from", "lightgbm", "huge.json", "--evidence", "a=" + evidence, "--out", "model.json"], in: dir,
            naming: "huge.json", problem: "declares max_feature_idx 1000000000; at most 65535 features are supported")
    }

    /// An XGBoost model declaring a billion features.
    @Test func xgboostModelWithABillionFeatures() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let model = #"""
            {"learner":{"gradient_booster":{"name":"gbtree","model":{"trees":[]}},"learner_model_param":{"base_score":"5E-1","num_feature":"1000000000"},"objective":{"name":"binary:logistic"}}}
            """#
        try Data(model.utf8).write(to: URL(fileURLWithPath: dir + "/huge.json"))
        let evidence = try Fixture.raster(dir + "/a.tif") { c, _ in Float(c) }
        try expectRefusal(
            ["import", "--from", "xgboost", "huge.json", "--evidence", "a=" + evidence, "--out", "model.json"], in: dir,
            naming: "huge.json", problem: "declares num_feature 1000000000; at most 65535 features are supported")
    }

    /// A 430-byte "billion laughs": nine levels of aliases, each nine of the one before.
    @Test func studyFileWithNestedAliases() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        var yaml = "a0: &a0 [lol]\n"
        for k in 1...9 { yaml += "a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 9).joined(separator: ",") + "]\n" }
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: dir + "/laughs.yaml"))
        try expectRefusal(["run", "laughs.yaml"], in: dir, naming: "laughs.yaml", problem: "aliases expand to more than 100000 nodes")
    }

    @Test func studyFileOverOneMebibyte() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let yaml = "name: big\n" + String(repeating: "# padding\n", count: 110_000)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: dir + "/big.yaml"))
        try expectRefusal(["run", "big.yaml"], in: dir, naming: "big.yaml", problem: "larger than 1048576 bytes")
    }

    /// A VRT of `columns` × `rows` Float32 cells with no sources (every cell 0), on UTM 45N.
    static func hugeVRT(_ path: String, columns: Int, rows: Int) throws {
        let srs = try Fixture.utm().wkt.replacingOccurrences(of: "\"", with: "&quot;")
        let vrt = """
            <VRTDataset rasterXSize="\(columns)" rasterYSize="\(rows)"><SRS>\(srs)</SRS>\
            <GeoTransform>350000, 100, 0, 2380000, 0, -100</GeoTransform>\
            <VRTRasterBand dataType="Float32" band="1"><NoDataValue>-9999</NoDataValue></VRTRasterBand></VRTDataset>
            """
        try Data(vrt.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `info` on a 10^6 × 10^6 raster without overviews reads metadata only and says so.
    @Test func infoSkipsStatisticsOfHugeRasters() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try Self.hugeVRT(dir + "/huge.vrt", columns: 1_000_000, rows: 1_000_000)
        let before = CLI.files(in: dir)
        let r = try CLI.run(["info", "huge.vrt"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("statistics skipped: 1000000000000 cells and no overviews; use --exact"), "\(r.stdout)")
        #expect(r.stderr.isEmpty && CLI.files(in: dir) == before)
    }

    /// A sparse tiled GeoTIFF of 10^10 cells: the same, and quick.
    @Test func infoSkipsStatisticsOfLargeSparseTIFFs() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let grid = Grid(columns: 100_000, rows: 100_000, transform: .northUp(left: 0, top: 0, cellSize: 1))
        try RasterDataset.create(
            dir + "/sparse.tif", grid: grid, type: .byte,
            options: ["TILED=YES", "BLOCKXSIZE=4096", "BLOCKYSIZE=4096", "SPARSE_OK=TRUE", "BIGTIFF=YES"]
        ).close()
        let r = try CLI.run(["info", "sparse.tif"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("statistics skipped: 10000000000 cells"), "\(r.stdout)")
        #expect(CLI.files(in: dir) == ["sparse.tif"])
    }

    /// A TIFF declaring 65535 bands is refused before a band is read.
    @Test func rastersWithAbsurdBandCounts() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let grid = Grid(columns: 1, rows: 1, transform: .northUp(left: 0, top: 0, cellSize: 1))
        try RasterDataset.create(dir + "/bands.tif", grid: grid, bands: 65_535, type: .byte, options: ["SPARSE_OK=TRUE"]).close()
        try expectRefusal(["info", "bands.tif"], in: dir, naming: "bands.tif", problem: "has 65535 bands; at most 4096")
    }

    /// `score` over a 10^12-cell grid is refused before anything is written.
    @Test func scoreRefusesHugeGrids() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try Self.hugeVRT(dir + "/huge.vrt", columns: 1_000_000, rows: 1_000_000)
        let layers = ImportFixture.names.flatMap { ["--evidence", "\($0)=huge.vrt"] }
        let imp = try CLI.run(
            ["import", "--from", "lightgbm", ImportFixture.folder + "/lightgbm_model.json", "--out", "model.json"] + layers, in: dir)
        try #require(imp.status == 0, "\(imp.stderr)")
        try expectRefusal(
            ["score", "--model", "model.json", "--out", "map.tif"], in: dir, naming: "map.tif",
            problem: "the grid has 1000000 × 1000000 cells, more than 2^34; pass --allow-large")
    }
}
