import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a study file: prepare → train → score → targets → validate.",
            discussion: """
                A study file (YAML) declares the grid, the layers (sources, kinds, transforms), the deposits, the model and the outputs; paths in it are relative to its folder. Everything is written under its output folder: stack/ (the prepared layers), model.json, weights.csv, prospectivity.tif, targets.geojson, tiles.geojson, validation.json (the fit: the map against the deposits that trained it), cv.json (with validation: {cv: …}: cross-validation, deposits each model never saw; see prospect cv), report.html (one self-contained page of all of it, see prospect report; outputs: {report: false} leaves it out) and run.log, which is written last. Unknown keys are errors, so a typo cannot silently drop a setting. Rasters/demo.yaml is a complete example.

                Example:
                  prospect run Rasters/demo.yaml
                """)

        @Argument(help: "The study file (YAML).")
        var study: String
        @Option(help: "Write under this folder instead of the study's output.")
        var out: String?
        @OptionGroup var stamp: CreatedTime
        @Flag(help: "Print a summary as JSON.")
        var json = false
        @OptionGroup var reporting: ProgressReporting

        func validate() throws { try stamp.validate() }

        func run() throws {
            try runReportingErrors(reporting) {
                var file = try StudyFile.load(study)
                if let out { file.output = URL(fileURLWithPath: out).standardizedFileURL.path }
                file.created = try stamp.time(study: file.created)
                let report = try ProgressStream.shared.step("run", parts: StudyRunner.steps(of: file).count) {
                    try StudyRunner.run(file) { line in if !json { print(line) } }
                }
                if json {
                    struct Summary: Encodable {
                        var study: String
                        var output: String
                        var layers: [String]
                        var method: String
                        var depositsUsed: Int
                        var layerRanking: [String]
                        /// The map's AUC on the deposits that trained it (the fit).
                        var auc: Double?
                        /// Cross-validated: pooled out-of-fold, and the mean over folds.
                        var cvAUC: Double?
                        var cvMeanAUC: Double?
                        var targets: Int
                        var files: [String]
                    }
                    try printJSON(
                        Summary(
                            study: report.study, output: report.output, layers: report.stack.layers.map(\.name),
                            method: report.training.model.method, depositsUsed: report.training.model.training.depositsUsed,
                            layerRanking: report.training.model.training.layerRanking, auc: report.validation?.auc,
                            cvAUC: report.crossValidation?.pooledAUC, cvMeanAUC: report.crossValidation?.meanAUC,
                            targets: report.targets.targets.count, files: report.files))
                } else {
                    print("written under \(DisplayPath.of(report.output)): \(report.files.joined(separator: ", "))")
                }
            }
        }
    }
}
