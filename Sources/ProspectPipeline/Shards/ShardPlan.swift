import Foundation
import ProspectCore

/// A study cut into tiles of its grid (`prospect plan`): the grid, each shard's window, what
/// each layer needs beyond a window, and the steps that run it (`plan.json`).
///
/// The steps: `prepare` (one task per shard: the study's layers on the shard's window),
/// `train` (once, over a mosaic of the shards' stacks), `score` (one task per shard, with the
/// trained model) and `merge` (the map put together, then targets, validation and
/// cross-validation on it). Each task records its outputs in a done-marker (`ShardRecord`)
/// written last; `ShardSteps` and `ShardMerge` run them.
///
/// JSON; paths are absolute.
public struct ShardPlan: Codable, Sendable {
    public static let formatName = "prospect-shard-plan"
    public static let currentVersion = 1
    public static let fileName = "plan.json"

    /// One tile of the grid.
    public struct Shard: Codable, Sendable, Equatable {
        public var index: Int
        /// Its cells, in cells of the whole grid.
        public var window: Window
        /// Its folder, relative to the plan's (`shards/0003`).
        public var folder: String
    }

    /// What a layer needs beyond a shard's window, and how a shard computes it.
    public struct LayerReach: Codable, Sendable, Equatable {
        public var name: String
        /// raster, categorical, distance, density, rasterize or inside (the study file's key).
        public var kind: String
        /// `window` (computed on the shard's window alone) or `whole grid` (warped over the
        /// whole grid by each shard, which keeps its window).
        public var extent: String
        /// The search radius of a density layer, in grid units: the features within it of a
        /// window's cells shape them (every shard reads every feature).
        public var radius: Double?
        /// Why, in words.
        public var note: String
    }

    /// One step of the chain, as the job files run it.
    public struct Step: Codable, Sendable, Equatable {
        /// prepare, train, score or merge.
        public var name: String
        /// Tasks: the shard count for the array steps, else 1.
        public var tasks: Int
        /// The command (an array task's index comes from the scheduler's variable).
        public var command: [String]
        /// The step it waits for.
        public var after: String?
    }

    public var format: String
    public var formatVersion: Int
    public var tool: String
    /// The study file and its FNV-1a checksum when the plan was made.
    public var study: String
    public var studyChecksum: String
    public var studyName: String
    /// The folder everything is written under (the plan's own).
    public var output: String
    /// The time every output is stamped with (ISO 8601).
    public var created: String
    public var grid: Grid
    /// Shards across and down the grid, in row-major order.
    public var across: Int
    public var down: Int
    /// Cells beyond its window that a shard computes and discards: none, as `layers` says why.
    public var haloCells: Int
    public var layers: [LayerReach]
    /// The layers each shard warps over the whole grid.
    public var wholeGridLayers: [String]
    public var shards: [Shard]
    public var steps: [Step]
    /// Threads each job runs with.
    public var threads: Int

    /// The step names, in order.
    public enum StepName: String, CaseIterable, Sendable {
        case prepare, train, score, merge
    }

    /// The folder of the plan file.
    public var folder: String { output }

    /// The creation time every step stamps its outputs with.
    var creationTime: CreationTime {
        // Checked when the plan is read.
        (try? CreationTime(parsing: created)) ?? .now
    }

    /// The shard folder's absolute path.
    func folder(of shard: Shard) -> String { output + "/" + shard.folder }

