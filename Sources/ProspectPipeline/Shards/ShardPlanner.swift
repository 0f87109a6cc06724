import Foundation
import ProspectCore
import ProspectGDAL

/// What `prospect plan` is asked for.
public struct ShardPlanRequest: Sendable {
    public var study: StudyFile
    /// The plan's folder: everything is written under it.
    public var output: String
    public var shards: Int
    /// Threads (cores) each job runs with.
    public var threads: Int = 2
    /// The time every output is stamped with; nil: now.
    public var created: CreationTime?
    /// The `prospect` the Slurm and local scripts run (an absolute path).
    public var executable: String = "prospect"
    /// The container image the Kubernetes Jobs run (with `prospect` on its PATH).
    public var image: String = "prospect:\(ProspectVersion.string)"
    /// The persistent volume claim holding the plan folder, the study and its inputs.
    public var volumeClaim: String = "prospect-data"

    public init(study: StudyFile, output: String, shards: Int) {
        self.study = study
        self.output = output
        self.shards = shards
    }
}

/// Makes a shard plan and its job files (`prospect plan`).
public enum ShardPlanner {
    /// The files `write` puts in the plan's folder.
    public static let files = [ShardPlan.fileName, "slurm.sh", "k8s-job.yaml", "k8s.sh", "local.sh"]

    /// Plans the study in `request.shards` tiles and writes the plan and its job files.
    ///
    /// Every input is opened first (`StudyFile.checkInputs`) and the grid is made as `prepare`
    /// makes it; nothing is prepared. A cross-validation block size the grid cannot hold is
    /// refused here, before any job is submitted.
    /// - Returns: the plan.
    /// - Throws: `OptionError` for a shard count the grid cannot hold; `PipelineError` naming
    ///   the study or an input; nothing is written then.
    public static func plan(_ request: ShardPlanRequest) throws -> ShardPlan {
        let study = request.study
        try Check.count(request.threads, .shardThreads, atLeast: 1)
        try study.checkInputs()
        let out = URL(fileURLWithPath: request.output).standardizedFileURL.path
        var inFolder = study
        inFolder.output = out
        var paths = StudyRunner.paths(of: inFolder)
        for file in files { paths.output(out + "/" + file, "--out") }
        try paths.check()

        let grid = try Preparer.grid(of: study.prepareRequest(outputDirectory: out + "/stack"))
        if let cv = study.crossValidation, let km = cv.blockKm {
            let cellKm = try CellArea.km2(of: grid, file: study.path).area.squareRoot()
            _ = try StudyRunner.namingStudy(study) {
                try SpatialBlocks.choose(km: km, option: .blockKm, grid: grid, cellKm: cellKm, depositCells: [], minimumBlocks: cv.folds)
            }
        }
        let (across, down, windows) = try ShardLayout.tiles(of: grid, count: request.shards)
        let layers = try reach(of: study, grid: grid)
        guard let (_, studySum) = FileChecksum.fnv1a64(study.path) else { throw PipelineError(study.path, "cannot be read") }
        let planPath = out + "/" + ShardPlan.fileName
        let threads = ["--threads", String(request.threads)]
        let steps = [
            ShardPlan.Step(
                name: "prepare", tasks: windows.count,
                command: [request.executable, "shard", planPath, "--step", "prepare"] + threads, after: nil),
            ShardPlan.Step(
                name: "train", tasks: 1, command: [request.executable, "shard", planPath, "--step", "train"] + threads, after: "prepare"),
            ShardPlan.Step(
                name: "score", tasks: windows.count, command: [request.executable, "shard", planPath, "--step", "score"] + threads,
                after: "train"),
            ShardPlan.Step(name: "merge", tasks: 1, command: [request.executable, "merge", planPath] + threads, after: "score"),
        ]
        return ShardPlan(
            format: ShardPlan.formatName, formatVersion: ShardPlan.currentVersion, tool: ProspectVersion.tool,
            study: URL(fileURLWithPath: study.path).standardizedFileURL.path, studyChecksum: studySum, studyName: study.name,
            output: out, created: (request.created ?? .now).iso8601, grid: grid, across: across, down: down, haloCells: 0,
            layers: layers, wholeGridLayers: layers.filter { $0.extent == "whole grid" }.map(\.name),
            shards: windows.enumerated().map {
                ShardPlan.Shard(index: $0.offset, window: $0.element, folder: ShardPlan.folderName($0.offset, of: windows.count))
            },
            steps: steps, threads: request.threads)
    }

