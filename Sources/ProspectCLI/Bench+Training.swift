import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

/// `prospect bench --training`: training from files with all threads and one.
enum TrainingBenchText {
    /// What `--training --json` prints.
    struct Report: Encodable {
        var files: TrainingBenchReport?
        var fit: LogisticFitBenchReport
    }

    static func run(size: Int, layers: Int, workDir: String, repetitions: Int, skipFiles: Bool, json: Bool) throws {
        let threads = ProcessInfoCores.active
        let counts = threads > 1 ? [threads, 1] : [1]
        let log = { (line: String) in if !json { FileHandle.standardError.write("\(line)\n".data(using: .utf8)!) } }
        var files: TrainingBenchReport?
        if !skipFiles {
            let studies: [(TrainingBenchStudy, TrainingOptions.Method)] = [(.large, .logistic), (.large, .wofe), (.wide, .logistic)]
            files = try Benchmark.trainingThroughput(
                studies: studies, directory: workDir, size: size, layers: layers, threadCounts: counts, repetitions: repetitions, log: log)
        }
        log("logistic fit in memory on the large study's sample …")
        let fit = try Benchmark.logisticFitThroughput(
            directory: workDir, size: size, layers: layers, threadCounts: counts, repetitions: max(3, repetitions))
        if json {
            try printJSON(Report(files: files, fit: fit))
            return
        }
        print(
            "logistic fit in memory (design + Newton): \(fit.rows) rows (\(fit.deposits) deposit cells) × \(fit.layers) layers, L2 \(fit.l2); sample written to \(fit.samplePath)"
        )
        var t = [["path", "threads", "best s", "runs s", "iterations", "same fit"]]
        for r in fit.runs {
            t.append([
                r.path, String(r.threads), format(r.seconds.min() ?? .nan, 3), r.seconds.map { format($0, 3) }.joined(separator: ", "),
                String(r.iterations), r.sameFit ? "yes" : "NO",
            ])
        }
        print(Reports.table(t))
        guard let report = files else { return }
        print(
            "training from files (\(report.machine)): large = \(layers) float32 layers of \(size)², wide = 15 layers of 800 × 500 (10 continuous, 5 of 29 classes)"
        )
        var table = [
            [
                "study", "method", "threads", "best s", "runs s", "vs 1 thread", "same model", "cells", "deposits", "background",
                "parameters", "iterations",
            ]
        ]
        for r in report.runs {
            let best = r.seconds.min() ?? .nan
            let one = report.runs.first { $0.study == r.study && $0.method == r.method && $0.threads == 1 }?.seconds.min()
            table.append([
                r.study, r.method, String(r.threads), format(best, 2), r.seconds.map { format($0, 2) }.joined(separator: ", "),
                one.map { format($0 / best, 2) + "×" } ?? "", r.sameModel ? "yes" : "NO", String(r.trainingCells), String(r.depositCells),
                r.backgroundCells.map(String.init) ?? "", r.parameters.map(String.init) ?? "", r.iterations.map(String.init) ?? "",
            ])
        }
        print(Reports.table(table), terminator: "")
    }
}
