import Foundation
import ProspectCore

extension StudyRunner {
    /// What `run.log` says of a trained tree ensemble: its shape, its training-sample or
    /// out-of-bag AUC and its held-out AUC. Empty for other models.
    static func treeLines(_ model: ModelFile) -> [String] {
        guard let t = model.training.trees else { return [] }
        let name = t.method == "rf" ? "random forest" : "gradient-boosted trees"
        var lines = [
            "\(name): \(t.trees) oblivious trees, depth \(t.depth); \(t.depositCells) deposit cells against \(t.backgroundCells) background cells (\(t.background))"
        ]
        lines.append("ROC AUC \(String(format: "%.4f", t.auc)) \(t.aucKind == "out-of-bag" ? "out of bag" : "on the training sample")")
        if let held = TreeTrainingSummary.heldOutText(t) { lines.append(held) }
        return lines
    }
}

extension StudyRunner {
    /// " (band 2: ensemble_spread)" when the study asks for the model's extra bands and it has some.
    static func extraBandsNote(_ model: ModelFile, options: ScoreOptions) -> String {
        guard options.extraBands else { return "" }
        let names = model.scorer(nodata: model.layers.map { _ in -9999 }).extraBands
        guard !names.isEmpty else { return "" }
        return " (" + names.enumerated().map { "band \($0.offset + 2): \($0.element)" }.joined(separator: ", ") + ")"
    }
}

extension StudyRunner {
    /// What a study's log says about a knowledge-driven model: the expression or the weights,
    /// the class scores, and the ROC AUC on the deposits.
    static func overlayLines(_ model: ModelFile) -> [String] {
        var lines: [String] = []
        if let f = model.fuzzy { lines.append("fuzzy overlay: \(f.expression)") }
        if let i = model.index {
            let total = i.weights.values.reduce(0, +)
            lines.append(
                "index overlay weights: "
                    + model.layers.map { l in
                        "\(l.name) \(String(format: "%g", i.weights[l.name] ?? 0)) (\(String(format: "%.0f", 100 * (i.weights[l.name] ?? 0) / total)) %)"
                    }.joined(separator: ", "))
        }
        for (name, table) in ((model.fuzzy?.classScores ?? model.index?.classScores) ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("\(name) class scores: " + Reports.classScores(table) + ", others 0")
        }
        if let auc = model.training.depositAUC {
            lines.append("ROC AUC on the deposits \(String(format: "%.4f", auc)) (they did not shape the model)")
        }
        return lines
    }
}

extension StudyRunner {
    /// Runs `body`, giving an error that names no file the study file's name: the settings at
    /// fault (an expression, a weight, a class) come from its `model:` section.
    static func namingStudy<T>(_ study: StudyFile, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as PipelineError where e.path == nil {
            throw PipelineError(study.path, "model: \(e.message)")
        } catch let e as OptionError {
            throw e.inStudy(study.path) { name in study.layers.firstIndex { $0.name == name } }
        }
    }

    /// The targets step's line: how many, at what score, ranked how, their expected and known
    /// deposits, and the files.
    /// The log lines of the validation step: the AUC and what it measures (fit on the
    /// training deposits, or prediction for a knowledge-driven model), and training's held-out AUC.
    static func validationLines(_ v: ValidationReport, study: StudyFile, heldOutAUC: Double?) -> [String] {
        let top10 = v.table.first { $0.areaPercent == 10 }?.depositPercent ?? .nan
        let knowledge = study.training.method.isKnowledgeDriven
        var lines = [
            "validate: ROC AUC \(String(format: "%.4f", v.auc))\(knowledge ? "" : " (fit on training deposits)"); \(String(format: "%.1f", top10)) % of deposits in the top 10 % of the area → validation.json",
            knowledge
                ? "  (the deposits did not shape this knowledge-driven model: this measures prediction)"
                : "  (deposits used for training are validated against the map they trained: this measures fit, not prediction)",
        ]
        if let auc = heldOutAUC {
            lines.append("  (the held-out ROC AUC of training, \(String(format: "%.4f", auc)), measures prediction)")
        }
        return lines
    }