    /// Writes `plan.json` and the job files (`slurm.sh`, `k8s-job.yaml`, `k8s.sh`, `local.sh`)
    /// into the plan's folder, making it when needed.
    public static func write(_ plan: ShardPlan, request: ShardPlanRequest) throws {
        try OutputFiles.createFolder(plan.output)
        let jobs = ShardJobs(plan: plan, image: request.image, volumeClaim: request.volumeClaim)
        try Reports.writeText(String(decoding: try plan.encoded(), as: UTF8.self) + "\n", to: plan.output + "/" + ShardPlan.fileName)
        try Reports.writeText(jobs.slurm(), to: plan.output + "/slurm.sh")
        try Reports.writeText(try jobs.kubernetes(), to: plan.output + "/k8s-job.yaml")
        try Reports.writeText(jobs.kubernetesScript(), to: plan.output + "/k8s.sh")
        try Reports.writeText(jobs.local(), to: plan.output + "/local.sh")
        for script in ["slurm.sh", "k8s.sh", "local.sh"] { chmod(plan.output + "/" + script, 0o755) }
    }

    /// What each layer needs beyond a shard's window, from what `prepare` computes (see
    /// `PrepareWindow`).
    static func reach(of study: StudyFile, grid: Grid) throws -> [ShardPlan.LayerReach] {
        let gridCRS = try SpatialReference(wkt: grid.crsWKT)
        return try study.layers.map { layer in
            switch layer.source {
            case .raster(let path, let kind, _):
                let key = kind == .categorical ? "categorical" : "raster"
                if let why = try reprojection(path, assumed: layer.assumedCRS ?? study.assumedCRS, gridCRS: gridCRS) {
                    return .init(
                        name: layer.name, kind: key, extent: "whole grid", radius: nil,
                        note:
                            "\(why): GDAL's approximate transformer interpolates positions between points spaced over the warped extent, so each shard warps the whole grid and keeps its window (reproject the raster onto the grid's CRS first to shard it)"
                    )
                }
                return .init(
                    name: layer.name, kind: key, extent: "window", radius: nil,
                    note: "warped in the grid's CRS: each cell from the source cells around it, which GDAL reads beyond the window")
            case .distance:
                return .init(
                    name: layer.name, kind: "distance", extent: "window", radius: nil,
                    note:
                        "exact distance to the nearest feature, which may lie anywhere (beyond the grid too): every shard reads every feature, no cell beyond its window"
                )
            case .density(_, let radius):
                return .init(
                    name: layer.name, kind: "density", extent: "window", radius: radius,
                    note: "features within the radius of each cell centre: every shard reads every feature, no cell beyond its window")
            case .rasterize(_, let field):
                return .init(
                    name: layer.name, kind: field == nil ? "inside" : "rasterize", extent: "window", radius: nil,
                    note: "each cell by its centre")
            }
        }
    }

    /// Why a raster is reprojected onto the grid (its CRS, or no geotransform); nil when it
    /// is in the grid's CRS.
    static func reprojection(_ path: String, assumed: String?, gridCRS: SpatialReference) throws -> String? {
        let ds = try RasterDataset.open(path)
        guard ds.hasGeoTransform else { return "placed by ground control points" }
        let crs = try ds.spatialReference ?? assumed.map { try SpatialReference(userInput: $0) }
        guard let crs else { return nil }  // prepare refuses it
        return crs.isSame(gridCRS) ? nil : "reprojected from \(crs.label)"
    }
}
