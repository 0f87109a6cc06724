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
                Evidence rasters must share one grid. Name a layer with NAME=PATH (default: the file name). Continuous layers (--evidence) are made binary at the cumulative threshold with the largest studentized contrast (weights of evidence) or enter linearly (logistic regression); categorical layers (--categorical) get one weight or coefficient per class. Weights of evidence counts area in unit cells (--unit-cell-km2): choose it so that no unit cell holds more than one deposit.

                Random forests (rf) and gradient-boosted trees (gbt) grow oblivious trees (one layer and threshold per level) on deposit cells against a background sample (--background cells, seeded by --seed; --exclude-buffer M leaves out cells within M metres of a deposit), deposits weighted so both classes weigh the same. --holdout F (default 0.25) keeps a seeded fraction F of the deposit and of the background cells out of training and reports the model's ROC AUC on them. The model is bit-identical whatever --threads.

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

        @Option(
            help: "Known deposits: points, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns); optional for fuzzy and index."
        )
        var deposits: String?
        @OptionGroup var depositsCRS: DepositsCRS
        @Option(help: "A folder written by `prospect prepare` (or its stack.json): all its layers, kinds and legends.")
        var stack: String?
        @Option(name: .customLong("evidence"), help: "A continuous evidence raster, PATH or NAME=PATH (repeatable).")
        var evidence: [String] = []
        @Option(help: "A categorical evidence raster, PATH or NAME=PATH (repeatable).")
        var categorical: [String] = []
        @Option(
            help:
                "Weights of evidence: a class raster whose cumulative classes x <= v (small values favourable) are weighed and generalized to a binary pattern, PATH or NAME=PATH (repeatable)."
        )
        var ascending: [String] = []
        @Option(
            help:
                "Weights of evidence: a class raster whose cumulative classes x >= v (large values favourable) are weighed and generalized to a binary pattern, PATH or NAME=PATH (repeatable)."
        )
        var descending: [String] = []
        @Option(
            help:
                "Weights of evidence: NAME=VALUE, the binary pattern of an --ascending (x <= VALUE) or --descending (x >= VALUE) layer, instead of the class with the largest studentized contrast (repeatable)."
        )
        var threshold: [String] = []
        @Option(
            help:
                "Weights of evidence: NAME=1,2/3,4/5 merges a categorical layer's class codes into one class per group, weighed together (repeatable)."
        )
        var generalize: [String] = []
        @Option(help: "A transform for one layer, NAME=SPEC, applied in the order given and repeated by score (repeatable; see above).")
        var transform: [String] = []
        @Option(
            help:
                "Method: wofe (weights of evidence), logistic, rf (random forest), gbt (gradient-boosted trees), fuzzy (fuzzy overlay) or index (weighted index overlay)."
        )
        var method: TrainingOptions.Method = .wofe
        @Option(help: "Where to write the model (JSON).")
        var out: String
        @Option(
            name: .customLong("unit-cell-km2"), help: "Weights of evidence: unit cell area in km² (default: \(WofEOptions().unitCellKm2)).")
        var unitCellKm2: Double?
        @Option(name: .customLong("weights-table"), help: "Weights of evidence: write every class's weights as CSV here.")
        var weightsTable: String?
        @Option(help: "Logistic regression: L2 penalty on standardized slopes (default: \(LogisticOptions().l2)).")
        var l2: Double?
        @Option(
            help:
                "Logistic regression and trees: at most this many background cells, a seeded random sample when there are more (0 = every valid cell; default: \(BackgroundSampling().size))."
        )
        var background: Int?
        @Option(help: "Seed for background sampling and tree growing (default: \(BackgroundSampling().seed)).")
        var seed: Int?
        @Option(help: "Fuzzy overlay: how the layers' memberships combine, e.g. \"gamma(0.9, and(a, b), or(c, d))\".")
        var expression: String?
        @Option(help: "Index overlay: a layer's weight, NAME=WEIGHT (repeatable).")
        var weight: [String] = []
        @Option(
            name: .customLong("class-score"),
            help: "Fuzzy or index overlay: a categorical layer's class score, NAME:CLASS=SCORE (repeatable).")
        var classScore: [String] = []
        @OptionGroup var treeOptions: TreeArguments
        @OptionGroup var stamp: CreatedTime
        @Flag(
            name: .customLong("missing-as-unknown"),
            help:
                "Weights of evidence: a layer missing on a cell (nodata) is unknown evidence, weight 0 and a missing-data variance term, instead of making the cell nodata; each layer is weighed on its own data area."
        )
        var missingAsUnknown = false
        @Flag(help: "Print the training summary as JSON.")
        var json = false

        func validate() throws {
            guard !(evidence.isEmpty && categorical.isEmpty && ascending.isEmpty && descending.isEmpty && stack == nil) else {
                throw ValidationError("give --stack, or at least one --evidence, --categorical, --ascending or --descending raster")
            }
            // Every value is checked here, against the layers named on the command line (a
            // stack's are added when it is read, in run()).
            let layers = stack == nil ? commandLineLayers().map { TrainingSettings.Layer(name: $0.name, kind: $0.kind) } : nil
            try checkOptions { () throws(OptionError) in _ = try settings().options(layers: layers) }
            try stamp.validate()
        }

        /// The flags, as the options layer takes them.
        func settings() throws(OptionError) -> TrainingSettings {
            var s = TrainingSettings(method: method)
            s.hasDeposits = deposits != nil
            s.unitCellKm2 = unitCellKm2
            s.l2 = l2
            s.background = background
            s.seed = seed
            if missingAsUnknown { s.missing = .unknown }
            for a in ascending { s.cumulative[LayerSpec(argument: a, kind: .continuous).name] = .ascending }
            for d in descending { s.cumulative[LayerSpec(argument: d, kind: .continuous).name] = .descending }
            s.expression = expression
            try s.add(thresholds: threshold, groups: generalize, weights: weight, classScores: classScore)
            treeOptions.fill(&s)
            return s
        }

        /// The layers named on the command line, in order.
        func commandLineLayers() -> [LayerSpec] {
            evidence.map { LayerSpec(argument: $0, kind: .continuous) } + categorical.map { LayerSpec(argument: $0, kind: .categorical) }
                + (ascending + descending).map { LayerSpec(argument: $0, kind: .continuous) }
        }

        func run() throws {
            try runReportingErrors {
                var (layers, legends) = try StackManifest.layerSpecs(of: stack)
                layers += commandLineLayers()
                for (name, specs) in try transforms() {
                    guard let k = layers.firstIndex(where: { $0.name == name }) else {
                        throw OptionError(
                            .transform, layer: name,
                            "no layer is named \(Echo.short(name)) (layers: \(layers.map(\.name).joined(separator: ", ")))")
                    }
                    layers[k].transforms += try LayerTransform.parse(specs, layer: name)
                }
                let options = try settings().options(layers: layers.map { .init(name: $0.name, kind: $0.kind) })
                let result = try Workflows.train(
                    layers: layers, deposits: deposits.map(VectorSource.init(argument:)), depositsCRS: depositsCRS.assumeCRS,
                    options: options, modelPath: out, weightsTablePath: weightsTable, legend: legends,
                    otherInputs: stack.map { [OutputGuard.Input(StackManifest.path(for: $0), "the stack's manifest")] } ?? [],
                    created: try stamp.time())
                for w in result.warnings { FileHandle.standardError.write("prospect: warning: \(w)\n".data(using: .utf8)!) }
                if json {
                    try printJSON(result.model.training)
                    return
                }
                print(TrainingText.render(result))
                print("model written to \(out)")
                if let weightsTable { print("weights table written to \(weightsTable)") }
            }
        }

        /// `--transform NAME=SPEC` by layer, in the order given.
        func transforms() throws(OptionError) -> [(String, [String])] {
            var order: [String] = []
            var specs: [String: [String]] = [:]
            for t in transform {
                let (name, spec) = try TrainingSettings.nameValue(t, .transform, form: "NAME=SPEC")
                if specs[name] == nil { order.append(name) }
                specs[name, default: []].append(spec)
            }
            return order.map { ($0, specs[$0]!) }
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
            out +=
                "weights of evidence (Bonham-Carter 1994); areas in unit cells; every class of class layers, the selected class of continuous layers; * = generalized pattern\n"
            let shown = rows.filter { $0.code != nil || $0.selected || $0.generalizedClass != nil }
            var table = [["layer", "class", "area", "deps", "W+", "s(W+)", "W-", "s(W-)", "C", "s(C)", "stud(C)", "gen", "W", "s(W)"]]
            for r in shown {
                let w = r.weights
                table.append([
                    r.layer, r.label + (r.selected && r.code == nil ? " *" : ""), format(r.area, 2), String(r.deposits),
                    format(w.wPlus), format(w.sWPlus), format(w.wMinus), format(w.sWMinus),
                    format(w.contrast), format(w.sContrast), format(w.studentizedContrast, 2),
                    r.generalizedClass.map(String.init) ?? "", r.generalizedWeight.map { format($0) } ?? "",
                    r.generalizedStd.map { format($0) } ?? "",
                ])
            }
            out += Reports.table(table)
            if let p = t.priorProbability { out += "prior probability \(String(format: "%.6g", p)) per unit cell\n" }
            out += WofEText.render(t)
        }
        if let rows = t.coefficients {
            out += "logistic regression (IRLS, L2 \(m.parameters["l2"] ?? "?")), \(t.backgroundCells ?? 0) background cells, "
            out += (t.converged ?? false) ? "converged in \(t.iterations ?? 0) iterations\n" : "DID NOT CONVERGE\n"
            var table = [["layer", "term", "coefficient", "std error", "z", "per SD"]]
            table.append(["(intercept)", "", format(Double(m.additive?.intercept ?? 0)), "", "", ""])
            for r in rows {
                table.append([
                    r.layer, r.term, String(format: "%.6g", r.coefficient), String(format: "%.3g", r.standardError),
                    format(r.z, 2), format(r.standardized, 3),
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
