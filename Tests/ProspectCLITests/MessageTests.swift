import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline
import ProspectTestSupport
import Testing

/// Every regular file under `dir` (hidden ones included) with its bytes.
func messageSnapshot(_ dir: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for path in FileManager.default.subpaths(atPath: dir) ?? [] {
        var isDir: ObjCBool = false
        let full = dir + "/" + path
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
        files[path] = FileManager.default.contents(atPath: full) ?? Data()
    }
    return files
}

/// Runs `arguments` in `dir` and checks that it failed with exactly one line on stderr,
/// `prospect: error: ` followed by text containing each of `parts`, and that every file under
/// `dir` is as it was (none added, none removed, none changed).
func expectError(
    _ arguments: [String], in dir: String, saying parts: String..., sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let before = messageSnapshot(dir)
    let r = try CLI.run(arguments, in: dir)
    #expect(r.status == 1, "status \(r.status): \(r.stdout) \(r.stderr)", sourceLocation: sourceLocation)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix("prospect: error: "), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    for part in parts { #expect(r.stderr.contains(part), "expected \(part): \(r.stderr)", sourceLocation: sourceLocation) }
    let after = messageSnapshot(dir)
    #expect(
        Set(after.keys) == Set(before.keys), "added or removed: \(Set(after.keys).symmetricDifference(before.keys))",
        sourceLocation: sourceLocation)
    for (name, bytes) in before where after[name] != nil && after[name] != bytes {
        Issue.record("\(name) changed", sourceLocation: sourceLocation)
    }
}

/// Runs `arguments` in `dir`, expects success, and returns the `prospect: warning: ` lines.
func warnings(_ arguments: [String], in dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
    let r = try CLI.run(arguments, in: dir)
    #expect(r.status == 0, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    return r.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("prospect: warning: ") }
}

/// A folder that cannot be written to: a read-only tmpfs when running as root (root ignores
/// permission bits), else a folder with mode 0555. Nil when neither can be made.
final class ReadOnlyFolder {
    let path: String
    private let mounted: Bool

    init?(in parent: String) {
        path = parent + "/readonly"
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)) != nil else { return nil }
        if getuid() == 0 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/mount")
            process.arguments = ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            mounted = true
        } else {
            guard chmod(path, 0o555) == 0 else { return nil }
            mounted = false
        }
    }

    /// The reason the system gives for a write refused here.
    var reason: String { mounted ? "Read-only file system" : "Permission denied" }

    deinit {
        if mounted {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/umount")
            process.arguments = ["-l", path]
            if (try? process.run()) != nil { process.waitUntilExit() }
        } else {
            chmod(path, 0o755)
        }
    }
}

