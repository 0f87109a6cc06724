import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ProspectCommand {
    struct CV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cv",
            abstract: "Cross-validate a model: its ROC AUC on deposits and cells each fold's model never saw, in spatial blocks.",
            discussion: """
                Takes the layer, deposit and model options of train, for every method. The map is cut into square blocks of --block-km (default: 5 × the median distance from a deposit to its nearest neighbour, rounded to 1, 2, 2.5 or 5 × 10^n km and halved while there are fewer blocks holding deposits than folds); the blocks are dealt to --folds folds (seeded by --seed, deposits balanced across folds). Each fold's model is trained on the other folds' blocks, cells and deposits, and scores its own blocks: the fold's ROC AUC counts its deposits against every valid cell of its blocks (deposit cells included, as validate does). Reported: each fold's AUC (none for a fold without deposits), their mean and sample standard deviation, and the pooled out-of-fold AUC and prediction-rate curve, every cell scored by the model that did not see it. Fuzzy and index overlays are not fitted to deposits: every fold is scored by the same model.

                Deposits cluster, so a random split leaves each held-out deposit beside training ones and over-rates the AUC (Roberts et al. 2017, Airola et al. 2019); --scheme random deals single cells and deposits at random, for comparison. rf and gbt grow each fold's model on all of its training cells (no --holdout). --threads sets the workers of training and of the scoring pass; the figures do not depend on it.

                Example:
                  prospect cv --method wofe --stack stack --deposits Rasters/deposits.gpkg --unit-cell-km2 0.01
                  prospect cv --method gbt --stack stack --deposits gold.gpkg --folds 10 --block-km 5 --json
                  prospect cv --method logistic --stack stack --deposits gold.gpkg --scheme random
                """)

        @OptionGroup var training: TrainingArguments
        @Option(help: "Folds, 2 to 100 (default: \(CrossValidationOptions().folds)).")
        var folds: Int?
        @Option(
            help: "blocks: square blocks of --block-km dealt to folds; random: single cells and deposits dealt at random (default: blocks)."
        )
        var scheme: HoldoutScheme?
        @Flag(
            help:
                "Print an object with scheme, block_km, folds (fold, auc, deposits, cells, area_km2), mean_auc, sd_auc, pooled_auc and curve."
        )
        var json = false
        @OptionGroup var reporting: ProgressReporting

        func validate() throws {
            try checkOptions { () throws(OptionError) in
                _ = try crossValidationSettings().options()
                var s = try training.settings()
                try adjust(&s)
            }
            try training.check { try? adjust(&$0) }
        }

        /// Cross-validation's own options: `--block-km`, `--seed` and `--threads` of the shared
        /// groups, `--folds` and `--scheme`.
        func crossValidationSettings() throws(OptionError) -> CrossValidationSettings {
            var s = CrossValidationSettings()
            s.folds = folds
            s.scheme = scheme
            s.blockKm = training.blockKm
            s.seed = training.seed
            s.threads = training.threads
            return s
        }

        /// The training settings without what cross-validation takes over: the block size and the
        /// trees' own holdout (refused).
        func adjust(_ s: inout TrainingSettings) throws(OptionError) {
            if !s.hasDeposits { throw OptionError(.deposits, "cross-validation measures how models predict known deposits: give them") }
            if s.holdout != nil { throw OptionError(.holdout, "cross-validation holds whole folds out; --holdout is for train") }
            if s.holdoutScheme != nil {
                throw OptionError(.holdoutScheme, "cross-validation holds whole folds out; give --scheme for cv")
            }
            s.blockKm = nil
        }

        func run() throws {
            try runReportingErrors(reporting, step: "cv") {
                let (layers, legends) = try training.layers()
                var settings = try training.settings()
                try adjust(&settings)
                let options = try settings.options(layers: layers.map { .init(name: $0.name, kind: $0.kind) })
                let cv = try crossValidationSettings().options()
                let result = try Workflows.crossValidate(
                    layers: layers, deposits: training.deposits.map(VectorSource.init(argument:)),
                    depositsCRS: training.depositsCRS.assumeCRS, depositSelection: training.depositSelection.selection,
                    options: options, cv: cv, legend: legends, progress: true)
                for w in result.warnings { ProgressStream.shared.warning(w) }
                if json {
                    try printJSON(result.report)
                    return
                }
                print(CrossValidationText.render(result))
            }
        }
    }
}

/// Human-readable cross-validation reports.
enum CrossValidationText {
    static func render(_ result: CrossValidationResult) -> String {
        let r = result.report
        var out = "method \(r.method): \(r.deposits) deposit cells, \(r.folds.count) folds, seed \(r.seed)\n"
        for s in result.skipped.prefix(10) { out += "  skipped \(s.id): \(s.reason)\n" }
        if result.skipped.count > 10 { out += "  … and \(result.skipped.count - 10) more\n" }
        if let cells = r.blockCells, let reason = r.blockReason {
            out += "blocks of \(SpatialBlocks.show(r.blockKm ?? .nan)) km (\(cells) cells): \(reason)\n"
        } else {
            out += "random: each cell dealt to a fold at random, deposits dealt evenly\n"
        }
        var header = ["fold"]
        if r.scheme == .blocks { header.append("blocks") }
        header += ["held-out deposits", "trained on", "cells", "area km²", "AUC"]
        var table = [header]
        for f in r.folds {
            var row = [String(f.fold)]
            if r.scheme == .blocks { row.append(f.blocks.map(String.init) ?? "") }
            row += [
                String(f.deposits), String(f.trainingDeposits), String(f.cells), format(f.areaKm2, 2), f.auc.map { format($0, 3) } ?? "–",
            ]
            table.append(row)
        }
        out += Reports.table(table)
        let empty = r.folds.filter { $0.auc == nil }.map { String($0.fold) }
        if !empty.isEmpty {
            out +=
                "fold\(empty.count > 1 ? "s" : "") \(empty.joined(separator: ", ")) hold\(empty.count > 1 ? "" : "s") no deposit: no AUC, left out of the mean\n"
        }
        out += r.headline + "\n"
        out +=
            "prediction rate (percent of held-out deposits within the top percent of area, each cell scored by the model that did not see it):\n"
        var curve = [["top area %", "deposits %"]]
        for p in r.table { curve.append([format(p.areaPercent, 0), format(p.depositPercent, 1)]) }
        return out + Reports.table(curve)
    }
}
