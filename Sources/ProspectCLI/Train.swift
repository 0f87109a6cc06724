import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ProspectCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Train a weights-of-evidence, logistic-regression, random-forest or gradient-boosting model from evidence rasters and deposits, or make a fuzzy or index overlay from expert knowledge.",
            discussion: """
                Evidence rasters must share one grid. Name a layer with NAME=PATH (default: the file name). Continuous layers (--evidence) are made binary at the cumulative threshold with the largest studentized contrast among patterns holding at least --min-deposits deposits and --min-area-percent of the area, or at --threshold (weights of evidence), or enter linearly (logistic regression); categorical layers (--categorical) get one weight or coefficient per class. Weights of evidence counts area in unit cells (--unit-cell-km2): choose it so that no unit cell holds more than one deposit; --count-deposits says whether several deposits in one cell count each (points) or once (cells).

                Random forests (rf) and gradient-boosted trees (gbt) grow oblivious trees (one layer and threshold per level) on deposit cells against a background sample (--background cells, seeded by --seed; --exclude-buffer M leaves out cells within M metres of a deposit), deposits weighted so both classes weigh the same. --holdout F (default 0.25) keeps about a fraction F of the deposit and of the background cells out of training, in whole square blocks of --block-km (default: from the deposits' spacing) dealt by --seed, and reports the model's ROC AUC on them; --holdout-scheme random draws single cells instead, which on clustered deposits measures little more than the fit. prospect cv cross-validates every method the same way. The model is bit-identical whatever --threads.

                Transforms (--transform NAME=SPEC) map a layer's values before the model sees them; score repeats them exactly from the model file. SPEC is KIND[:KEY=VALUE,…]: minmax[:min=,max=], zscore[:mean=,std=], log[:offset=], clip:lower=,upper=, reclass:breaks=A/B/C[,values=…], fuzzy-linear[:min=,max=], fuzzy-small|fuzzy-large[:midpoint=,spread=5], fuzzy-gaussian|fuzzy-near[:midpoint=,spread=0.1], fuzzy-power[:min=,max=,exponent=2]. Parameters left out are taken from the layer's valid cells when training (midpoint: the middle of its range). A missing or nodata cell stays missing, and a value a transform cannot map (log of a value ≤ 0) becomes missing.

                Knowledge-driven models (--method fuzzy, --method index) need no deposits; given some, training reports the model's ROC AUC on them. A fuzzy overlay combines layers' memberships in [0, 1] (give continuous layers a fuzzy-* or minmax transform) by --expression, with and (min), or (max), product, sum (1 − Π(1 − μ)) and gamma(γ, …) = sum^γ · product^(1 − γ), nested freely. An index overlay scores Σ w·s / Σ w with --weight NAME=W (layers without a weight are left out; none given: every layer weighs 1), s the value of a continuous layer or the class score of a categorical one. --class-score NAME:CLASS=SCORE scores a categorical layer's class (a code or a legend name; classes not listed score 0).

                Example:
                  prospect train --method wofe --deposits Rasters/deposits.gpkg \\
                    --evidence Rasters/thorium.tif --evidence Rasters/magnetics.tif \\
                    --evidence Rasters/fault_distance.tif --categorical Rasters/lithology.tif \\
                    --unit-cell-km2 0.01 --out model.json --weights-table weights.csv
                  prospect train --method logistic --stack stack --transform th=log \\
                    --deposits gold.csv --assume-crs EPSG:20350 --out model.json
                  prospect train --method fuzzy --stack stack --out fuzzy.json \\
                    --expression "gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))" \\
                    --transform thorium=fuzzy-large --transform magnetics=fuzzy-large \\
                    --transform fault_distance=fuzzy-small:midpoint=500,spread=3 --class-score lithology:4=1
                  prospect train --method index --stack stack --out index.json --weight thorium=3 \\
                    --weight lithology=2 --transform thorium=minmax --class-score lithology:4=1
                  prospect train --method gbt --stack stack --deposits gold.gpkg --trees 200 --depth 6 \\
                    --learning-rate 0.05 --exclude-buffer 500 --out gbt.json
                """)

        @OptionGroup var training: TrainingArguments
        @Option(help: "Where to write the model (JSON).")
        var out: String
        @Option(name: .customLong("weights-table"), help: "Weights of evidence: write every class's weights as CSV here.")
        var weightsTable: String?
        @OptionGroup var stamp: CreatedTime
        @Flag(help: "Print the training summary as JSON.")
        var json = false
        @OptionGroup var reporting: ProgressReporting

        func validate() throws {
            try training.check()
            try stamp.validate()
        }

        func run() throws {
            try runReportingErrors(reporting, step: "train") {
                let (layers, legends) = try training.layers()
                let options = try training.settings().options(layers: layers.map { .init(name: $0.name, kind: $0.kind) })
                let result = try Workflows.train(
                    layers: layers, deposits: training.deposits.map(VectorSource.init(argument:)),
                    depositsCRS: training.depositsCRS.assumeCRS, depositSelection: training.depositSelection.selection,
                    options: options, modelPath: out, weightsTablePath: weightsTable, legend: legends,
                    otherInputs: training.stack.map { [OutputGuard.Input(StackManifest.path(for: $0), "the stack's manifest")] } ?? [],
                    created: try stamp.time())
                for w in result.warnings { ProgressStream.shared.warning(w) }
                if json {
                    try printJSON(result.model.training)
                    return
                }
                print(TrainingText.render(result))
                print("model written to \(out)")
                if let weightsTable { print("weights table written to \(weightsTable)") }
            }
        }
    }
}

