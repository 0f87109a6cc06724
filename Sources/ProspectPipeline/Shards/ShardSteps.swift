import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

/// One step of a sharded study (`prospect shard PLAN --step prepare|train|score`).
///
/// Each step is idempotent: it first reads its done-marker (`ShardRecord`), and when the
/// marker is for this plan and every output it names is there with the same size and
/// checksum, the step is skipped. Otherwise the marker is removed, the step runs (its outputs
/// replaced, each written under a temporary name) and the marker is written last. A step
/// refuses to start, naming the shard, while a step it needs has not finished.
///
/// Layout under the plan's folder: `shards/NNNN/stack/` and `shards/NNNN/prepare.done`
/// (prepare), `stack/` (the mosaic of the shards' stacks), `model.json`, `weights.csv` and
/// `train.done` (train), `shards/NNNN/prospectivity.tif` and `shards/NNNN/score.done` (score).
public enum ShardSteps {
    /// What a step did.
    public struct Outcome: Sendable {
        /// True when the step had finished before and was skipped.
        public var skipped: Bool
        public var seconds: Double
    }

    static let trainMarker = "train.done"

    /// Prepares one shard (`given`, else the index its array job sets: `ShardIndex`): the
    /// study's layers on its window, in `shards/NNNN/stack/`.
    public static func prepare(planPath: String, index given: Int?, threads: Int, log: (String) -> Void = { _ in }) throws -> Outcome {
        let (plan, sum) = try ShardPlan.load(planPath)
        let index = try ShardIndex.resolve(given: given, shards: plan.shards.count)
        let shard = plan.shards[index]
        let folder = plan.folder(of: shard)
        let marker = folder + "/prepare.done"
        if ShardRecord.read(marker, plan: sum, verify: true) != nil {
            log("shard \(index): prepare finished before (\(shard.folder)/prepare.done checks out); skipped")
            return Outcome(skipped: true, seconds: 0)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        unlink(marker)
        let study = try plan.loadStudy()
        var request = study.prepareRequest(outputDirectory: folder + "/stack")
        request.threads = threads
        let grid = try Preparer.grid(of: request)
        guard grid.hasSameCells(as: plan.grid) else {
            throw PipelineError(planPath, "the study's grid is now \(grid), the plan's \(plan.grid); make the plan again (prospect plan)")
        }
        request.window = PrepareWindow(window: shard.window, wholeGridLayers: plan.wholeGridLayers)
        try OutputFiles.createFolder(folder)
        var lines: [String] = []
        let report = try Preparer.run(request) { line in
            lines.append(line)
            log(line)
        }
        let files = report.manifest.layers.map { "stack/" + $0.path } + ["stack/" + report.manifest.vrt, "stack/" + StackManifest.fileName]
        let seconds = elapsed(since: start)
        let record = ShardRecord(
            step: "prepare", shard: index, plan: sum, tool: ProspectVersion.tool, seconds: seconds,
            outputs: try ShardRecord.outputs(files, in: folder), infiniteCells: report.infiniteCells, log: lines)
        try record.write(to: marker)
        log("shard \(index): prepared \(shard.window) in \(String(format: "%.2f", seconds)) s → \(shard.folder)/stack/")
        return Outcome(skipped: false, seconds: seconds)
    }

    /// Trains the study's model once, over the mosaic of every shard's stack (`stack/`).
    public static func train(planPath: String, threads: Int, log: (String) -> Void = { _ in }) throws -> Outcome {
        let (plan, sum) = try ShardPlan.load(planPath)
        let prepared = try plan.shards.map { try finished(.prepare, shard: $0, plan: plan, planPath: planPath, checksum: sum) }
        let marker = plan.output + "/" + trainMarker
        if ShardRecord.read(marker, plan: sum, verify: true) != nil {
            log("train finished before (train.done checks out); skipped")
            return Outcome(skipped: true, seconds: 0)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        unlink(marker)
        let study = try plan.loadStudy()
        var lines: [String] = []
        func note(_ line: String) {
            lines.append(line)
            log(line)
        }
        let stack = try ShardMerge.mosaicStack(plan: plan, study: study, records: prepared)
        note("prepare: \(study.layers.count) layers on \(plan.shards.count) shards → stack/ (a mosaic of shards/*/stack/)")
        for w in stack.manifest.warnings { note("  warning: \(w)") }

        var (specs, legends) = stack.manifest.layerSpecs(manifestPath: stack.manifestPath)
        for (k, layer) in study.layers.enumerated() { specs[k].transforms = layer.transforms }
        let modelPath = plan.output + "/model.json"
        let weightsPath = study.training.method == .wofe ? plan.output + "/weights.csv" : nil
        note("train: \(study.training.method.rawValue) on \(study.deposits.map(DisplayPath.of) ?? "no deposits (knowledge-driven)")")
        let training = try StudyRunner.namingStudy(study) {
            try Workflows.train(
                layers: specs, deposits: study.deposits, depositsCRS: study.depositsCRS, depositSelection: study.depositSelection,
                options: study.training, modelPath: modelPath, weightsTablePath: weightsPath, legend: legends, created: study.created)
        }
        let t = training.model.training
        if study.deposits != nil {
            note(
                "  \(t.depositsUsed) of \(t.depositsGiven) deposits used (\(t.depositsOutsideGrid) outside the grid, \(t.depositsOnNodata) on nodata, \(t.depositsSharingCell) sharing a cell); training area \(t.validCells) cells"
            )
        } else {
            note("  training area \(t.validCells) cells")
        }
        for line in StudyRunner.overlayLines(training.model) + StudyRunner.treeLines(training.model) { note("  " + line) }
        for w in training.warnings { note("  warning: \(w)") }
        note("  layers by \(training.model.rankingBasis): \(t.layerRanking.joined(separator: " > "))")
        let files =
            stack.files.map { "stack/" + $0 } + ["model.json"] + (weightsPath == nil ? [] : ["weights.csv"])
        let seconds = elapsed(since: start)
        let record = ShardRecord(
            step: "train", shard: nil, plan: sum, tool: ProspectVersion.tool, seconds: seconds,
            outputs: try ShardRecord.outputs(files, in: plan.output), log: lines)
        try record.write(to: marker)
        return Outcome(skipped: false, seconds: seconds)
    }

    /// Scores one shard (`given`, else the array job's index) with the trained model:
    /// `shards/NNNN/prospectivity.tif`, read from the shard's own stack.
    public static func score(planPath: String, index given: Int?, threads: Int, log: (String) -> Void = { _ in }) throws -> Outcome {
        let (plan, sum) = try ShardPlan.load(planPath)
        let index = try ShardIndex.resolve(given: given, shards: plan.shards.count)
        let shard = plan.shards[index]
        let folder = plan.folder(of: shard)
        _ = try finished(.prepare, shard: shard, plan: plan, planPath: planPath, checksum: sum)
        _ = try trained(plan: plan, planPath: planPath, checksum: sum)
        let marker = folder + "/score.done"
        if ShardRecord.read(marker, plan: sum, verify: true) != nil {
            log("shard \(index): score finished before (\(shard.folder)/score.done checks out); skipped")
            return Outcome(skipped: true, seconds: 0)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        unlink(marker)
        let study = try plan.loadStudy()
        let modelPath = plan.output + "/model.json"
        let model = try ModelStore.load(modelPath)
        let manifest = try StackManifest.load(folder + "/stack")
        var overrides: [String: String] = [:]
        for layer in model.layers {
            guard let prepared = manifest.layers.first(where: { $0.name == layer.name }) else {
                throw PipelineError(folder + "/stack/" + StackManifest.fileName, "holds no layer \(layer.name), which the model reads")
            }
            overrides[layer.name] = folder + "/stack/" + prepared.path
        }
        var options = study.score
        options.cog = false
        options.created = study.created
        options.threads = threads
        let report = try Workflows.score(
            modelPath: modelPath, outputPath: folder + "/prospectivity.tif", overrides: overrides, options: options,
            requireDataInEveryLayer: false)
        let seconds = elapsed(since: start)
        let line =
            "shard \(index): \(report.cells) cells (\(report.validCells) with data) in \(String(format: "%.2f", report.seconds)) s → \(shard.folder)/prospectivity.tif"
        log(line)
        for w in report.warnings { log("  warning: \(w)") }
        let record = ShardRecord(
            step: "score", shard: index, plan: sum, tool: ProspectVersion.tool, seconds: seconds,
            outputs: try ShardRecord.outputs(["prospectivity.tif"], in: folder), validCells: report.validCells,
            log: [line] + report.warnings.map { "  warning: \($0)" })
        try record.write(to: marker)
        return Outcome(skipped: false, seconds: seconds)
    }

    /// The done-marker of `step` for `shard`, when it checks out (sizes only).
    /// - Throws: `PipelineError` naming the plan and the shard that has not finished.
    static func finished(_ step: ShardPlan.StepName, shard: ShardPlan.Shard, plan: ShardPlan, planPath: String, checksum: String) throws
        -> ShardRecord
    {
        let marker = "\(shard.folder)/\(step.rawValue).done"
        guard let record = ShardRecord.read(plan.output + "/" + marker, plan: checksum, verify: false) else {
            throw PipelineError(
                planPath,
                "shard \(shard.index) has not finished \(step.rawValue) (no complete \(marker)); run prospect shard \(DisplayPath.of(planPath)) --step \(step.rawValue) --index \(shard.index)"
            )
        }
        return record
    }

    /// The done-marker of the train step, when it checks out (sizes only).
    /// - Throws: `PipelineError` naming the plan when the model is not trained.
    static func trained(plan: ShardPlan, planPath: String, checksum: String) throws -> ShardRecord {
        guard let record = ShardRecord.read(plan.output + "/" + trainMarker, plan: checksum, verify: false) else {
            throw PipelineError(
                planPath,
                "the model has not been trained (no complete \(trainMarker)); run prospect shard \(DisplayPath.of(planPath)) --step train")
        }
        return record
    }

    static func elapsed(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