    /// The log lines of the cross-validation step: the headline, the blocks, each fold, the
    /// warnings, and the fit beside the prediction.
    static func crossValidationLines(
        _ r: CrossValidationReport, warnings: [String], validation: ValidationReport?, study: StudyFile
    ) -> [String] {
        var lines = ["\(r.headline) → cv.json"]
        if let reason = r.blockReason { lines.append("  blocks of \(SpatialBlocks.show(r.blockKm ?? .nan)) km: \(reason)") }
        for f in r.folds {
            lines.append(
                "  fold \(f.fold): \(f.deposits) held-out deposits, \(f.cells) cells, AUC \(f.auc.map { String(format: "%.4f", $0) } ?? "none (no deposit)")"
            )
        }
        for w in warnings { lines.append("  warning: \(w)") }
        if let v = validation {
            let fit =
                study.training.method.isKnowledgeDriven ? "on the deposits (they did not shape the model)" : "fit on training deposits"
            lines.append(
                "  ROC AUC \(String(format: "%.4f", v.auc)) \(fit); \(String(format: "%.4f", r.pooledAUC)) cross-validated (pooled out of fold), deposits the model never saw"
            )
        }
        return lines
    }

    /// The study's report step (`prospect run` and `prospect merge`): `report.html` in the study's
    /// output folder `out` from the files the run wrote there and its log lines so far.
    static func writeReport(
        _ study: StudyFile, out: String, map: String, model: String, stack: String, validated: Bool, crossValidated: Bool, lines: [String],
        leaflet: LeafletAssets, log: (String) -> Void
    ) throws {
        var inputs = ReportInputs(mapPath: map, modelPath: model)
        inputs.title = study.name
        inputs.studyPath = study.path
        inputs.deposits = study.deposits
        inputs.depositsCRS = study.depositsCRS
        inputs.depositSelection = study.depositSelection
        inputs.targetsPath = out + "/targets.geojson"
        inputs.validationPath = validated ? out + "/validation.json" : nil
        inputs.cvPath = crossValidated ? out + "/cv.json" : nil
        inputs.stackPath = stack
        inputs.logLines = lines
        let summary = try Report.write(inputs, to: out + "/report.html", leaflet: leaflet)
        log("report: \(summary.charts) charts, \(summary.bytes) bytes in \(String(format: "%.2f", summary.seconds)) s → report.html")
    }

    /// The study's targets step (`prospect run` and `prospect merge`): targets.geojson,
    /// tiles.geojson and, when asked, targets.csv in `out`, with the study's deposits counted.
    static func findTargets(_ study: StudyFile, map: String, out: String, log: (String) -> Void) throws -> TargetReport {
        let targets = try TargetFinder.find(
            mapPath: map, outputPath: out + "/targets.geojson", tilesOutputPath: out + "/tiles.geojson",
            csvPath: study.targetsCSV ? out + "/targets.csv" : nil,
            deposits: study.deposits.map {
                TargetDeposits(source: $0, selection: study.depositSelection, assumedCRS: study.depositsCRS)
            }, options: study.targets)
        log(targetsLine(targets, csv: study.targetsCSV))
        if let note = targets.rankingNote { log("  \(note)") }
        return targets
    }

    static func targetsLine(_ r: TargetReport, csv: Bool) -> String {
        var line = "targets: \(r.targets.count) at score ≥ \(String(format: "%.4g", r.threshold)), ranked by \(r.rankedBy.rawValue)"
        if r.split > 0 { line += ", \(r.split) split at saddles" }
        let expected = r.targets.compactMap(\.expectedDeposits)
        if expected.count == r.targets.count, !expected.isEmpty {
            line += String(format: ", %.1f deposits expected", expected.reduce(0, +))
        }
        let known = r.targets.compactMap(\.knownDeposits)
        if !known.isEmpty {
            line += ", \(known.reduce(0, +)) known inside, \(r.targets.filter { $0.greenfield == true }.count) greenfield"
        }
        return line + " → targets.geojson" + (csv ? ", targets.csv" : "") + ", tiles.geojson"
    }
}
