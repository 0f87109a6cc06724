import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Outputs are byte-identical for any thread count once their time stamp is fixed (`--created`,
/// a study's `outputs.created`, or `SOURCE_DATE_EPOCH`).
@Suite("Reproducible outputs: the same bytes for any thread count")
struct ReproducibleOutputTests {
    static let epoch = "1714564800"
    static let stamp = "2024-05-01T12:00:00Z"
    static let fixed: [String: String?] = ["SOURCE_DATE_EPOCH": epoch]

    /// A 640 × 512 grid: 80 tiles of 64² blocks, or 9 windows of 256² (edge ones clipped) over strips.
    static let grid = Grid(
        columns: 640, rows: 512, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 10), crsName: "EPSG:32645")

    /// Two layers on `grid` and deposits where "a" is high; `blocks` nil writes strips.
    static func stack(in dir: String, blocks: Int?) throws -> (a: String, b: String, deposits: String) {
        var g = grid
        g.crsWKT = try Fixture.utm().wkt
        let a = dir + "/a.tif"
        let b = dir + "/b.tif"
        try writeRaster(a, grid: g, nodata: -9999, blockSize: blocks) { c, r in
            c == 3 && r == 5 ? -9999 : Float(c) / 640 + Float(r % 7) / 50
        }
        try writeRaster(b, grid: g, nodata: -9999, blockSize: blocks) { c, r in Float((c / 40 + r / 30) % 4) }
        let cells = [(600, 20), (610, 100), (590, 300), (620, 450), (500, 200), (100, 100), (630, 500), (560, 60)]
        let deposits = try Fixture.points(
            dir + "/deposits.gpkg", cells.map { g.transform.map(column: Double($0.0) + 0.5, row: Double($0.1) + 0.5) }.map { ($0.x, $0.y) })
        return (a, b, deposits)
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Runs `arguments` (with `{T}` standing for the thread count) once per thread count, each
    /// time writing `outputs` (which may hold `{T}` too), and expects every output identical to
    /// the one-thread run's.
    func expectSameBytes(
        _ arguments: [String], outputs: [String], threads: [Int] = [1, 2, 3], in dir: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for t in threads {
            let r = try CLI.run(arguments.map { $0.replacingOccurrences(of: "{T}", with: "\(t)") }, in: dir, environment: Self.fixed)
            try #require(
                r.status == 0, "\(arguments.joined(separator: " ")) with \(t) threads: \(r.stderr)", sourceLocation: sourceLocation)
        }
        for output in outputs {
            let first = try bytes(dir + "/" + output.replacingOccurrences(of: "{T}", with: "1"))
            for t in threads.dropFirst() {
                let other = output.replacingOccurrences(of: "{T}", with: "\(t)")
                #expect(
                    try bytes(dir + "/" + other) == first, "\(other) differs from the one-thread output", sourceLocation: sourceLocation)
            }
        }
    }

    static let scoreOutputs: [[String]] = [[], ["--compress", "none"], ["--compress", "deflate"], ["--cog"]]

    @Test(
        "score and targets write the same bytes with 1, 2 and 3 threads (file blocks and 256² windows)",
        arguments: [64, nil], scoreOutputs)
    func score(blocks: Int?, output: [String]) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.stack(in: dir, blocks: blocks)
        let train = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--evidence", "a=" + s.a, "--categorical", "b=" + s.b,
                "--unit-cell-km2", "0.0001", "--out", "model.json",
            ], in: dir, environment: Self.fixed)
        try #require(train.status == 0, "\(train.stderr)")
        // Weights of evidence adds two uncertainty bands, each written tile by tile too.
        try expectSameBytes(
            ["score", "--model", "model.json", "--out", "map{T}.tif", "--threads", "{T}", "--uncertainty"] + output,
            outputs: ["map{T}.tif"],
            in: dir)
        let map = try RasterDataset.open(dir + "/map1.tif")
        #expect(map.bandCount == 3)
        if output.isEmpty {
            // The default: ZSTD tiles with the floating-point predictor, encoded on the workers.
            let structure = map.metadata(domain: "IMAGE_STRUCTURE")
            #expect(structure["COMPRESSION"] == "ZSTD" && structure["PREDICTOR"] == "3", "\(structure)")
        }
        #expect(map.metadata()["PROSPECT_CREATED"] == Self.stamp)
        let values = try readRaster(dir + "/map1.tif")
        #expect(values.filter { $0 != -9999 }.count == Self.grid.cellCount - 1)
        for t in [1, 2] {
            let r = try CLI.run(
                ["targets", "map\(t).tif", "--out", "targets\(t).geojson", "--tiles-out", "tiles\(t).geojson", "--tile-size", "500"],
                in: dir)
            try #require(r.status == 0, "\(r.stderr)")
        }
        // Each targets file names its own map; the rest is the same.
        for name in ["targets", "tiles"] {
            let one = try String(contentsOfFile: dir + "/\(name)1.geojson", encoding: .utf8)
            let two = try String(contentsOfFile: dir + "/\(name)2.geojson", encoding: .utf8)
            #expect(one.replacingOccurrences(of: "map1.tif", with: "map2.tif") == two, "\(name) differ")
        }
    }

    @Test("prepare writes the same layers, VRT and manifest with 1, 2 and 3 threads")
    func prepare() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.stack(in: dir, blocks: 64)
        try VectorFixture.faults(dir + "/faults.gpkg")
        // A 25 m grid: a.tif is warped (bilinear) and b.tif too (nearest); 768 rows are three bands of 256.
        let layers = ["a", "b", "fault_distance", "density_deposits"]
        var outputs: [String] = []
        for t in [1, 2, 3] {
            let r = try CLI.run(
                [
                    "prepare", "--crs", "EPSG:32645", "--cell-size", "25",
                    "--extent", "350000,2360800,366000,2380000", "--out", "stack\(t)", "--threads", "\(t)",
                    "--raster", "a=" + s.a, "--categorical", "b=" + s.b, "--distance", "fault_distance=faults.gpkg",
                    "--density", "density_deposits=deposits.gpkg@300",
                ], in: dir, environment: Self.fixed)
            try #require(r.status == 0, "\(r.stderr)")
        }
        outputs = layers.map { "\($0).tif" } + ["stack.vrt", "stack.json"]
        #expect(CLI.files(in: dir + "/stack1") == Set(outputs))
        for file in outputs {
            let one = try bytes(dir + "/stack1/" + file)
            for t in [2, 3] { #expect(try bytes(dir + "/stack\(t)/" + file) == one, "stack\(t)/\(file) differs") }
        }
        let manifest = try String(contentsOfFile: dir + "/stack1/stack.json", encoding: .utf8)
        #expect(manifest.contains("\"created\" : \"\(Self.stamp)\""), "\(manifest.prefix(300))")
        #expect(try RasterDataset.open(dir + "/stack1/a.tif").grid.rows == 768)
    }

    @Test("random forests and gradient boosting write the same model with 1, 2 and 3 threads")
    func train() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.stack(in: dir, blocks: 64)
        for method in ["rf", "gbt"] {
            try expectSameBytes(
                [
                    "train", "--method", method, "--deposits", s.deposits, "--evidence", "a=" + s.a, "--categorical", "b=" + s.b,
                    "--trees", "20", "--background", "5000", "--threads", "{T}", "--out", "\(method){T}.json",
                ], outputs: ["\(method){T}.json"], in: dir)
            let model = try String(contentsOfFile: dir + "/\(method)1.json", encoding: .utf8)
            #expect(model.contains("\"created\" : \"\(Self.stamp)\""))
        }
    }

    @Test("weights of evidence and logistic regression write the same model with 1, 2 and 3 threads")
    func trainAdditive() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.stack(in: dir, blocks: 64)
        let layers = ["--deposits", s.deposits, "--evidence", "a=" + s.a, "--categorical", "b=" + s.b, "--threads", "{T}"]
        let runs: [(name: String, arguments: [String], outputs: [String])] = [
            ("wofe", ["--method", "wofe", "--unit-cell-km2", "0.01", "--weights-table", "wofe{T}.csv"], ["wofe{T}.csv"]),
            ("unknown", ["--method", "wofe", "--unit-cell-km2", "0.01", "--missing-as-unknown"], []),
            ("ascending", ["--method", "wofe", "--unit-cell-km2", "0.01", "--ascending", "c=" + s.b], []),
            // A sample of the background (merged from the workers' smallest keys), and all of it.
            ("logistic", ["--method", "logistic", "--background", "5000", "--transform", "a=zscore"], []),
            ("logistic-all", ["--method", "logistic", "--background", "0"], []),
        ]
        for run in runs {
            try expectSameBytes(
                ["train"] + run.arguments + layers + ["--out", "\(run.name){T}.json"], outputs: ["\(run.name){T}.json"] + run.outputs,
                in: dir)
        }
        let model = try String(contentsOfFile: dir + "/logistic1.json", encoding: .utf8)
        #expect(model.contains("\"backgroundCells\" : 5000"), "\(model.prefix(400))")
    }

    @Test("the demo writes the same files with 1 and 2 threads")
    func demo() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        for t in [1, 2] {
            let r = try CLI.run(
                ["demo", "--data", CLI.demoData, "--out", dir + "/out", "--threads", "\(t)", "--no-cv", "--json"], in: dir,
                environment: Self.fixed)
            try #require(r.status == 0, "\(r.stderr)")
            try FileManager.default.moveItem(atPath: dir + "/out", toPath: dir + "/out\(t)")
        }
        let files = CLI.files(in: dir + "/out1")
        #expect(files.contains("prospectivity_wofe.tif") && files.contains("model_wofe.json") && files.contains("weights.csv"))
        #expect(CLI.files(in: dir + "/out2") == files)
        // Both runs wrote into out/, so the paths the outputs record are the same too.
        for file in files { #expect(try bytes(dir + "/out1/" + file) == bytes(dir + "/out2/" + file), "\(file) differs") }
    }

    /// `--created` in each form it takes, and its precedence over `SOURCE_DATE_EPOCH`.
    @Test(
        "--created stamps the model and the map, and wins over SOURCE_DATE_EPOCH",
        arguments: [
            ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"), ("2024-05-01T14:00:00.75+02:00", "2024-05-01T12:00:00Z"),
            ("2024-05-01", "2024-05-01T00:00:00Z"), ("0", "1970-01-01T00:00:00Z"), ("1714564800", "2024-05-01T12:00:00Z"),
        ])
    func createdOption(given: String, stamp: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let environment: [String: String?] = ["SOURCE_DATE_EPOCH": "86400"]
        let train = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "a=" + s.a, "--out", "m.json", "--created", given],
            in: dir, environment: environment)
        try #require(train.status == 0, "\(train.stderr)")
        let score = try CLI.run(["score", "--model", "m.json", "--out", "map.tif", "--created", given], in: dir, environment: environment)
        try #require(score.status == 0, "\(score.stderr)")
        #expect(try ModelFile.decode(bytes(dir + "/m.json")).created == stamp)
        #expect(try RasterDataset.open(dir + "/map.tif").metadata()["PROSPECT_CREATED"] == stamp)
    }

    @Test("without --created or SOURCE_DATE_EPOCH, outputs are stamped with the time they were written")
    func stampedNow() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let before = Date().timeIntervalSince1970.rounded(.down)
        let unset: [String: String?] = ["SOURCE_DATE_EPOCH": nil]
        let train = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "a=" + s.a, "--out", "m.json"], in: dir,
            environment: unset)
        try #require(train.status == 0, "\(train.stderr)")
        let score = try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir, environment: unset)
        try #require(score.status == 0, "\(score.stderr)")
        let after = Date().timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        for text in [
            try ModelFile.decode(bytes(dir + "/m.json")).created, try RasterDataset.open(dir + "/map.tif").metadata()["PROSPECT_CREATED"],
        ] {
            let time = try #require(formatter.date(from: text ?? "")?.timeIntervalSince1970, "stamp \(text ?? "none")")
            #expect(time >= before && time <= after, "stamp \(text ?? "") not between \(before) and \(after)")
        }
    }

    @Test(
        "a malformed SOURCE_DATE_EPOCH is refused in one line naming it, nothing written",
        arguments: ["yesterday", "1.5", "-1", "2024-05-01T12:00:00Z", "99999999999999999999"])
    func badEnvironment(value: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let before = CLI.files(in: dir)
        for arguments in [
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "a=" + s.a, "--out", "m.json"],
            ["prepare", "--reference", s.a, "--raster", "a=" + s.a, "--out", "stack"],
        ] {
            let r = try CLI.run(arguments, in: dir, environment: ["SOURCE_DATE_EPOCH": value])
            #expect(r.status == 1)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.hasPrefix("prospect: error: SOURCE_DATE_EPOCH: "), "\(r.stderr)")
            #expect(CLI.files(in: dir) == before)
        }
        // --created wins, so the variable is not read.
        let r = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "a=" + s.a, "--out", "m.json", "--created", "0"],
            in: dir, environment: ["SOURCE_DATE_EPOCH": value])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("a study's outputs.created stamps the stack, the model and the map; run --created wins over it; two runs are identical")
    func study() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Fixture.stack(in: dir)
        let yaml = """
            grid:
              reference: a.tif
            layers:
              - name: a
                raster: a.tif
              - name: b
                categorical: b.tif
            deposits: deposits.gpkg
            model:
              method: logistic
            outputs:
              created: 2024-05-01T12:00:00Z
            """
        try yaml.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let runs = [([String](), Self.stamp), ([], Self.stamp), (["--created", "2025-01-02"], "2025-01-02T00:00:00Z")]
        for (k, (extra, stamp)) in runs.enumerated() {
            let r = try CLI.run(["run", "study.yaml", "--out", "out"] + extra, in: dir, environment: ["SOURCE_DATE_EPOCH": "86400"])
            try #require(r.status == 0, "\(r.stderr)")
            let manifest = try String(contentsOfFile: dir + "/out/stack/stack.json", encoding: .utf8)
            #expect(manifest.contains("\"created\" : \"\(stamp)\""))
            #expect(try ModelFile.decode(bytes(dir + "/out/model.json")).created == stamp)
            #expect(try RasterDataset.open(dir + "/out/prospectivity.tif").metadata()["PROSPECT_CREATED"] == stamp)
            try FileManager.default.moveItem(atPath: dir + "/out", toPath: dir + "/out\(k)")
        }
        // The same study run twice into the same folder: every file but the log (durations) is the same.
        let files =
            ["model.json", "prospectivity.tif", "targets.geojson", "tiles.geojson", "validation.json"]
            + CLI.files(in: dir + "/out0/stack").map { "stack/" + $0 }
        #expect(files.count == 9, "\(files)")
        for file in files { #expect(try bytes(dir + "/out0/" + file) == bytes(dir + "/out1/" + file), "\(file) differs") }
        #expect(try bytes(dir + "/out0/prospectivity.tif") != bytes(dir + "/out2/prospectivity.tif"))
    }
}
