import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "ROC AUC, success and prediction rates, P-A plot and expected deposits of a map.",
            discussion: """
                The success-rate curve gives the percent of the --deposits (the training deposits: it measures fit) captured within the top X percent of the area (cells ranked by score); --validation-deposits adds the prediction-rate curve and AUC of deposits the model never saw (prediction). Also: the prediction-area (P-A) intersection, the deposits captured in the top 1, 5, 10 and 20 % of the area, and the deposits the map's probabilities expect against those known (a warning beyond a factor of 1.5). Background is every valid cell; deposits on nodata or outside the map are skipped and counted. docs/VALIDATION.md explains each number.

                Example:
                  prospect validate map.tif --deposits Rasters/deposits.gpkg --json
                  prospect validate map.tif --deposits train.gpkg --validation-deposits new.gpkg
                """)

        @Argument(help: "The map to validate (a single-band raster).")
        var map: String
        @Option(help: "Known deposits: points, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns).")
        var deposits: String
        @Option(
            help: ArgumentHelp(
                "Independent deposits, not used in training: points, PATH[:LAYER]. Adds their prediction-rate curve and AUC.",
                valueName: "path"))
        var validationDeposits: String?
        @OptionGroup var depositsCRS: DepositsCRS
        @OptionGroup var depositSelection: DepositSelectionArguments
        @Flag(
            help:
                "Print an object with `auc`, the table and the full curve, the `skipped` deposits, `expected_deposits`, `known_deposits`, `capture`, the `pa_` intersection and, with --validation-deposits, `validation_auc` and `prediction_curve`."
        )
        var json = false
        @OptionGroup var reporting: ProgressReporting

        func run() throws {
            try runReportingErrors(reporting, step: "validate") {
                let report = try Validator.validate(
                    mapPath: map, deposits: VectorSource(argument: deposits), depositsCRS: depositsCRS.assumeCRS,
                    validationDeposits: validationDeposits.map(VectorSource.init(argument:)), selection: depositSelection.selection)
                for w in report.warnings { ProgressStream.shared.warning(w) }
                if json {
                    try printJSON(report)
                    return
                }
                print(ValidationText.render(report))
            }
        }
    }
}

enum ValidationText {
    static func render(_ r: ValidationReport) -> String {
        var out = "ROC AUC \(format(r.auc)) over \(r.cells) cells; \(r.depositsUsed) deposit cells"
        out += r.depositsSkipped > 0 ? " (\(r.depositsSkipped) deposits skipped: outside or on nodata)\n" : "\n"
        for s in r.skipped.prefix(10) { out += "  skipped \(s.id): \(s.reason)\n" }
        if r.skipped.count > 10 { out += "  … and \(r.skipped.count - 10) more\n" }
        let validation = r.predictionTable != nil
        if let auc = r.validationAUC, let used = r.validationDepositsUsed {
            out += "prediction: ROC AUC \(format(auc)) for \(used) independent deposit cells (\(r.validationDeposits ?? ""))"
            let skipped = r.validationDepositsSkipped ?? 0
            out += skipped > 0 ? " (\(skipped) skipped: outside or on nodata)\n" : "\n"
        }
        out += "success rate: training deposits (fit), percent of deposits within the top percent of area"
        out += validation ? "; prediction rate: independent deposits\n" : ":\n"
        var table = [validation ? ["top area %", "success % (fit)", "prediction %"] : ["top area %", "deposits %"]]
        for (i, p) in r.table.enumerated() {
            var row = [format(p.areaPercent, 0), format(p.depositPercent, 1)]
            if let t = r.predictionTable { row.append(format(t[i].depositPercent, 1)) }
            table.append(row)
        }
        out += Reports.table(table)
        out += "capture, equal scores shared out (top area % → deposits %): " + captureText(r.capture) + " (training deposits: fit)\n"
        if let c = r.validationCapture { out += "capture of the independent deposits: " + captureText(c) + " (prediction)\n" }
        out += paText(area: r.paIntersectionAreaPercent, density: r.paNormalizedDensity, of: "training deposits (fit)")
        if validation {
            out += paText(
                area: r.validationPAIntersectionAreaPercent, density: r.validationPANormalizedDensity,
                of: "independent deposits (prediction)")
        }
        if let e = r.expectedDeposits {
            out += String(
                format: "expected deposits %.1f against %d known deposit cells (%@)\n", e, r.knownDeposits, r.expectedDepositsBasis)
        } else {
            out += "expected deposits: \(r.expectedDepositsBasis)\n"
        }
        return out
    }

    static func captureText(_ c: [String: Double]) -> String {
        c.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key) % → \(format($0.value, 1)) %" }.joined(separator: ", ")
    }

    static func paText(area: Double?, density: Double?, of what: String) -> String {
        guard let area, let density else { return "" }
        return
            "P-A intersection, \(what): \(format(100 - area, 1)) % of deposits in the top \(format(area, 1)) % of the area (normalized density \(format(density, 2)))\n"
    }
}
