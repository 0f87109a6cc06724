import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write one self-contained HTML report of a run: map, targets, validation, model and provenance.",
            discussion: """
                Give a `prospect run` output folder, or the files themselves with --map and --model (and --deposits, --targets, --validation, --cv when you have them). The report is one HTML file that loads nothing from anywhere: the map (pan and zoom with Leaflet, inlined from Debian's libjs-leaflet in /usr/share/javascript/leaflet or the folder PROSPECT_LEAFLET_DIR names; without JavaScript, and on paper, the static quicklook), the targets table, the validation (ROC, success- and prediction-rate curves, the prediction–area plot, capture at fixed areas, cross-validation folds, expected against known deposits: every figure says whether it is fit on training deposits or prediction on deposits the model never saw), the model (weights and contrasts, coefficients, importance or overlay) and the provenance (inputs, grid, CRS, versions, the run's log and warnings). Charts are SVG, each with its data as a table.

                Examples:
                  prospect report demo-output/study --out report.html
                  prospect report --map map.tif --model model.json --deposits Rasters/deposits.gpkg \\
                    --targets targets.geojson --validation validation.json --out report.html
                """)

        @Argument(help: "A `prospect run` output folder.")
        var folder: String?
        @Option(help: "The HTML file to write.")
        var out: String
        @Option(help: "The map (without a run folder).")
        var map: String?
        @Option(help: "The model file (without a run folder).")
        var model: String?
        @Option(help: "Deposit points, PATH[:LAYER].")
        var deposits: String?
        @OptionGroup var depositsCRS: DepositsCRS
        @OptionGroup var depositSelection: DepositSelectionArguments
        @Option(help: "Target polygons (prospect targets' output).")
        var targets: String?
        @Option(help: "validation.json (prospect validate --json's report, or a run's).")
        var validation: String?
        @Option(help: "cv.json (prospect cv's report, or a run's).")
        var cv: String?

        func validate() throws {
            if folder == nil, map == nil || model == nil {
                throw ValidationError("give a run output folder, or both --map and --model")
            }
            if folder != nil, map != nil || model != nil {
                throw ValidationError("give a run output folder or --map and --model, not both")
            }
        }

        func run() throws {
            try runReportingErrors {
                var inputs: ReportInputs
                if let folder {
                    inputs = try ReportInputs.runFolder(folder)
                } else {
                    inputs = ReportInputs(mapPath: map!, modelPath: model!)
                }
                if let deposits { inputs.deposits = VectorSource(argument: deposits) }
                if depositsCRS.assumeCRS != nil { inputs.depositsCRS = depositsCRS.assumeCRS }
                if depositSelection.filter != nil || depositSelection.idField != nil {
                    inputs.depositSelection = depositSelection.selection
                }
                if let targets { inputs.targetsPath = targets }
                if let validation { inputs.validationPath = validation }
                if let cv { inputs.cvPath = cv }
                inputs.command = (["prospect"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
                var paths = OutputGuard()
                paths.input(inputs.mapPath, "the map")
                paths.input(inputs.modelPath, "the model")
                for (path, role) in [
                    (inputs.targetsPath, "the targets"), (inputs.validationPath, "the validation"), (inputs.cvPath, "the cross-validation"),
                    (inputs.deposits?.path, "the deposits"), (inputs.logPath, "the run's log"),
                ] {
                    if let path { paths.input(path, role) }
                }
                paths.output(out, "--out", format: .html)
                try paths.claim()
                let leaflet = try LeafletAssets.load()
                let summary = try Report.write(inputs, to: out, leaflet: leaflet)
                print(
                    "\(out): \(summary.bytes) bytes, \(summary.charts) charts, sections \(summary.sections.joined(separator: ", ")) (\(String(format: "%.2f", summary.seconds)) s)"
                )
            }
        }
    }
}
