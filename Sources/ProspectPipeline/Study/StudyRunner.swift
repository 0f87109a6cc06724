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
/// `validation.json`, `cv.json` (cross-validation, when asked for), `run.log`. Each file is written under a temporary name and renamed
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
        // Every input first: a mistyped path fails now, not after the prepare step.
        try study.checkInputs()
        try paths(of: study).claim()
        try OutputFiles.createFolder(out)
        // A stale log would say an earlier run finished: remove it before starting.
        unlink(out + "/run.log")
        log("study \(study.name) (\(DisplayPath.of(study.path))) with \(ProspectVersion.tool)")

        // 1. prepare
        log("prepare: \(study.layers.count) layers → stack/")
        let prepared = try Preparer.run(study.prepareRequest(outputDirectory: out + "/stack")) { log("  " + $0) }
        for w in prepared.manifest.warnings { log("  warning: \(w)") }

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
        for w in training.warnings { log("  warning: \(w)") }
        for layer in training.model.layers where !layer.transforms.isEmpty {
            log("  \(layer.name) transforms: \(layer.transforms.map(\.description).joined(separator: " → "))")
        }
        log("  layers by \(training.model.rankingBasis): \(t.layerRanking.joined(separator: " > "))")

        // 3. score
        let mapPath = out + "/prospectivity.tif"
        var scoreOptions = study.score
        scoreOptions.created = study.created
        let score = try Workflows.score(modelPath: modelPath, outputPath: mapPath, options: scoreOptions)
        log(
            "score: \(score.cells) cells (\(score.validCells) with data) in \(String(format: "%.2f", score.seconds)) s → prospectivity.tif\(StudyRunner.extraBandsNote(training.model, options: study.score))"
        )

        // 4. targets
        let targets = try StudyRunner.findTargets(study, map: mapPath, out: out, log: log)

        // 5. validate
        var files =
            ["stack/", "model.json"] + (weightsPath == nil ? [] : ["weights.csv"])
            + ["prospectivity.tif", "targets.geojson"] + (study.targetsCSV ? ["targets.csv"] : []) + ["tiles.geojson"]
        var validation: ValidationReport?
        if study.validate, study.deposits == nil {
            log("validate: skipped (no deposits)")
        } else if study.validate, let deposits = study.deposits {
            let v = try Validator.validate(
                mapPath: mapPath, deposits: deposits, depositsCRS: study.depositsCRS, selection: study.depositSelection)
            validation = v
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Reports.writeText(String(decoding: try encoder.encode(v), as: UTF8.self), to: out + "/validation.json")
            files.append("validation.json")
            let top10 = v.table.first { $0.areaPercent == 10 }?.depositPercent ?? .nan
            let which = study.training.method.isKnowledgeDriven ? "" : " (fit on training deposits)"
            log(
                "validate: ROC AUC \(String(format: "%.4f", v.auc))\(which); \(String(format: "%.1f", top10)) % of deposits in the top 10 % of the area → validation.json"
            )
            log(
                study.training.method.isKnowledgeDriven
                    ? "  (the deposits did not shape this knowledge-driven model: this measures prediction)"
                    : "  (deposits used for training are validated against the map they trained: this measures fit, not prediction)")
            if let auc = t.trees?.heldOutAUC {
                log("  (the held-out ROC AUC of training, \(String(format: "%.4f", auc)), measures prediction)")
            }
        }
        // 6. cross-validate
        var crossValidation: CrossValidationReport?
        if let cv = study.crossValidation {
            let result = try StudyRunner.namingStudy(study) {
                try Workflows.crossValidate(
                    layers: specs, deposits: study.deposits, depositsCRS: study.depositsCRS, depositSelection: study.depositSelection,
                    options: study.training, cv: cv,
                    legend: legends)
            }
            let r = result.report
            crossValidation = r
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Reports.writeText(String(decoding: try encoder.encode(r), as: UTF8.self), to: out + "/cv.json")
            files.append("cv.json")
            log("\(r.headline) → cv.json")
            if let reason = r.blockReason { log("  blocks of \(SpatialBlocks.show(r.blockKm ?? .nan)) km: \(reason)") }
            for f in r.folds {
                log(
                    "  fold \(f.fold): \(f.deposits) held-out deposits, \(f.cells) cells, AUC \(f.auc.map { String(format: "%.4f", $0) } ?? "none (no deposit)")"
                )
            }
            for w in result.warnings { log("  warning: \(w)") }
            if let v = validation {
                let fit =
                    study.training.method.isKnowledgeDriven ? "on the deposits (they did not shape the model)" : "fit on training deposits"
                log(
                    "  ROC AUC \(String(format: "%.4f", v.auc)) \(fit); \(String(format: "%.4f", r.pooledAUC)) cross-validated (pooled out of fold), deposits the model never saw"
                )
            }
        }
        files.append("run.log")
        log("done")
        try Reports.writeText(lines.joined(separator: "\n") + "\n", to: out + "/run.log")
        return StudyReport(
            study: study.path, output: out, stack: prepared.manifest, training: training, score: score,
            targets: targets, validation: validation, crossValidation: crossValidation, files: files)
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
        for file in files { paths.output(out + "/" + file, writer) }
        return paths
    }
}
