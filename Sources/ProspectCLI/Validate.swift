import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "ROC AUC and success-rate curve of a map against known deposits.",
            discussion: """
                The success-rate curve gives the percent of deposits captured within the top X percent of the area (cells ranked by score). Background is every valid cell; deposits on nodata or outside the map are skipped and counted.

                Example:
                  prospect validate map.tif --deposits Rasters/deposits.gpkg --json
                """)

        @Argument(help: "The map to validate (a single-band raster).")
        var map: String
        @Option(help: "Known deposits: points, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns).")
        var deposits: String
        @OptionGroup var depositsCRS: DepositsCRS
        @OptionGroup var depositSelection: DepositSelectionArguments
        @Flag(help: "Print an object with `auc`, the table and the full curve.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let report = try Validator.validate(
                    mapPath: map, deposits: VectorSource(argument: deposits), depositsCRS: depositsCRS.assumeCRS,
                    selection: depositSelection.selection)
                for w in report.warnings { FileHandle.standardError.write("prospect: warning: \(w)\n".data(using: .utf8)!) }
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
        out += "success rate (percent of deposits within the top percent of area):\n"
        var table = [["top area %", "deposits %"]]
        for p in r.table { table.append([format(p.areaPercent, 0), format(p.depositPercent, 1)]) }
        return out + Reports.table(table)
    }
}
