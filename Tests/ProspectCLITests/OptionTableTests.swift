import Foundation
import ProspectPipeline
import ProspectTestSupport
import Testing

/// Every option with a bad value, through both front ends: `prospect` on the command line and a
/// study file. Both refuse it with the same problem, naming the flag or the key.
@Suite("Options: one check for the command line and study files")
struct OptionTableTests {
    /// One bad value: the command's arguments, the study file's text, and the problem both print.
    struct Case: Sendable, CustomStringConvertible {
        var option: OptionName
        /// The command and its arguments (nil: the option has no flag).
        var cli: [String]?
        /// A whole study file (nil: the option has no key).
        var study: String?
        /// The key as the study file names it, when it differs from `option.key`.
        var studyKey: String? = nil
        var problem: String
        var description: String { "\(option) \(problem)" }
    }

    static let train = ["train", "--deposits", "d.gpkg", "--evidence", "a=a.tif", "--categorical", "geo=g.tif", "--out", "m.json"]

    static let cv = ["cv", "--deposits", "d.gpkg", "--evidence", "a=a.tif", "--categorical", "geo=g.tif"]

    static func study(
        model: String = "method: wofe", layerKeys: String = "", outputs: String = "", grid: String = "reference: a.tif",
        layers: String? = nil, validation: String = ""
    ) -> String {
        """
        grid:
          \(grid.replacingOccurrences(of: "\n", with: "\n  "))
        layers:
        \(layers ?? "  - name: a\n    raster: a.tif\(layerKeys)\n  - name: geo\n    categorical: g.tif")
        deposits: d.gpkg
        model:
          \(model.replacingOccurrences(of: "\n", with: "\n  "))
        \(outputs.isEmpty ? "" : "outputs:\n  " + outputs.replacingOccurrences(of: "\n", with: "\n  "))
        \(validation.isEmpty ? "" : "validation:\n  " + validation)
        """
    }

