import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run train → score → targets → validate → cv on the bundled demo region (Rasters/).",
            discussion: """
                The demo region is synthetic: a rare-earth province in Odisha, India (UTM 45N), whose deposits were drawn from a hidden mineral-system model (Rasters/truth.json). It reports the map's fit on the deposits that trained it and, by cross-validation in spatial blocks (prospect cv at its defaults), how it predicts deposits it never saw.

                Example:
                  prospect demo --out demo-output
                  prospect demo --method logistic --json
                """)

        @Option(help: "Folder for the outputs (model, map, targets, weights table).")
        var out: String = "demo-output"
        @Option(help: "Folder holding the demo rasters (default: ./Rasters or the package's Rasters/).")
        var data: String?
        @Option(help: "Method: wofe or logistic.")
        var method: TrainingOptions.Method = .wofe
        @OptionGroup var workers: WorkerThreads
        @OptionGroup var stamp: CreatedTime
        @Flag(name: .customLong("no-cv"), help: "Skip the cross-validation: only the fit is reported.")
        var noCV = false
        @Flag(help: "Print the summary as JSON.")
        var json = false

        func validate() throws {
            guard !method.isKnowledgeDriven else {
                throw ValidationError(
                    "the demo trains wofe or logistic; for a fuzzy overlay of the demo region run: prospect run Rasters/demo-fuzzy.yaml")
            }
            var options = ScoreOptions()
            if let threads = workers.threads { options.threads = threads }
            try checkOptions { () throws(OptionError) in try options.validate() }
            try stamp.validate()
        }

        func run() throws {
            try runReportingErrors {
                guard let rasters = data ?? DemoRegion.locate() else {
                    throw PipelineError("Rasters", "demo data not found; run from the project folder or pass --data")
                }
                let s = try DemoRegion.run(
                    rasters: rasters, output: out, method: method, threads: workers.threads, created: try stamp.time(),
                    crossValidate: !noCV)
                for w in s.warnings { FileHandle.standardError.write("prospect: warning: \(w)\n".data(using: .utf8)!) }
                if json {
                    try printJSON(s)
                    return
                }
                print("Prospect demo: synthetic REE province, Odisha (EPSG:32645), \(s.method)")
                print("  layers by strength of evidence: \(s.layerRanking.joined(separator: " > "))")
                if let t = s.trueLayers { print("  hidden model's true layers:     \(t.joined(separator: ", "))") }
                print(
                    "  fit, on the \(s.depositsUsed) training deposit cells: ROC AUC \(format(s.auc, 3)); \(format(s.capturedAtTenPercent, 1)) % of them in the top 10 % of the area"
                )
                if let h = s.heldOutAUC {
                    print(
                        "  held out by training (\(s.holdoutScheme ?? "random")): ROC AUC \(format(h, 3)) on deposits the model never saw")
                }
                if let cv = s.crossValidation {
                    print("  prediction, \(cv.headline)")
                } else {
                    print("  prediction: not measured (--no-cv); the fit above over-rates it")
                }
                print("  scoring took \(format(s.scoreSeconds, 3)) s")
                print("  top targets:")
                var table = [["rank", "expected", "max", "area km²", "known", "lon", "lat", "main evidence"]]
                for t in s.targets.prefix(5) {
                    table.append([
                        String(t.rank), t.expectedDeposits.map { format($0, 1) } ?? "–", format(t.maxScore), format(t.areaKm2, 3),
                        t.knownDeposits.map(String.init) ?? "–", format(t.labelLon, 5), format(t.labelLat, 5),
                        t.topLayers.joined(separator: ", "),
                    ])
                }
                print(Reports.table(table).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                for t in s.targets.prefix(5) where !t.explanation.isEmpty { print("    \(t.rank). \(t.explanation)") }
                print(
                    "    expected: deposits the map expects inside the target; known: training deposits inside it; lon, lat: a point inside it"
                )
                print("  outputs in \(s.output)/")
            }
        }
    }

    struct GenerateDemo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-demo",
            abstract: "Regenerate the synthetic demo region (deterministic for a seed).",
            discussion: """
                Example:
                  prospect generate-demo --out Rasters
                """)
        @Option(help: "Output folder.") var out: String = "Rasters"
        @Option(help: "Columns and rows.") var size: Int = 512
        @Option(name: .customLong("cell-size"), help: "Cell size in metres.") var cellSize: Double = 50
        @Option(help: "Seed.") var seed: UInt64 = 2026

        func validate() throws {
            guard size >= 64 else { throw ValidationError("--size must be at least 64") }
            guard cellSize > 0 else { throw ValidationError("--cell-size must be positive") }
        }

        func run() throws {
            try runReportingErrors {
                let p = try DemoRegion.write(to: out, columns: size, rows: size, cellSize: cellSize, seed: seed)
                print(
                    "wrote \(p.layers.count + 1) rasters (\(size) × \(size) cells of \(cellSize) m), \(p.faults.count) faults and \(p.deposits.count) deposits to \(out)/"
                )
            }
        }
    }
}
