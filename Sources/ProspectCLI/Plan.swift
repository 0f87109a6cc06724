import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ProspectCommand {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cut a study into shards (tiles of its grid) and write the job files that run them.",
            discussion: """
                Writes plan.json (the grid, each shard's window, what each layer needs beyond a window, the steps) and the job files into the --out folder: slurm.sh (bash slurm.sh submits the prepare array, training, the score array and the merge with sbatch, each waiting for the last), k8s-job.yaml (Kubernetes Jobs, the array steps Indexed) with k8s.sh (applies them and releases each in turn), and local.sh (the same steps on this machine, -j at a time). The merged outputs equal those of prospect run on the same study, cell for cell. Every input is opened first; nothing is prepared.

                Example:
                  prospect plan Rasters/demo.yaml --out demo-shards --shards 4
                  bash demo-shards/local.sh -j 2
                """)

        @Argument(help: "The study file (YAML).")
        var study: String
        @Option(help: "The folder of the plan and of everything the study writes.")
        var out: String
        @Option(help: "How many shards: tiles of the grid, as near square as the count allows.")
        var shards: Int
        @Option(help: "Threads (cores) each job runs with: Slurm's --cpus-per-task, the Kubernetes cpu request.")
        var threads: Int = 2
        @Option(help: "The prospect the Slurm and local scripts run (default: this one).")
        var prospect: String?
        @Option(help: "The container image of the Kubernetes Jobs, with prospect on its PATH.")
        var image = "prospect:\(ProspectVersion.string)"
        @Option(help: "The persistent volume claim the Kubernetes Jobs mount, holding the plan folder, the study and its inputs.")
        var volumeClaim = "prospect-data"
        @OptionGroup var stamp: CreatedTime

        func validate() throws {
            try stamp.validate()
            try checkOptions { () throws(OptionError) in
                guard shards >= 1 else { throw OptionError(.shardCount, "give at least 1 shard, got \(shards)") }
                guard threads >= 1 else { throw OptionError(.shardThreads, "give at least 1, got \(threads)") }
            }
        }

        func run() throws {
            try runReportingErrors {
                let file = try StudyFile.load(study)
                var request = ShardPlanRequest(study: file, output: out, shards: shards)
                request.threads = threads
                request.created = try stamp.time(study: file.created)
                request.executable = prospect.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? Self.executable()
                request.image = image
                request.volumeClaim = volumeClaim
                let plan = try ShardPlanner.plan(request)
                try ShardPlanner.write(plan, request: request)
                let w = plan.shards[0].window
                print(
                    "plan: \(plan.grid.columns) × \(plan.grid.rows) cells in \(plan.shards.count) shard\(plan.shards.count == 1 ? "" : "s") (\(plan.across) across × \(plan.down) down, the first \(w.columns) × \(w.rows) cells) → \(DisplayPath.of(plan.output))/plan.json"
                )
                for layer in plan.layers where layer.extent != "window" { print("  \(layer.name): \(layer.note)") }
                let folder = DisplayPath.of(plan.output)
                print("run it: bash \(folder)/local.sh [-j JOBS], bash \(folder)/slurm.sh, or bash \(folder)/k8s.sh")
            }
        }

        /// This executable's absolute path, for the job files.
        static func executable() -> String {
            let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            if link != "/proc/self/exe" { return link }
            return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        }
    }

    struct Shard: ParsableCommand {
        enum Step: String, ExpressibleByArgument, CaseIterable { case prepare, train, score }

        static let configuration = CommandConfiguration(
            abstract: "Run one step of a sharded study: prepare or score a shard, or train the model.",
            discussion: """
                prepare and score take the shard from --index, else from the array index the scheduler sets (\(ShardIndex.variables.joined(separator: ", "))); train runs once, over a mosaic of every shard's stack. A step whose done-marker (written last, with the size and checksum of each output) checks out is skipped; a half-written one is redone. A step refuses to start, naming the shard, while a step it needs has not finished.

                Example:
                  prospect shard demo-shards/plan.json --step prepare --index 0
                  prospect shard demo-shards/plan.json --step train
                """)

        @Argument(help: "The plan (plan.json) that prospect plan wrote.")
        var plan: String
        @Option(help: "The step: \(Step.allCases.map(\.rawValue).joined(separator: ", ")).")
        var step: Step
        @Option(help: "The shard (prepare, score); default: the scheduler's array index.")
        var index: Int?
        @OptionGroup var workers: WorkerThreads

        func validate() throws {
            try checkOptions { () throws(OptionError) in
                if let threads = workers.threads, threads < 1 { throw OptionError(.shardThreads, "give at least 1, got \(threads)") }
                if step == .train, index != nil { throw OptionError(.shardIndex, "train runs once over every shard; give no --index") }
            }
        }

        func run() throws {
            try runReportingErrors {
                let threads = workers.threads ?? ProcessInfoCores.active
                switch step {
                case .prepare: _ = try ShardSteps.prepare(planPath: plan, index: index, threads: threads) { print($0) }
                case .train: _ = try ShardSteps.train(planPath: plan, threads: threads) { print($0) }
                case .score: _ = try ShardSteps.score(planPath: plan, index: index, threads: threads) { print($0) }
                }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a sharded study together: the map, targets, validation and the other outputs of prospect run.",
            discussion: """
                Once every shard is scored: prospectivity.tif (a COG put together from the shards' maps), targets.geojson and tiles.geojson, validation.json, cv.json when the study asks for it, and run.log, written last. Refuses, naming the shard, while one has not finished.

                Example:
                  prospect merge demo-shards/plan.json
                """)

        @Argument(help: "The plan (plan.json) that prospect plan wrote.")
        var plan: String
        @OptionGroup var workers: WorkerThreads

        func validate() throws {
            try checkOptions { () throws(OptionError) in
                if let threads = workers.threads, threads < 1 { throw OptionError(.shardThreads, "give at least 1, got \(threads)") }
            }
        }

        func run() throws {
            try runReportingErrors {
                let report = try ShardMerge.merge(planPath: plan, threads: workers.threads ?? ProcessInfoCores.active) { print($0) }
                print("written under \(DisplayPath.of(report.output)): \(report.files.joined(separator: ", "))")
            }
        }
    }
}
