import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension TrainingOptions.Method: ExpressibleByArgument {}

extension ProspectCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a weights-of-evidence or logistic-regression model from evidence rasters and deposits.",
            discussion: """
            Evidence rasters must share one grid. Name a layer with NAME=PATH (default: the file name). Continuous layers (--evidence) are made binary at the cumulative threshold with the largest studentized contrast (weights of evidence) or enter linearly (logistic regression); categorical layers (--categorical) get one weight or coefficient per class. Weights of evidence counts area in unit cells (--unit-cell-km2): choose it so that no unit cell holds more than one deposit.

            Example:
              prospect train --method wofe --deposits Rasters/deposits.gpkg \\
                --evidence Rasters/thorium.tif --evidence Rasters/magnetics.tif \\
                --evidence Rasters/fault_distance.tif --categorical Rasters/lithology.tif \\
                --unit-cell-km2 0.01 --out model.json --weights-table weights.csv
            """)

        @Option(help: "Known deposits: a point vector file (any OGR format).")
        var deposits: String
        @Option(name: .customLong("evidence"), help: "A continuous evidence raster, PATH or NAME=PATH (repeatable).")
        var evidence: [String] = []
        @Option(help: "A categorical evidence raster, PATH or NAME=PATH (repeatable).")
        var categorical: [String] = []
        @Option(help: "Method: wofe (weights of evidence) or logistic.")
        var method: TrainingOptions.Method = .wofe
        @Option(help: "Where to write the model (JSON).")
        var out: String
        @Option(name: .customLong("unit-cell-km2"), help: "Weights of evidence: unit cell area in km².")
        var unitCellKm2: Double = 1
        @Option(name: .customLong("weights-table"), help: "Weights of evidence: write every class's weights as CSV here.")
        var weightsTable: String?
        @Option(help: "Logistic regression: L2 penalty on standardized slopes.")
        var l2: Double = 1e-3
        @Option(help: "Logistic regression: at most this many background cells, a seeded random sample when there are more (0 = every valid cell).")
        var background: Int = 1_000_000
        @Option(help: "Seed for background sampling.")
        var seed: UInt64 = 1
        @Flag(help: "Print the training summary as JSON.")
        var json = false

        func validate() throws {
            guard !(evidence.isEmpty && categorical.isEmpty) else {
                throw ValidationError("give at least one --evidence or --categorical raster")
            }
            guard unitCellKm2 > 0 else { throw ValidationError("--unit-cell-km2 must be positive") }
            guard l2 >= 0 else { throw ValidationError("--l2 must be non-negative") }
        }

        func run() throws {
            try runReportingErrors {
                var options = TrainingOptions(method: method)
                options.unitCellKm2 = unitCellKm2
                options.l2 = l2
                options.backgroundSample = background
                options.seed = seed
                let layers = evidence.map { LayerSpec(argument: $0, kind: .continuous) }
                    + categorical.map { LayerSpec(argument: $0, kind: .categorical) }
                let result = try Workflows.train(layers: layers, depositsPath: deposits, options: options,
                                                 modelPath: out, weightsTablePath: weightsTable)
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
    }
}

/// Human-readable training summaries.
enum TrainingText {
    static func render(_ result: TrainingResult) -> String {
        let m = result.model
        let t = m.training
        var out = "method \(m.method): \(t.depositsUsed) deposits used of \(t.depositsGiven)"
        out += " (\(t.depositsOutsideGrid) outside the grid, \(t.depositsOnNodata) on nodata, \(t.depositsSharingCell) sharing a cell)\n"
        for s in result.skipped.prefix(10) { out += "  skipped \(s.id): \(s.reason)\n" }
        if result.skipped.count > 10 { out += "  … and \(result.skipped.count - 10) more\n" }
        out += "training area: \(t.validCells) cells of \(format(t.cellAreaKm2, 6)) km² where every layer has data\n\n"
        if let rows = t.weights {
            out += "weights of evidence (Bonham-Carter 1994); areas in unit cells; selected classes of continuous layers\n"
            let shown = rows.filter { $0.code != nil || $0.selected }
            var table = [["layer", "class", "area", "deps", "W+", "s(W+)", "W-", "s(W-)", "C", "s(C)", "stud(C)"]]
            for r in shown {
                let w = r.weights
                table.append([r.layer, r.label + (r.code == nil ? "" : ""), format(r.area, 2), String(r.deposits),
                              format(w.wPlus), format(w.sWPlus), format(w.wMinus), format(w.sWMinus),
                              format(w.contrast), format(w.sContrast), format(w.studentizedContrast, 2)])
            }
            out += Reports.table(table)
            if let p = t.priorProbability { out += "prior probability \(String(format: "%.6g", p)) per unit cell\n" }
        }
        if let rows = t.coefficients {
            out += "logistic regression (IRLS, L2 \(m.parameters["l2"] ?? "?")), \(t.backgroundCells ?? 0) background cells, "
            out += (t.converged ?? false) ? "converged in \(t.iterations ?? 0) iterations\n" : "DID NOT CONVERGE\n"
            var table = [["layer", "term", "coefficient", "std error", "z", "per SD"]]
            table.append(["(intercept)", "", format(Double(m.model.intercept)), "", "", ""])
            for r in rows {
                table.append([r.layer, r.term, String(format: "%.6g", r.coefficient), String(format: "%.3g", r.standardError),
                              format(r.z, 2), format(r.standardized, 3)])
            }
            out += Reports.table(table)
        }
        out += "layers by strength of evidence: \(t.layerRanking.joined(separator: " > "))\n"
        return out
    }
}
