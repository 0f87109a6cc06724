import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

/// `prospect bench --training`: training from files with all threads and one.
enum TrainingBenchText {
    static func run(size: Int, layers: Int, workDir: String, repetitions: Int, json: Bool) throws {
        let threads = ProcessInfoCores.active
        let studies: [(TrainingBenchStudy, TrainingOptions.Method)] = [(.large, .logistic), (.large, .wofe), (.wide, .logistic)]
        let report = try Benchmark.trainingThroughput(
            studies: studies, directory: workDir, size: size, layers: layers, threadCounts: threads > 1 ? [threads, 1] : [1],
            repetitions: repetitions, log: { if !json { FileHandle.standardError.write("\($0)\n".data(using: .utf8)!) } })
        if json {
            try printJSON(report)
            return
        }
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
