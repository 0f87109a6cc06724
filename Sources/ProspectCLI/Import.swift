import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ImportSource: ExpressibleByArgument {}

extension ProspectCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a LightGBM or XGBoost binary model trained elsewhere, to score it with prospect.",
            discussion: """
                LightGBM: the JSON of booster.dump_model() (json.dump(booster.dump_model(), f)); objective binary, also in random-forest mode. XGBoost: the JSON model of booster.save_model("model.json") (not get_dump); objective binary:logistic. Scores match the library's own predict to 1e-6. Multiclass models and categorical splits are refused: train on numeric class codes instead.

                Each feature the model splits on needs an evidence layer of the same name (NAME=PATH, or a --stack layer). A model without feature names (f0, f1 … or Column_0 …) takes the layers in the order given, one per feature. The layers must share one grid; the model stores them, so `prospect score --model OUT` needs nothing else.

                Example:
                  prospect import --from lightgbm lgbm_dump.json --stack stack --out model.json
                  prospect import --from xgboost xgb_model.json --evidence thorium=th.tif \\
                    --evidence magnetics=mag.tif --categorical lithology=lith.tif --out model.json
                  prospect score --model model.json --out map.tif
                """)

        @Option(name: .customLong("from"), help: "The library that wrote the model: lightgbm or xgboost.")
        var library: ImportSource
        @Argument(help: "The model file (LightGBM dump_model() JSON, or XGBoost save_model() JSON).")
        var dump: String
        @Option(help: "A folder written by `prospect prepare` (or its stack.json): its layers named like the model's features are used.")
        var stack: String?
        @Option(name: .customLong("evidence"), help: "A continuous evidence raster, NAME=PATH or PATH (repeatable).")
        var evidence: [String] = []
        @Option(help: "A categorical evidence raster (class codes), NAME=PATH or PATH (repeatable).")
        var categorical: [String] = []
        @Option(help: "Where to write the Prospect model (JSON).")
        var out: String
        @OptionGroup var stamp: CreatedTime
        @Flag(help: "Print the import summary as JSON.")
        var json = false

        func validate() throws {
            guard !(evidence.isEmpty && categorical.isEmpty && stack == nil) else {
                throw ValidationError("give --stack, or --evidence / --categorical layers for the model's features")
            }
            try stamp.validate()
        }

        func run() throws {
            try runReportingErrors {
                var (layers, legends) = try StackManifest.layerSpecs(of: stack)
                let fromStack = layers.count
                layers +=
                    evidence.map { LayerSpec(argument: $0, kind: .continuous) }
                    + categorical.map { LayerSpec(argument: $0, kind: .categorical) }
                let required = layers.indices.map { $0 >= fromStack }
                let result = try Workflows.importTrees(
                    from: library, dumpPath: dump, layers: layers, required: required,
                    modelPath: out, legend: legends,
                    otherInputs: stack.map { [OutputGuard.Input(StackManifest.path(for: $0), "the stack's manifest")] } ?? [],
                    created: try stamp.time())
                for w in result.warnings { ProgressStream.shared.warning(w) }
                if json {
                    // Printed with sorted keys: the order of the members does not show.
                    struct Summary: Encodable {
                        var method, source, objective, version, model: String
                        var trees, leaves, maxDepth: Int
                        var layers: [String: String]
                        var unusedFeatures, layerRanking: [String]
                    }
                    let e = result.model.trees!
                    try printJSON(
                        Summary(
                            method: result.model.method, source: dump, objective: result.imported.objective,
                            version: result.imported.version, model: out, trees: e.trees.count, leaves: e.leafCount,
                            maxDepth: e.maxDepth,
                            layers: Dictionary(uniqueKeysWithValues: result.layers.map { ($0.feature, $0.spec.path) }),
                            unusedFeatures: result.unusedFeatures, layerRanking: result.model.training.layerRanking))
                    return
                }
                print(ImportText.render(result, dump: dump))
                print("model written to \(out)")
            }
        }
    }
}

/// Human-readable import summaries.
enum ImportText {
    static func render(_ result: ImportResult, dump: String) -> String {
        let e = result.model.trees!
        let m = result.imported
        var out = "\(m.library) model \(dump): \(e.trees.count) trees, \(e.leafCount) leaves, depth ≤ \(e.maxDepth); "
        out += "objective \(m.objective)"
        out += m.version.isEmpty ? "\n" : " (\(m.library == "lightgbm" ? "dump " : "XGBoost ")\(m.version))\n"
        var table = [["feature", "layer", "kind", "raster"]]
        for (feature, spec) in result.layers { table.append([feature, spec.name, spec.kind.rawValue, spec.path]) }
        out += Reports.table(table)
        out += "layers by total split gain: \(result.model.training.layerRanking.joined(separator: " > "))\n"
        out += "scores are \(e.output == .logistic ? "sigmoid(\(e.base == 0 ? "" : "base + ")Σ leaf values)" : "mean leaf values"); "
        out += "splits send x \(e.comparison == .lessOrEqual ? "≤" : "<") threshold left"
        return out
    }
}