@Suite("Messages: one line naming the file or option and the problem")
struct MessageTests {
    @Test("an output that cannot be written: the path and the system's reason, not Foundation's error text")
    func unwritableOutputs() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let train = ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a]
        let first = try CLI.run(train + ["--out", "model.json"], in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        let readOnly = try #require(ReadOnlyFolder(in: dir))
        defer { withExtendedLifetime(readOnly) {} }  // unmounted only when the test is done
        let reason = readOnly.reason
        try expectError(train + ["--out", "readonly/m.json"], in: dir, saying: "readonly/m.json: cannot write: \(reason)")
        try expectError(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--evidence", s.a, "--unit-cell-km2", "0.01", "--out", "m.json",
                "--weights-table", "readonly/w.csv",
            ], in: dir, saying: "readonly/w.csv: cannot write: \(reason)")
        try expectError(
            ["score", "--model", "model.json", "--out", "readonly/map.tif"], in: dir, saying: "readonly/map.tif: cannot write: \(reason)")
        let score = try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir)
        try #require(score.status == 0, "\(score.stderr)")
        try expectError(
            ["targets", "map.tif", "--out", "t.geojson", "--tiles-out", "readonly/tiles.geojson"], in: dir,
            saying: "readonly/tiles.geojson: cannot write: \(reason)")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "a.tif", "--out", "readonly"], in: dir,
            saying: "prospect: error: readonly/a.tif: cannot write: \(reason)")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "a.tif", "--out", "readonly/stack"], in: dir,
            saying: "readonly/stack: cannot write: \(reason)")
        try expectError(["demo", "--out", "readonly/demo"], in: dir, saying: "readonly/demo: cannot write: \(reason)")
        // A file where a folder is wanted, a folder where a file is wanted.
        _ = FileManager.default.createFile(atPath: dir + "/afile", contents: Data("x".utf8))
        try expectError(
            ["demo", "--out", "afile"], in: dir, saying: "prospect: error: afile: cannot write: a file is in the way of the folder")
        try expectError(
            ["demo", "--out", "afile/demo"], in: dir, saying: "afile/demo: cannot write: a file is in the way of the folder (afile)")
        try FileManager.default.createDirectory(atPath: dir + "/adir", withIntermediateDirectories: false)
        try expectError(train + ["--out", "adir"], in: dir, saying: "prospect: error: adir: --out is a folder; give a file name")
        try expectError(["score", "--model", "model.json", "--out", "adir"], in: dir, saying: "adir: --out is a folder; give a file name")
    }

    /// Replaces the first match of the regular expression `pattern` in the file at `path`.
    func edit(_ path: String, _ pattern: String, _ replacement: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let range = try #require(text.range(of: pattern, options: .regularExpression), "no \(pattern) in \(path)")
        return text.replacingCharacters(in: range, with: replacement)
    }

    @Test("a malformed model file: the key path and what was expected there, not DecodingError's text")
    func malformedModelFiles() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let train = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--out", "model.json"], in: dir)
        try #require(train.status == 0, "\(train.stderr)")
        let model = dir + "/model.json"
        let cases: [(pattern: String, replacement: String, message: String)] = [
            (#""intercept" : [-0-9.e]+"#, #""intercept" : "high""#, "model.intercept: expected a number, found a string"),
            (#""kind" : "continuous","#, "", #"layers[0]: missing "kind""#),
            (#""kind" : "continuous""#, #""kind" : "weird""#, #"layers[0].kind: "weird" is not a valid value here"#),
            (#""terms" : \["#, #""terms" : null, "x" : ["#, "model.terms: expected an array, found null"),
            (
                #""coefficient" : [-0-9.e]+"#, #""coefficient" : [1]"#,
                "model.terms[0].linear.coefficient: expected a number, found an array"
            ),
            // Numbers that are valid JSON but do not fit their field.
            (#""intercept" : [-0-9.e]+"#, #""intercept" : 1e400"#, "model.intercept: 1e400 is out of range (numbers end at ±1.8e308)"),
            (#""intercept" : [-0-9.e]+"#, #""intercept" : -1e39"#, "model.intercept: -1e39 is out of range for a 32-bit number (±3.4e38)"),
            (
                #""formatVersion" : 3"#, #""formatVersion" : 30000000000000000000"#,
                "formatVersion: 30000000000000000000 is out of range for an integer (±9.2e18)"
            ),
            (#""backgroundCells" : [0-9]+"#, #""backgroundCells" : 2.5"#, "training.backgroundCells: expected an integer, found 2.5"),
        ]
        for c in cases {
            try edit(model, c.pattern, c.replacement).write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
            try expectError(
                ["score", "--model", "bad.json", "--out", "map.tif"], in: dir,
                saying: "prospect: error: bad.json: malformed model file: \(c.message)")
            let r = try CLI.run(["score", "--model", "bad.json", "--out", "map.tif"], in: dir)
            #expect(!r.stderr.contains("DecodingError") && !r.stderr.contains("not valid JSON"), "\(r.stderr)")
        }
        // Two numbers that do not fit: either is named, with its path.
        let two = try edit(model, #""intercept" : [-0-9.e]+"#, #""intercept" : 1e400"#)
            .replacingOccurrences(of: #""backgroundCells" : 262"#, with: #""backgroundCells" : 0.5"#)
        try two.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["score", "--model", "bad.json", "--out", "map.tif"], in: dir)
        #expect(
            r.stderr.contains("model.intercept: 1e400 is out of range")
                || r.stderr.contains("training.backgroundCells: expected an integer"),
            "\(r.stderr)")
        // Not JSON at all: where it breaks.
        try edit(model, #""layers" : \["#, #""layers" : [,"#).write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        try expectError(
            ["score", "--model", "bad.json", "--out", "map.tif"], in: dir,
            saying: "prospect: error: bad.json: not valid JSON: line 5, column 15: expected a value")
    }

    @Test("a raster with no geotransform is said to have none; a rotated one is still called rotated")
    func rastersWithoutGeoreferencing() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A baseline TIFF: GDAL keeps its georeferencing in a side file (.aux.xml), removed here.
        let plain = try RasterDataset.create(dir + "/plain.tif", grid: Fixture.grid, options: ["PROFILE=BASELINE"])
        let ones = [Float](repeating: 1, count: Fixture.grid.cellCount)
        try ones.withUnsafeBufferPointer { try plain.write(window: Fixture.grid.full, from: $0) }
        try plain.close()
        try FileManager.default.removeItem(atPath: dir + "/plain.tif.aux.xml")
        #expect(try !RasterDataset.open(dir + "/plain.tif").hasGeoTransform)
        var rotated = Fixture.grid
        rotated.transform = GeoTransform(coefficients: [350_000, 100, 10, 2_380_000, 10, -100])
        rotated.crsWKT = try Fixture.utm().wkt
        try writeRaster(dir + "/rotated.tif", grid: rotated) { c, _ in Float(c) }
        let train = ["train", "--method", "logistic", "--deposits", s.deposits]
        try expectError(
            train + ["--evidence", "plain.tif", "--out", "m.json"], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            train + ["--evidence", s.a, "--evidence", "plain.tif", "--out", "m.json"], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            ["prepare", "--reference", "plain.tif", "--raster", "a.tif", "--out", "stack"], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "plain.tif", "--assume-crs", "EPSG:32645", "--out", "stack"], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            ["targets", "plain.tif", "--out", "t.geojson"], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            ["validate", "plain.tif", "--deposits", s.deposits], in: dir,
            saying: "prospect: error: plain.tif: has no georeferencing (no geotransform)")
        try expectError(
            train + ["--evidence", "rotated.tif", "--out", "m.json"], in: dir,
            saying: "prospect: error: rotated.tif: rotated grids are not supported")
        try expectError(
            ["prepare", "--reference", "rotated.tif", "--raster", "a.tif", "--out", "stack"], in: dir,
            saying: "prospect: error: rotated.tif: rotated grids are not supported")
    }

    @Test("coordinates that are not in the CRS their file declares: the file and both CRSs are named")
    func wrongCRS() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // UTM coordinates declared as longitude/latitude.
        let wgs84 = try SpatialReference(epsg: 4326)
        try Fixture.points(dir + "/wrong.gpkg", [Fixture.centre(3, 3), Fixture.centre(30, 20)], crs: wgs84)
        try "x,y\n\(Fixture.centre(3, 3).0),\(Fixture.centre(3, 3).1)\n".write(
            toFile: dir + "/wrong.csv", atomically: true, encoding: .utf8)
        var grid = Fixture.grid
        grid.crsWKT = wgs84.wkt
        try writeRaster(dir + "/wrong.tif", grid: grid) { c, _ in Float(c) }
        let train = ["train", "--method", "logistic", "--evidence", s.a, "--out", "m.json"]
        try expectError(
            train + ["--deposits", "wrong.gpkg"], in: dir,
            saying: "prospect: error: wrong.gpkg: 2 of 2 points could not be transformed from EPSG:4326 to EPSG:32645", "check its CRS")
        try expectError(
            train + ["--deposits", "wrong.csv", "--assume-crs", "EPSG:4326"], in: dir,
            saying: "prospect: error: wrong.csv: 1 of 1 points could not be transformed from EPSG:4326 to EPSG:32645")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "wrong.tif", "--out", "stack"], in: dir,
            saying:
                "prospect: error: wrong.tif: its extent [350000, 2375200, 356400, 2380000] could not be transformed from EPSG:4326 to EPSG:32645; check its CRS"
        )
        try expectError(
            ["prepare", "--reference", "a.tif", "--distance", "wrong.gpkg", "--out", "stack"], in: dir,
            saying: "prospect: error: wrong.gpkg: its extent [", "could not be transformed from EPSG:4326 to EPSG:32645; check its CRS")
    }

    @Test("long user text quoted in a message is cut to 80 characters with its length; the position stays")
    func longTextEchoedShort() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let long = String(repeating: "y", count: 500_000)
        let short = String(repeating: "y", count: 80) + "… (500000 characters)"
        let study = """
            name: long
            output: out
            grid:
              reference: a.tif
            layers:
              - name: a
                raster: a.tif
            model:
              method: fuzzy
              expression: "and(a, \(long))"
            """
        try study.write(toFile: dir + "/long.yaml", atomically: true, encoding: .utf8)
        try expectError(
            ["run", "long.yaml"], in: dir,
            saying: "prospect: error: long.yaml: model.expression: at character 8: unknown layer \"\(short)\" (layers: a)")
        let r = try CLI.run(["run", "long.yaml"], in: dir)
        #expect(r.stderr.utf8.count < 300, "\(r.stderr.utf8.count) bytes")
        // On the command line (an argument holds at most 128 KiB).
        let arg = String(repeating: "y", count: 100_000)
        let cut = String(repeating: "y", count: 80) + "… (100000 characters)"
        let train = ["train", "--deposits", s.deposits, "--evidence", s.a, "--out", "m.json"]
        try expectError(
            train + ["--method", "fuzzy", "--expression", "and(a, \(arg))"], in: dir,
            saying: "prospect: error: --expression: at character 8: unknown layer \"\(cut)\" (layers: a)")
        try expectError(
            train + ["--method", "logistic", "--transform", "a=log:\(arg)"], in: dir,
            saying: "prospect: error: --transform a: bad transform \"log:", "… (100004 characters)\": expected key=value, got \"\(cut)\"")
        try expectError(
            train + ["--method", "index", "--weight", "\(arg)=2"], in: dir,
            saying: "prospect: error: --weight \(cut): no layer is named \(cut) (layers: a)")
        let deposits = ["train", "--deposits", s.deposits + ":" + arg, "--evidence", s.a, "--method", "logistic", "--out", "m.json"]
        try expectError(deposits, in: dir, saying: "deposits.gpkg: has no layer named \(cut) (layers: deposits)")
    }

    @Test("every silent drop is counted: CSV rows with bad coordinates, cells a transform cannot map")
    func silentDropsCounted() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // Ten good rows; rows 4, 9 and 12 of the file (the header is row 1) are bad: an empty
        // x, a y that is not a number, an x beyond any double.
        var rows = ["id,x,y"]
        let cells = [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10), (20, 20), (30, 30), (40, 40), (45, 15)]
        for (i, cell) in cells.enumerated() {
            let p = Fixture.centre(cell.0, cell.1)
            rows.append("P\(i),\(p.0),\(p.1)")
        }
        rows.insert("B1,,2379000", at: 3)
        rows.insert("B2,350500,abc", at: 8)
        rows.insert("B3,1e400,2379000", at: 11)
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/deposits.csv", atomically: true, encoding: .utf8)
        let expected = "prospect: warning: deposits.csv: 3 rows skipped: bad coordinates (rows 4, 9, 12)"
        let train = ["train", "--method", "logistic", "--deposits", "deposits.csv", "--assume-crs", "EPSG:32645", "--evidence", s.a]
        #expect(try warnings(train + ["--out", "m.json"], in: dir).contains(expected))
        let score = try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir)
        try #require(score.status == 0, "\(score.stderr)")
        #expect(try warnings(["validate", "map.tif", "--deposits", "deposits.csv", "--assume-crs", "EPSG:32645"], in: dir) == [expected])
        // prepare: the row beyond any double used to stop the copy with a SQLite error.
        #expect(
            try warnings(
                [
                    "prepare", "--reference", "a.tif", "--distance", "near=deposits.csv", "--density", "dens=deposits.csv@500",
                    "--assume-crs", "EPSG:32645", "--out", "stack",
                ], in: dir) == [expected])
        // log of a.tif, whose first column is 0: 48 cells, in training and in scoring.
        let log = "prospect: warning: layer a: log turned 48 cells into nodata (values ≤ 0)"
        #expect(try warnings(train + ["--transform", "a=log", "--out", "log.json"], in: dir).contains(log))
        #expect(try warnings(["score", "--model", "log.json", "--out", "log.tif"], in: dir) == [log])
        let map = try readRaster(dir + "/log.tif")
        #expect(map.filter { $0 == -9999 }.count == 48)
    }

    @Test("points or lines given as the study area or as an --inside mask are refused, naming the layer")
    func studyAreaMustBePolygons() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Fixture.stack(in: dir)
        let line = GeoJSONFeature(line: [Fixture.centre(2, 2), Fixture.centre(40, 30)], properties: [("id", .string("L1"))])
        try VectorWriter.write(path: dir + "/faults.gpkg", driver: "GPKG", layerName: "faults", features: [line], crs: Fixture.utm())
        let prepare = ["prepare", "--reference", "a.tif", "--raster", "a.tif", "--out", "stack"]
        try expectError(
            prepare + ["--study-area", "deposits.gpkg"], in: dir,
            saying: "prospect: error: deposits.gpkg: the study area must be polygons; layer 'deposits' holds points")
        try expectError(
            prepare + ["--study-area", "faults.gpkg"], in: dir,
            saying: "faults.gpkg: the study area must be polygons; layer 'faults' holds lines")
        try expectError(
            [
                "prepare", "--crs", "EPSG:32645", "--cell-size", "100", "--raster", "a.tif", "--study-area", "deposits.gpkg", "--out",
                "stack",
            ],
            in: dir, saying: "deposits.gpkg: the study area must be polygons; layer 'deposits' holds points")
        try expectError(
            ["prepare", "--reference", "a.tif", "--inside", "faults.gpkg", "--out", "stack"], in: dir,
            saying: "faults.gpkg: --inside needs polygons; layer 'faults' holds lines")
        // Polygons are fine.
        let square = [Fixture.centre(5, 5), Fixture.centre(30, 5), Fixture.centre(30, 30), Fixture.centre(5, 30), Fixture.centre(5, 5)]
        try VectorWriter.write(
            path: dir + "/area.gpkg", driver: "GPKG", layerName: "area", features: [GeoJSONFeature(rings: [square], properties: [])],
            crs: Fixture.utm())
        let r = try CLI.run(prepare + ["--study-area", "area.gpkg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("a float raster with fractions given as --categorical is refused; whole-number floats stay fine")
    func fractionalCategoricalRefused() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)  // a.tif holds column / 64; b.tif whole numbers 0…9, both float32
        let problem = "categorical layer grav holds non-integer values (e.g. 0.015625); class codes are whole numbers"
        try expectError(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--categorical", "grav=a.tif", "--unit-cell-km2", "0.01", "--out",
                "m.json",
            ],
            in: dir, saying: "prospect: error: a.tif: \(problem)")
        try expectError(
            [
                "train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.b, "--categorical", "grav=a.tif", "--out",
                "m.json",
            ],
            in: dir, saying: "prospect: error: a.tif: \(problem)")
        try expectError(
            ["prepare", "--reference", "a.tif", "--categorical", "grav=a.tif", "--out", "stack"], in: dir,
            saying: "prospect: error: a.tif: \(problem)")
        let fine = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--categorical", "b.tif", "--unit-cell-km2", "0.01", "--out",
                "m.json",
            ],
            in: dir)
        #expect(fine.status == 0, "\(fine.stderr)")
        let prepared = try CLI.run(["prepare", "--reference", "a.tif", "--categorical", "b.tif", "--out", "stack"], in: dir)
        #expect(prepared.status == 0, "\(prepared.stderr)")
    }

    @Test("an output named for another format is refused, naming the option and the extensions it takes")
    func outputExtensions() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let train = ["train", "--method", "wofe", "--deposits", s.deposits, "--evidence", s.a, "--unit-cell-km2", "0.01"]
        try #require(try CLI.run(train + ["--out", "model.json"], in: dir).status == 0)
        try #require(try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir).status == 0)
        try expectError(
            ["score", "--model", "model.json", "--out", "x.png"], in: dir,
            saying: "prospect: error: x.png: --out writes a GeoTIFF; give a name ending in .tif or .tiff")
        try expectError(
            train + ["--out", "m.yaml"], in: dir,
            saying: "prospect: error: m.yaml: --out writes a model file (JSON); give a name ending in .json")
        try expectError(
            train + ["--out", "m.json", "--weights-table", "w.txt"], in: dir,
            saying: "prospect: error: w.txt: --weights-table writes CSV; give a name ending in .csv")
        try expectError(
            ["targets", "map.tif", "--out", "t.shp"], in: dir,
            saying:
                "prospect: error: t.shp: --out writes GeoJSON, GeoPackage or FlatGeobuf; give a name ending in .geojson, .json, .gpkg or .fgb"
        )
        try expectError(
            ["targets", "map.tif", "--out", "t.geojson", "--tiles-out", "tiles.kml"], in: dir,
            saying:
                "prospect: error: tiles.kml: --tiles-out writes GeoJSON, GeoPackage or FlatGeobuf; give a name ending in .geojson, .json, .gpkg or .fgb"
        )
        try FileManager.default.copyItem(atPath: ImportFixture.folder + "/lightgbm_model.json", toPath: dir + "/dump.json")
        let layers = try ImportFixture.rasters(in: dir).flatMap { ["--evidence", $0] }
        try expectError(
            ["import", "--from", "lightgbm", "dump.json", "--out", "imported.txt"] + layers, in: dir,
            saying: "prospect: error: imported.txt: --out writes a model file (JSON); give a name ending in .json")
        // Any case, either spelling.
        #expect(try CLI.run(["score", "--model", "model.json", "--out", "MAP2.TIFF"], in: dir).status == 0)
        #expect(try CLI.run(["targets", "map.tif", "--out", "t.json"], in: dir).status == 0)
    }

    @Test("any raster name GDAL opens is taken: a GeoPackage raster by its subdataset name; GDAL's message when it cannot")
    func gdalDatasetNames() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A GeoPackage raster table "grav", as gdal_translate -of GPKG … -co RASTER_TABLE=grav writes it.
        var grid = Fixture.grid
        grid.crsWKT = try Fixture.utm().wkt
        let values = (0..<grid.cellCount).map { Float($0 % grid.columns) / 64 }
        let gpkg = try RasterDataset.create(dir + "/out.gpkg", grid: grid, driver: "GPKG", options: ["RASTER_TABLE=grav"])
        try values.withUnsafeBufferPointer { try gpkg.write(window: grid.full, from: $0) }
        try gpkg.close()
        let name = "GPKG:out.gpkg:grav"
        #expect(try CLI.run(["info", name], in: dir).status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/model", withIntermediateDirectories: false)
        let train = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", name, "--out", "model/m.json"], in: dir)
        try #require(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("grav"), "the layer is named after the table: \(train.stdout)")
        // The model keeps the name, with the GeoPackage's path made absolute; it scores from anywhere.
        let model = try String(contentsOfFile: dir + "/model/m.json", encoding: .utf8)
        #expect(model.contains(#""path" : "GPKG:\#(dir.replacingOccurrences(of: "/", with: "\\/"))\/out.gpkg:grav""#), "\(model)")
        let score = try CLI.run(["score", "--model", dir + "/model/m.json", "--out", dir + "/map.tif"], in: "/")
        #expect(score.status == 0, "\(score.stderr)")
        #expect(try readRaster(dir + "/map.tif").filter { $0 != -9999 }.count == grid.cellCount)
        let override = try CLI.run(["score", "--model", "model/m.json", "--evidence", "grav=" + name, "--out", "map2.tif"], in: dir)
        #expect(override.status == 0, "\(override.stderr)")
        let prepare = try CLI.run(["prepare", "--reference", name, "--raster", name, "--out", "stack"], in: dir)
        #expect(prepare.status == 0, "\(prepare.stderr)")
        #expect(CLI.files(in: dir + "/stack").contains("grav.tif"))
        // A study names it relative to the study's folder.
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: false)
        let study = """
            grid:
              reference: \(name)
            layers:
              - raster: \(name)
            deposits: deposits.gpkg
            model:
              method: logistic
            output: run
            """
        try study.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", dir + "/study.yaml"], in: dir + "/elsewhere")
        #expect(run.status == 0, "\(run.stderr)")
        // What GDAL says when it cannot open the name.
        try expectError(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "GPKG:out.gpkg:nosuch", "--out", "m.json"], in: dir,
            saying: "prospect: error: GPKG:out.gpkg:nosuch: GDAL cannot open it (", "nosuch")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "GPKG:missing.gpkg:grav", "--out", "stack2"], in: dir,
            saying: "prospect: error: GPKG:missing.gpkg:grav: GDAL cannot open it (")
    }

    @Test(
        "a raster in a File Geodatabase, which GDAL 3.6 cannot read, says so",
        .enabled(if: GDAL.versionNumber < 3_070_000, "GDAL 3.7 reads File Geodatabase rasters"))
    func fileGeodatabaseRaster() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A File Geodatabase folder holding a point layer, which GDAL 3.6 reads.
        let point = GeoJSONFeature(rings: [[Fixture.centre(3, 3)]], properties: [("id", .string("P1"))])
        try VectorWriter.write(path: dir + "/x.gdb", driver: "OpenFileGDB", layerName: "points", features: [point], crs: Fixture.utm())
        let problem = "x.gdb: File Geodatabase rasters need GDAL 3.7 or later (this is GDAL \(GDAL.version)); export the raster to GeoTIFF"
        let train = ["train", "--method", "logistic", "--deposits", s.deposits, "--out", "m.json", "--evidence"]
        try expectError(train + ["grav=x.gdb/grav"], in: dir, saying: "prospect: error: \(problem)")
        try expectError(train + ["x.gdb"], in: dir, saying: "prospect: error: \(problem)")
        try expectError(
            ["prepare", "--reference", "a.tif", "--raster", "grav=x.gdb/grav", "--out", "stack"], in: dir,
            saying: "prospect: error: \(problem)")
        // Its vectors are still read.
        #expect(try CLI.run(["info", "x.gdb"], in: dir).status == 0)
    }

    @Test("prepare takes ±Inf cells as missing, counts them per layer, and writes a manifest with finite statistics")
    func prepareInfiniteCells() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        // 12 cells of ±Inf in a layer of column / 64.
        let infinite = Set((0..<12).map { $0 * 250 })
        try Fixture.raster(dir + "/inf.tif") { c, r in
            let i = r * Fixture.grid.columns + c
            return infinite.contains(i) ? (i % 500 == 0 ? .infinity : -.infinity) : Float(c) / 64
        }
        let lines = try warnings(["prepare", "--reference", "inf.tif", "--raster", "inf.tif", "--out", "stack"], in: dir)
        #expect(lines == ["prospect: warning: inf.tif: 12 cells hold ±Inf; treated as missing"])
        let manifest = try StackManifest.load(dir + "/stack")
        let layer = try #require(manifest.layers.first)
        #expect(layer.validCells == Fixture.grid.cellCount - 12)
        #expect(layer.minimum == 0 && layer.maximum == 63.0 / 64)
        #expect(manifest.warnings.contains("inf.tif: 12 cells hold ±Inf; treated as missing"))
        let prepared = try readRaster(dir + "/stack/inf.tif")
        #expect(prepared.filter { $0 == -9999 }.count == 12 && !prepared.contains { $0.isInfinite })
    }
}
