import Dispatch
import Foundation
import ProspectCore

/// What `prospect run` produced.
public struct StudyReport: Sendable {
    public var study: String
    public var output: String
    public var stack: StackManifest
    public var training: TrainingResult
    public var score: ScoreReport
    public var targets: TargetReport
    public var validation: ValidationReport?
    /// Cross-validation (`validation.cv`), when asked for.
    public var crossValidation: CrossValidationReport?
    /// Every file written, relative to the output folder.
    public var files: [String]
}

/// Runs a study file: prepare → train → score → targets → validate, everything under the
/// study's output folder, with `run.log` recording what was done.
///
/// Layout: `stack/` (the prepared layers and stack.json), `model.json`, `weights.csv`
/// (weights of evidence), `prospectivity.tif`, `targets.geojson`, `tiles.geojson`,
/// `validation.json`, `cv.json` (cross-validation, when asked for), `report.html` (unless
/// `outputs.report: false`), `run.log`. Each file is written under a temporary name and renamed
/// when complete; `run.log` is written last, so its presence means the run finished. Nothing
/// is written, the output folder not even made, when an input is missing or does not open
/// (`StudyFile.checkInputs`) or when one of these files would overwrite the study file or one
/// of its inputs.
public enum StudyRunner {
    public static func run(_ study: StudyFile, log echo: (String) -> Void = { _ in }) throws -> StudyReport {
        let out = study.output
        var lines: [String] = []
        let started = Date()
        func log(_ line: String) {
            let stamp = String(format: "%7.2f s", Date().timeIntervalSince(started))
            lines.append("[\(stamp)] \(line)")
            echo(line)
        }
        // Warnings go to the log, and with --progress json also on the event stream.
        func warn(_ warning: String) {
            log("  warning: \(warning)")
            ProgressStream.shared.warning(warning, text: false)
        }
        let stream = ProgressStream.shared
        // Every input first: a mistyped path fails now, not after the prepare step.
        try study.checkInputs()
        // Leaflet for the report, before any work: a missing package fails now, not at the end.
        let leaflet = study.report ? try LeafletAssets.load() : nil
        try paths(of: study).claim()
        try OutputFiles.createFolder(out)
        // A stale log would say an earlier run finished: remove it before starting.
        unlink(out + "/run.log")
        log("study \(study.name) (\(DisplayPath.of(study.path))) with \(ProspectVersion.tool)")

        // 1. prepare
        stream.start("prepare")
        log("prepare: \(study.layers.count) layers → stack/")
        let prepared = try Preparer.run(study.prepareRequest(outputDirectory: out + "/stack")) { log("  " + $0) }
        for w in prepared.manifest.warnings { warn(w) }
        stream.done("prepare")

        // A block size the map cannot hold is refused before anything is trained.
        if let cv = study.crossValidation, let km = cv.blockKm {
            let g = prepared.manifest.grid
            let grid = Grid(
                columns: g.columns, rows: g.rows, transform: GeoTransform(coefficients: g.geoTransform), crsWKT: g.crsWKT, crsName: g.crs)
            let cellKm = try CellArea.km2(of: grid, file: prepared.manifestPath).area.squareRoot()
            _ = try StudyRunner.namingStudy(study) {
                try SpatialBlocks.choose(km: km, option: .blockKm, grid: grid, cellKm: cellKm, depositCells: [], minimumBlocks: cv.folds)
            }
        }

        // 2. train, with each layer's transforms
        var (specs, legends) = prepared.manifest.layerSpecs(manifestPath: prepared.manifestPath)
        for (k, layer) in study.layers.enumerated() { specs[k].transforms = layer.transforms }
        let modelPath = out + "/model.json"
        let weightsPath = study.training.method == .wofe ? out + "/weights.csv" : nil
        stream.start("train")
        log("train: \(study.training.method.rawValue) on \(study.deposits.map(DisplayPath.of) ?? "no deposits (knowledge-driven)")")
        let training = try StudyRunner.namingStudy(study) {
            try Workflows.train(
                layers: specs, deposits: study.deposits, depositsCRS: study.depositsCRS, depositSelection: study.depositSelection,
                options: study.training, modelPath: modelPath, weightsTablePath: weightsPath, legend: legends, created: study.created)
        }
        let t = training.model.training
        if study.deposits != nil {
            log(
                "  \(t.depositsUsed) of \(t.depositsGiven) deposits used (\(t.depositsOutsideGrid) outside the grid, \(t.depositsOnNodata) on nodata, \(t.depositsSharingCell) sharing a cell); training area \(t.validCells) cells"
            )
        } else {
            log("  training area \(t.validCells) cells")
        }
        for line in StudyRunner.overlayLines(training.model) { log("  " + line) }
        for line in StudyRunner.treeLines(training.model) { log("  " + line) }
        for w in training.warnings { warn(w) }
        for layer in training.model.layers where !layer.transforms.isEmpty {
            log("  \(layer.name) transforms: \(layer.transforms.map(\.description).joined(separator: " → "))")
        }
        log("  layers by \(training.model.rankingBasis): \(t.layerRanking.joined(separator: " > "))")
        stream.done("train")

        // 3. score
        let mapPath = out + "/prospectivity.tif"
        var scoreOptions = study.score
        scoreOptions.created = study.created
        stream.start("score")
        let score = try Workflows.score(modelPath: modelPath, outputPath: mapPath, options: scoreOptions)
        log(
            "score: \(score.cells) cells (\(score.validCells) with data) in \(String(format: "%.2f", score.seconds)) s → prospectivity.tif\(StudyRunner.extraBandsNote(training.model, options: study.score))"
        )

        stream.done("score")

        // 4. targets
        stream.start("targets")
        let targets = try StudyRunner.findTargets(study, map: mapPath, out: out, log: log)
        stream.done("targets")

        // 5. validate
        var files =
            ["stack/", "model.json"] + (weightsPath == nil ? [] : ["weights.csv"])
            + ["prospectivity.tif", "targets.geojson"] + (study.targetsCSV ? ["targets.csv"] : []) + ["tiles.geojson"]
        var validation: ValidationReport?
        if study.validate, study.deposits == nil {
            log("validate: skipped (no deposits)")
        } else if study.validate, let deposits = study.deposits {
            stream.start("validate")
            let v = try Validator.validate(
                mapPath: mapPath, deposits: deposits, depositsCRS: study.depositsCRS, selection: study.depositSelection)
            validation = v
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Reports.writeText(String(decoding: try encoder.encode(v), as: UTF8.self), to: out + "/validation.json")
            files.append("validation.json")
            for line in StudyRunner.validationLines(v, study: study, heldOutAUC: t.trees?.heldOutAUC) { log(line) }
            stream.done("validate")
        }
        // 6. cross-validate
        var crossValidation: CrossValidationReport?
        if let cv = study.crossValidation {
            stream.start("cv")
            let result = try StudyRunner.namingStudy(study) {
                try Workflows.crossValidate(
                    layers: specs, deposits: study.deposits, depositsCRS: study.depositsCRS, depositSelection: study.depositSelection,
                    options: study.training, cv: cv,
                    legend: legends, progress: true)
            }
            let r = result.report
            crossValidation = r
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Reports.writeText(String(decoding: try encoder.encode(r), as: UTF8.self), to: out + "/cv.json")
            files.append("cv.json")
            for line in StudyRunner.crossValidationLines(r, warnings: result.warnings, validation: validation, study: study) { log(line) }
            for w in result.warnings { stream.warning(w, text: false) }
            stream.done("cv")
        }
        if let leaflet {
            try StudyRunner.writeReport(
                study, out: out, map: mapPath, model: modelPath, stack: prepared.manifestPath, validated: validation != nil,
                crossValidated: crossValidation != nil, lines: lines, leaflet: leaflet, log: log)
            files.append("report.html")
        }
        files.append("run.log")
        log("done")
        try Reports.writeText(lines.joined(separator: "\n") + "\n", to: out + "/run.log")
        return StudyReport(
            study: study.path, output: out, stack: prepared.manifest, training: training, score: score,
            targets: targets, validation: validation, crossValidation: crossValidation, files: files)
    }

    /// The steps `run` reports (`ProgressStream`), in order: the parts of its fraction.
    public static func steps(of study: StudyFile) -> [String] {
        ["prepare", "train", "score", "targets"] + (study.validate && study.deposits != nil ? ["validate"] : [])
            + (study.crossValidation != nil ? ["cv"] : [])
    }

    /// What a run reads (the study file and every input it names) and the files it writes
    /// under the output folder; other files in that folder are left alone.
    static func paths(of study: StudyFile) -> OutputGuard {
        let out = study.output
        let writer = "the study's output"
        var paths = study.prepareRequest(outputDirectory: out + "/stack").paths(writer: writer)
        paths.input(study.path, "the study file")
        if let deposits = study.deposits { paths.input(deposits.path, "the deposits") }
        var files = ["model.json", "prospectivity.tif", "targets.geojson", "tiles.geojson", "run.log"]
        if study.training.method == .wofe { files.append("weights.csv") }
        if study.validate, study.deposits != nil { files.append("validation.json") }
        if study.crossValidation != nil { files.append("cv.json") }
        if study.targetsCSV { files.append("targets.csv") }
        if study.report { files.append("report.html") }
        for file in files { paths.output(out + "/" + file, writer) }
        return paths
    }
}