    static let cases: [Case] = [
        Case(
            option: .unitCellKm2, cli: train + ["--unit-cell-km2=-1"], study: study(model: "method: wofe\nunit_cell_km2: -1"),
            problem: "give a positive number of km², got -1"),
        Case(
            option: .unitCellKm2, cli: train + ["--unit-cell-km2=inf"], study: study(model: "method: wofe\nunit_cell_km2: .inf"),
            problem: "give a positive number of km², got inf"),
        Case(
            option: .l2, cli: train + ["--method", "logistic", "--l2=-1"], study: study(model: "method: logistic\nl2: -1"),
            problem: "give a non-negative number, got -1"),
        Case(
            option: .background, cli: train + ["--method", "logistic", "--background=-5"],
            study: study(model: "method: logistic\nbackground: -5"), problem: "give at least 0 cells (0 = every valid cell), got -5"),
        Case(
            option: .seed, cli: train + ["--method", "rf", "--seed=-1"], study: study(model: "method: rf\nseed: -1"),
            problem: "give at least 0, got -1"),
        Case(
            option: .trees, cli: train + ["--method", "gbt", "--trees", "0"], study: study(model: "method: gbt\ntrees: 0"),
            problem: "give 1 to 100000, got 0"),
        Case(
            option: .trees, cli: train + ["--trees", "10"], study: study(model: "method: wofe\ntrees: 10"),
            problem: "only rf and gbt models take it (method is wofe)"),
        Case(
            option: .depth, cli: train + ["--method", "rf", "--depth", "9"], study: study(model: "method: rf\ndepth: 9"),
            problem: "give 1 to 8 levels, got 9"),
        Case(
            option: .learningRate, cli: train + ["--method", "gbt", "--learning-rate", "1.5"],
            study: study(model: "method: gbt\nlearning_rate: 1.5"), problem: "give a number above 0 and at most 1, got 1.5"),
        Case(
            option: .learningRate, cli: train + ["--method", "rf", "--learning-rate", "0.1"],
            study: study(model: "method: rf\nlearning_rate: 0.1"), problem: "only gbt models take it (method is rf)"),
        Case(
            option: .excludeBuffer, cli: train + ["--method", "gbt", "--exclude-buffer=-1"],
            study: study(model: "method: gbt\nexclude_buffer: -1"), problem: "give a non-negative number of metres, got -1"),
        Case(
            option: .holdout, cli: train + ["--method", "gbt", "--holdout", "1"], study: study(model: "method: gbt\nholdout: 1"),
            problem: "give a fraction at least 0 and below 1, got 1"),
        Case(
            option: .holdoutBlockKm, cli: train + ["--method", "gbt", "--block-km", "0"], study: study(model: "method: gbt\nblock_km: 0"),
            problem: "give a positive number of km, got 0"),
        Case(
            option: .holdoutBlockKm, cli: train + ["--method", "rf", "--holdout-scheme", "random", "--block-km", "2"],
            study: study(model: "method: rf\nholdout_scheme: random\nblock_km: 2"),
            problem: "the random holdout draws single cells and takes no block size"),
        Case(
            option: .holdoutScheme, cli: train + ["--holdout-scheme", "random"],
            study: study(model: "method: wofe\nholdout_scheme: random"),
            problem: "only rf and gbt models take it (method is wofe)"),
        Case(
            option: .folds, cli: cv + ["--folds", "1"], study: study(validation: "cv: {folds: 1}"), problem: "give 2 to 100 folds, got 1"),
        Case(
            option: .blockKm, cli: cv + ["--block-km=-3"], study: study(validation: "cv: {block_km: -3}"),
            problem: "give a positive number of km, got -3"),
        Case(
            option: .blockKm, cli: cv + ["--scheme", "random", "--block-km", "3"],
            study: study(validation: "cv: {scheme: random, block_km: 3}"),
            problem: "the random scheme deals single cells and takes no block size"),
        Case(
            option: .foldSeed, cli: cv + ["--seed=-2"], study: study(validation: "cv: {seed: -2}"), problem: "give at least 0, got -2"),
        Case(
            option: .missing, cli: train + ["--method", "logistic", "--missing-as-unknown"],
            study: study(model: "method: logistic\nmissing: unknown"), problem: "only wofe models take it (method is logistic)"),
        Case(
            option: .expression, cli: train + ["--method", "index", "--expression", "a"],
            study: study(model: "method: index\nexpression: a"), problem: "only fuzzy models take it (method is index)"),
        Case(
            option: .expression, cli: train + ["--method", "fuzzy", "--expression", "and(a, b)"],
            study: study(model: "method: fuzzy\nexpression: and(a, b)"), problem: "unknown layer \"b\""),
        Case(
            option: .weight, cli: train + ["--method", "fuzzy", "--expression", "a", "--weight", "a=2"],
            study: study(model: "method: fuzzy\nexpression: a\nweights: {a: 2}"), problem: "only index models take it (method is fuzzy)"),
        Case(
            option: .weight, cli: train + ["--method", "index", "--weight", "a=0"], study: study(model: "method: index\nweights: {a: 0}"),
            studyKey: "model.weights.a", problem: "a weight is a positive number, got 0"),
        Case(
            option: .weight, cli: train + ["--method", "index", "--weight", "zz=1"], study: study(model: "method: index\nweights: {zz: 1}"),
            studyKey: "model.weights.zz", problem: "no layer is named zz"),
        Case(
            option: .classScore, cli: train + ["--method", "index", "--class-score", "geo:4=nan"],
            study: study(model: "method: index\nclass_scores: {geo: {4: .nan}}"), studyKey: "model.class_scores.geo",
            problem: "class 4 has score nan; give a finite number"),
        Case(
            option: .classScore, cli: train + ["--method", "fuzzy", "--expression", "and(a, geo)", "--class-score", "geo:4=2"],
            study: study(model: "method: fuzzy\nexpression: and(a, geo)\nclass_scores: {geo: {4: 2}}"), studyKey: "model.class_scores.geo",
            problem: "class 4 has membership 2; fuzzy memberships lie in [0, 1]"),
        Case(
            option: .classScore, cli: train + ["--method", "logistic", "--class-score", "geo:4=2"],
            study: study(model: "method: logistic\nclass_scores: {geo: {4: 2}}"), problem: "only fuzzy and index models take it"),
        Case(
            option: .threshold, cli: train + ["--threshold", "geo=1"],
            study: study(layers: "  - name: a\n    raster: a.tif\n  - name: geo\n    categorical: g.tif\n    threshold: 1"),
            studyKey: "layers[1] (geo).threshold", problem: "geo is a categorical layer"),
        Case(
            option: .minDeposits, cli: train + ["--min-deposits", "0"], study: study(model: "method: wofe\nmin_deposits: 0"),
            problem: "give at least 1, got 0"),
        Case(
            option: .minAreaPercent, cli: train + ["--min-area-percent", "100"], study: study(model: "method: wofe\nmin_area_percent: 100"),
            problem: "give a percentage at least 0 and below 100, got 100"),
        Case(
            option: .minAreaPercent, cli: train + ["--min-area-percent=-1"], study: study(model: "method: wofe\nmin_area_percent: -1"),
            problem: "give a percentage at least 0 and below 100, got -1"),
        Case(
            option: .countDeposits, cli: train + ["--method", "logistic", "--count-deposits", "points"],
            study: study(model: "method: logistic\ncount_deposits: points"), problem: "only wofe models take it (method is logistic)"),
        Case(
            option: .minDeposits, cli: train + ["--method", "gbt", "--min-deposits", "5"],
            study: study(model: "method: gbt\nmin_deposits: 5"), problem: "only wofe models take it (method is gbt)"),
        Case(
            option: .generalize, cli: train + ["--generalize", "geo=1,2/2"],
            study: study(layers: "  - name: a\n    raster: a.tif\n  - name: geo\n    categorical: g.tif\n    generalize: \"1,2/2\""),
            studyKey: "layers[1] (geo).generalize", problem: "give groups of whole-number class codes like 1,2/3,4"),
        Case(
            option: .generalize, cli: train + ["--method", "logistic", "--generalize", "geo=1/2"],
            study: study(
                model: "method: logistic",
                layers: "  - name: a\n    raster: a.tif\n  - name: geo\n    categorical: g.tif\n    generalize: \"1/2\""),
            studyKey: "layers[1] (geo).generalize", problem: "only wofe models take it (method is logistic)"),
        Case(
            option: .deposits, cli: ["train", "--evidence", "a.tif", "--out", "m.json"],
            study: study().replacingOccurrences(of: "deposits: d.gpkg\n", with: ""), studyKey: "deposits",
            problem: "give the known deposits (only fuzzy and index models do without)"),
        Case(
            option: .top, cli: ["targets", "map.tif", "--out", "t.geojson", "--top=-5"], study: study(outputs: "targets: {top: -5}"),
            problem: "give at least 0 (0 = all), got -5"),
        Case(
            option: .topArea, cli: ["targets", "map.tif", "--out", "t.geojson", "--top-area", "200"],
            study: study(outputs: "targets: {top_area_percent: 200}"), problem: "give a percentage above 0 and at most 100, got 200"),
        Case(
            option: .topArea, cli: ["targets", "map.tif", "--out", "t.geojson", "--top-area", "3.5e38"],
            study: study(outputs: "targets: {top_area_percent: 3.5e38}"), problem: "give a percentage above 0 and at most 100, got 3.5e+38"),
        Case(
            option: .targetThreshold, cli: ["targets", "map.tif", "--out", "t.geojson", "--threshold", "inf"],
            study: study(outputs: "targets: {threshold: .inf}"), problem: "give a finite number, got inf"),
        Case(
            option: .minCells, cli: ["targets", "map.tif", "--out", "t.geojson", "--min-cells", "0"],
            study: study(outputs: "targets: {min_cells: 0}"), problem: "give at least 1, got 0"),
        Case(
            option: .tileSize, cli: ["targets", "map.tif", "--out", "t.geojson", "--tile-size", "0"],
            study: study(outputs: "targets: {tile_size: 0}"), problem: "give a positive number of metres, got 0"),
        Case(
            option: .tileSize, cli: ["targets", "map.tif", "--out", "t.geojson", "--tile-size", "nan"],
            study: study(outputs: "targets: {tile_size: .nan}"), problem: "give a positive number of metres, got nan"),
        Case(
            option: .minAreaKm2, cli: ["targets", "map.tif", "--out", "t.geojson", "--min-area-km2=-1"],
            study: study(outputs: "targets: {min_area_km2: -1}"), problem: "give a positive number of km², got -1"),
        Case(
            option: .maxAreaKm2, cli: ["targets", "map.tif", "--out", "t.geojson", "--max-area-km2", "nan"],
            study: study(outputs: "targets: {max_area_km2: .nan}"), problem: "give a positive number of km², got nan"),
        Case(
            option: .maxAreaKm2, cli: ["targets", "map.tif", "--out", "t.geojson", "--min-area-km2", "2", "--max-area-km2", "1"],
            study: study(outputs: "targets: {min_area_km2: 2, max_area_km2: 1}"),
            problem: "give at least the smallest area kept (2 km²), got 1"),
        Case(
            option: .scoreThreads, cli: ["score", "--model", "m.json", "--out", "map.tif", "--threads", "0"], study: nil,
            problem: "give at least 1, got 0"),
        Case(
            option: .cellSize,
            cli: ["prepare", "--crs", "EPSG:32645", "--cell-size=-50", "--extent", "0,0,100,100", "--raster", "a.tif", "--out", "s"],
            study: study(grid: "crs: EPSG:32645\ncell_size: -50\nextent: [0, 0, 100, 100]"), problem: "give a positive number, got -50"),
        Case(
            option: .extent,
            cli: ["prepare", "--crs", "EPSG:32645", "--cell-size", "50", "--extent", "100,0,0,100", "--raster", "a.tif", "--out", "s"],
            study: study(grid: "crs: EPSG:32645\ncell_size: 50\nextent: [100, 0, 0, 100]"),
            problem: "XMIN must be below XMAX and YMIN below YMAX"),
        Case(
            option: .radius, cli: ["prepare", "--reference", "a.tif", "--density", "roads=roads.gpkg@1e309", "--out", "s"],
            study: study(layers: "  - name: roads\n    density: roads.gpkg\n    radius: 1e309"), studyKey: "layers[0] (roads).radius",
            problem: "give a positive number of grid units, got inf"),
        Case(
            option: .radius, cli: ["prepare", "--reference", "a.tif", "--density", "roads=roads.gpkg@0", "--out", "s"],
            study: study(layers: "  - name: roads\n    density: roads.gpkg\n    radius: 0"), studyKey: "layers[0] (roads).radius",
            problem: "give a positive number of grid units, got 0"),
        Case(
            option: .created, cli: ["score", "--model", "m.json", "--out", "map.tif", "--created", "yesterday"],
            study: study(outputs: "created: yesterday"),
            problem:
                "give an ISO 8601 time with its zone (2024-05-01T12:00:00Z), a date (2024-05-01) or a Unix time in seconds, got \"yesterday\""
        ),
        Case(
            option: .created, cli: train + ["--created", "253402300800"], study: study(outputs: "created: 253402300800"),
            problem: "give a Unix time from 0 to 253402300799 seconds, got 253402300800"),
        Case(
            option: .created,
            cli: ["prepare", "--reference", "a.tif", "--raster", "a.tif", "--out", "s", "--created", "1969-12-31T23:59:59Z"],
            study: study(outputs: "created: 1969-12-31T23:59:59Z"),
            problem: "give a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, got 1969-12-31T23:59:59Z"),
    ]

    @Test("the command line names the flag and the problem in one line, exit 1, nothing written", arguments: cases.filter { $0.cli != nil })
    func commandLine(_ c: Case) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let r = try CLI.run(c.cli!, in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(c.option.flag) && r.stderr.contains(c.problem), "expected \(c.option.flag) … \(c.problem): \(r.stderr)")
        #expect(CLI.files(in: dir).isEmpty)
    }

    @Test("a study file names the key and the same problem", arguments: cases.filter { $0.study != nil })
    func studyFile(_ c: Case) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = dir + "/study.yaml"
        try c.study!.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: PipelineError.self) { try StudyFile.load(path) }
        let key = c.studyKey ?? c.option.key
        #expect(error?.path == path)
        #expect(
            error?.message.contains(key + ": ") == true && error?.message.contains(c.problem) == true,
            "expected \(key): … \(c.problem): \(error?.description ?? "no error")")
    }
}