/// Human-readable training summaries.
enum TrainingText {
    static func render(_ result: TrainingResult) -> String {
        let m = result.model
        if m.fuzzy != nil || m.index != nil { return OverlayText.render(result) }
        let t = m.training
        var out = "method \(m.method): \(t.depositsUsed) deposits used of \(t.depositsGiven)"
        out += " (\(t.depositsOutsideGrid) outside the grid, \(t.depositsOnNodata) on nodata, \(t.depositsSharingCell) sharing a cell)\n"
        for s in result.skipped.prefix(10) { out += "  skipped \(s.id): \(s.reason)\n" }
        if result.skipped.count > 10 { out += "  … and \(result.skipped.count - 10) more\n" }
        let area =
            m.additive?.missingAsUnknown == true
            ? "where at least one layer has data (missing layers as unknown; each layer weighed on its own data area)"
            : "where every layer has data"
        out += "training area: \(t.validCells) cells of \(format(t.cellAreaKm2, 6)) km² \(area)\n\n"
        if let rows = t.weights {
            out += WofEText.table(rows, summary: t, parameters: m.parameters)
            out += WofEText.render(t)
        }
        if let rows = t.coefficients {
            out += "logistic regression (IRLS, L2 \(m.parameters["l2"] ?? "?")), \(t.backgroundCells ?? 0) background cells, "
            out += (t.converged ?? false) ? "converged in \(t.iterations ?? 0) iterations\n" : "DID NOT CONVERGE\n"
            var table = [["layer", "term", "coefficient", "std error", "z", "per SD"]]
            table.append([
                "(intercept)", "", format(Double(m.additive?.intercept ?? 0)),
                t.interceptStandardError.map { String(format: "%.3g", $0) } ?? "",
                "", "",
            ])
            for r in rows {
                table.append([
                    r.layer, r.term, String(format: "%.6g", r.coefficient), r.standardError.map { String(format: "%.3g", $0) } ?? "",
                    r.z.map { format($0, 2) } ?? "", format(r.standardized, 3),
                ])
            }
            out += Reports.table(table)
        }
        if let trees = t.trees { out += TreeText.render(trees, parameters: m.parameters) }
        if let e = t.expectedDeposits {
            out += String(
                format: "expected deposits over the training area %.1f (the sum of the fitted probabilities) against %d deposit cells",
                e, t.depositsUsed)
            if let before = m.parameters["expectedDepositsPriorCorrected"].flatMap(Double.init),
                let offset = m.parameters["calibrationOffset"].flatMap(Double.init)
            {
                out += String(format: "; %.1f after the prior correction alone, calibrated by a logit offset of %+.4f", before, offset)
            }
            out += "\n"
        }
        out += "layers by \(m.rankingBasis): \(t.layerRanking.joined(separator: " > "))\n"
        return out
    }
}