    /// The shard folder name for index `i` of `count` shards: four digits or more.
    static func folderName(_ i: Int, of count: Int) -> String {
        let digits = max(4, String(count - 1).count)
        let text = String(i)
        return "shards/" + String(repeating: "0", count: digits - text.count) + text
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a plan and checks it: its format, its windows (inside the grid, covering it once),
    /// its creation time, and that the study file has not changed since.
    /// - Returns: the plan and the checksum of the plan file (what done-markers record).
    /// - Throws: `PipelineError` naming the plan file.
    public static func load(_ path: String) throws -> (plan: ShardPlan, checksum: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let decoder = JSONDecoder()
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        guard let header = try? decoder.decode(Header.self, from: data), header.format == formatName else {
            throw PipelineError(path, "not a Prospect shard plan (missing \"format\": \"\(formatName)\"); make one with prospect plan")
        }
        guard let version = header.formatVersion, version <= currentVersion else {
            throw PipelineError(
                path,
                "shard plan format version \(header.formatVersion ?? 0) is newer than this prospect reads (\(currentVersion)); upgrade prospect"
            )
        }
        let plan: ShardPlan
        do { plan = try decoder.decode(ShardPlan.self, from: data) } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try decoder.decode(ShardPlan.self, from: $0) }
            throw PipelineError(path, "malformed shard plan: \(problem)")
        }
        try plan.check(path: path)
        let checksum = data.withUnsafeBytes { FileChecksum.fnv1a64($0) }
        return (plan, String(checksum, radix: 16))
    }

    /// The checks of `load` after decoding.
    func check(path: String) throws {
        guard (try? CreationTime(parsing: created)) != nil else {
            throw PipelineError(path, "created: \(Echo.short(created)) is not a time")
        }
        guard !shards.isEmpty, shards.count == across * down, shards.indices.allSatisfy({ shards[$0].index == $0 }) else {
            throw PipelineError(path, "the shards are not numbered 0 to \(across * down - 1) (\(across) across × \(down) down)")
        }
        var covered = 0
        for s in shards {
            guard s.window.cellCount > 0, s.window.intersection(grid.full) == s.window else {
                throw PipelineError(
                    path, "shard \(s.index)'s window \(s.window) is not inside the grid (\(grid.columns) × \(grid.rows) cells)")
            }
            covered += s.window.cellCount
        }
        for (i, a) in shards.enumerated() {
            for b in shards[(i + 1)...] where a.window.intersection(b.window) != nil {
                throw PipelineError(path, "shards \(a.index) and \(b.index) overlap")
            }
        }
        guard covered == grid.cellCount else {
            throw PipelineError(path, "the shards cover \(covered) of the grid's \(grid.cellCount) cells")
        }
        guard let (_, sum) = FileChecksum.fnv1a64(study) else {
            throw PipelineError(path, "its study file \(study) cannot be read")
        }
        guard sum == studyChecksum else {
            throw PipelineError(
                path, "the study file \(DisplayPath.of(study)) changed since the plan was made; make the plan again (prospect plan)")
        }
    }

    /// The study as the plan runs it: read from its file, writing under the plan's folder, with
    /// the plan's creation time.
    func loadStudy() throws -> StudyFile {
        var study = try StudyFile.load(self.study)
        study.output = output
        study.created = creationTime
        return study
    }
}

/// Which shard a task runs: `--index`, or the array index its scheduler sets.
public enum ShardIndex {
    /// The variables read, in order: Slurm, Kubernetes Indexed Jobs, PBS, AWS Batch.
    public static let variables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "PBS_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"]

    /// The shard index: `given`, else the first of `variables` that is set.
    /// - Throws: `OptionError` naming `--index` (or the variable) when none is set, or when
    ///   the value is not a shard of the plan.
    public static func resolve(
        given: Int?, shards: Int, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(OptionError) -> Int {
        let index: Int
        let source: String
        if let given {
            index = given
            source = "--index"
        } else if let name = variables.first(where: { !(environment[$0] ?? "").isEmpty }), let text = environment[name] {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw OptionError(.shardIndex, "\(name) is \(Echo.short(text)), not a whole number")
            }
            index = value
            source = name
        } else {
            throw OptionError(
                .shardIndex, "give --index I, or run the step as an array task (\(variables.joined(separator: ", ")) is not set)")
        }
        guard (0..<shards).contains(index) else {
            throw OptionError(.shardIndex, "\(source) is \(index); the plan has shards 0 to \(shards - 1)")
        }
        return index
    }
}
