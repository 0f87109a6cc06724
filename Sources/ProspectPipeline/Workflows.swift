import Foundation
import ProspectCore
import ProspectGDAL

/// File-level entry points used by the CLI, the demo and the tests.
public enum Workflows {
    /// Scores the model's layers (or `overrides`) into a GeoTIFF with provenance metadata.
    /// - Parameters:
    ///   - otherInputs: files the caller read for this run (a stack's manifest), which the map
    ///     must not overwrite either.
    ///   - requireDataInEveryLayer: refuse a layer with no valid value (off for a shard of a study).
    /// - Throws: `PipelineError` before anything is written when the map would overwrite the
    ///   model, one of its layers or another input.
    public static func score(
        modelPath: String, outputPath: String, overrides: [String: String] = [:],
        options: ScoreOptions = ScoreOptions(), otherInputs: [OutputGuard.Input] = [], requireDataInEveryLayer: Bool = true
    ) throws -> ScoreReport {
        let model = try ModelStore.load(modelPath)
        let specs = try ModelStore.layerSpecs(of: model, modelPath: modelPath, overrides: overrides)
        var paths = OutputGuard()
        paths.input(modelPath, "the model")
        for spec in specs { paths.input(spec.path, "evidence layer \(spec.name)") }
        for input in otherInputs { paths.input(input.path, input.role) }
        paths.output(outputPath, "--out", format: .geoTIFF)
        try paths.claim()
        for spec in specs {
            guard let missing = DatasetName.missing(spec.path) else { continue }
            guard missing.message == "no such file" else { throw missing }
            throw PipelineError(spec.path, "evidence layer \"\(spec.name)\" named by model \(modelPath) does not exist")
        }
        var stack = try EvidenceStack.open(specs)
        stack.requireDataInEveryLayer = requireDataInEveryLayer
        let provenance = try mapProvenance(model: model, modelPath: modelPath, specs: specs, created: options.created)
        return try Scorer.score(
            model: model, stack: stack, outputPath: outputPath, options: options,
            provenance: provenance, progress: Progress("scoring"))
    }

    /// The metadata a map carries: the tool, the model (embedded with the layers it read,
    /// `specs`), the inputs, the time and the nodata rule.
    static func mapProvenance(model: ModelFile, modelPath: String, specs: [LayerSpec], created: CreationTime?) throws -> [String: String] {
        var embedded = model
        embedded.layers = zip(model.layers, specs).map {
            var l = $0.0
            l.path = absolute($0.1.path)
            return l
        }
        // The map carries what scoring and explanation need; the full tables stay in the model file.
        embedded.training.weights = embedded.training.weights?.filter(\.selected)
        embedded.training.coefficients = nil
        return [
            "PROSPECT_VERSION": ProspectVersion.tool,
            "PROSPECT_METHOD": model.method,
            "PROSPECT_MODEL": absolute(modelPath),
            "PROSPECT_MODEL_JSON": String(decoding: try embedded.encoded(), as: UTF8.self),
            "PROSPECT_INPUTS": specs.map { absolute($0.path) }.joined(separator: "\n"),
            "PROSPECT_CREATED": created.stamp,
            "PROSPECT_NODATA_RULE": model.additive?.missingAsUnknown == true
                ? "missing as unknown: a missing layer adds weight 0 and the missing-data variance; a cell is nodata only when every evidence layer is nodata (or NaN) there"
                : "a cell is nodata when any evidence layer is nodata (or NaN) there",
        ]
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}

/// Plain-text tables and CSV.
public enum Reports {
    /// The weights table as CSV, one row per class; `note` holds how the counts were adjusted
    /// and why a class cannot be the automatic cut, `deposits_counted_as` what `deposits`
    /// counts (deposit points or deposit cells).
    public static func weightsCSV(_ rows: [WofEClassRow], counting: WofEDepositCount? = nil) -> String {
        var out =
            "layer,class,code,threshold,direction,cells,area_unit_cells,deposits,w_plus,s_w_plus,w_minus,s_w_minus,contrast,s_contrast,studentized_contrast,defined,selected,generalized_class,generalized_weight,generalized_std,note,deposits_counted_as\n"
        let counted = (counting ?? .cells).rawValue
        for r in rows {
            let w = r.weights
            let fields: [String] = [
                csv(r.layer), csv(r.label), r.code.map(String.init) ?? "", r.threshold.map { "\($0)" } ?? "", r.direction ?? "",
                String(r.cells), fmt(r.area), String(r.deposits), fmt(w.wPlus), fmt(w.sWPlus), fmt(w.wMinus), fmt(w.sWMinus),
                fmt(w.contrast), fmt(w.sContrast), fmt(w.studentizedContrast), String(w.defined), String(r.selected),
                r.generalizedClass.map(String.init) ?? "", r.generalizedWeight.map(fmt) ?? "", r.generalizedStd.map(fmt) ?? "",
                csv(r.notes.joined(separator: "; ")), counted,
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// A class-score table as `4 → 10, 3 → 5`, codes in ascending order.
    public static func classScores(_ table: [String: Double]) -> String {
        table.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key) → \(String(format: "%g", $0.value))" }.joined(
            separator: ", ")
    }

    static func csv(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

    /// Writes a text file atomically.
    public static func writeText(_ text: String, to path: String) throws {
        try stageText(text, to: path).commit()
    }

    /// Writes a text file under a temporary name beside `path`, to be committed by the caller.
    public static func stageText(_ text: String, to path: String) throws -> AtomicOutput {
        let out = try AtomicOutput(path)
        do { try OutputFiles.write(Data(text.utf8), to: out.temporaryPath, reportedAs: path) } catch {
            out.discard()
            throw error
        }
        return out
    }

    /// Renders rows as an aligned table; the first row is the header.
    public static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = first.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for (n, r) in rows.enumerated() {
            out +=
                r.enumerated().map { i, c in
                    i == 0
                        ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[i] - c.count) + c
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
