import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

/// What `prospect merge` produced.
public struct MergeReport: Sendable {
    public var output: String
    public var targets: TargetReport
    public var validation: ValidationReport?
    public var crossValidation: CrossValidationReport?
    /// Every file written by the study, relative to the plan's folder.
    public var files: [String]
}

/// Puts a sharded study back together: the shards' stacks as one stack of mosaics (before
/// training) and the shards' maps as one map, then the outputs `prospect run` writes from it.
///
/// The mosaics are VRTs reading each shard's tile cell for cell (`MosaicVRT`), so the stack
/// the model trains on, and the map the targets and validation read, hold the values of one
/// run over the whole grid; targets, validation and cross-validation are then computed as
/// `StudyRunner` computes them, on the whole map.
public enum ShardMerge {
    /// The mosaic of the shards' stacks: its manifest and the files written, relative to `stack/`.
    struct Stack {
        var manifest: StackManifest
        var manifestPath: String
        var files: [String]
    }

    /// Writes `stack/` under the plan's folder: a VRT per layer mosaicking the shards' tiles,
    /// `stack.vrt` with every layer, and `stack.json` (last): the shards' cells, statistics and
    /// legends summed, the checks and warnings of `prepare` made over the whole grid.
    /// - Throws: `PipelineError` as `prepare` over the whole grid (a layer with no data, a study
    ///   area outside the grid), or naming a shard's manifest that does not match the others.
    static func mosaicStack(plan: ShardPlan, study: StudyFile, records: [ShardRecord]) throws -> Stack {
        let folder = plan.output + "/stack"
        let request = study.prepareRequest(outputDirectory: folder)
        let manifests = try plan.shards.map { try StackManifest.load(plan.folder(of: $0) + "/stack") }
        let names = request.inputs.map(\.name)
        for (shard, manifest) in zip(plan.shards, manifests) where manifest.layers.map(\.name) != names {
            throw PipelineError(
                plan.folder(of: shard) + "/stack/" + StackManifest.fileName,
                "holds the layers \(manifest.layers.map(\.name).joined(separator: ", ")), not the study's \(names.joined(separator: ", ")); prepare the shard again"
            )
        }
        let grid = plan.grid
        let studyAreaCells = manifests.map(\.studyAreaCells).reduce(0, +)
        if let area = request.studyArea, studyAreaCells == 0 { throw Context.outsideGrid(area, grid: grid) }
        var warnings: [String] = []
        for manifest in manifests { for w in manifest.warnings where !warnings.contains(w) { warnings.append(w) } }
        var layers: [StackManifest.Layer] = []
        for (k, input) in request.inputs.enumerated() {
            var layer = manifests[0].layers[k]
            layer.path = input.name + ".vrt"
            layer.validCells = manifests.map { $0.layers[k].validCells }.reduce(0, +)
            layer.minimum = manifests.compactMap { $0.layers[k].minimum }.min()
            layer.maximum = manifests.compactMap { $0.layers[k].maximum }.max()
            let legends = manifests.compactMap { $0.layers[k].legend }
            if !legends.isEmpty { layer.legend = legends.reduce(into: [:]) { $0.merge($1) { a, _ in a } } }
            let infinite = records.map { $0.infiniteCells.map { $0.indices.contains(k) ? $0[k] : 0 } ?? 0 }.reduce(0, +)
            warnings += try Context.layerChecks(
                input, request: request, grid: grid, valid: layer.validCells, infinite: infinite, studyAreaCells: studyAreaCells)
            layers.append(layer)
        }

        try OutputFiles.createFolder(folder)
        // The old manifest goes first: the folder never shows a manifest beside other layers.
        unlink(folder + "/" + StackManifest.fileName)
        // Each tile's blocks, read once here, let the VRTs open the tiles only as reads reach them.
        let sources = try layers.indices.map { k in
            try zip(plan.shards, manifests).map { shard, manifest in
                try Self.source(plan.folder(of: shard) + "/stack/" + manifest.layers[k].path, band: 1, window: shard.window)
            }
        }
        func tiles(of k: Int) -> [MosaicVRT.Source] { sources[k] }
        let nodata = manifests[0].nodata
        // A prepared layer's band carries its unit, but a categorical layer's ("class").
        func band(_ k: Int) -> MosaicVRT.Band {
            let layer = layers[k]
            return .init(
                description: layer.name, nodata: nodata, unitType: layer.kind == .categorical ? nil : layer.units, sources: tiles(of: k))
        }
        for (k, layer) in layers.enumerated() {
            try MosaicVRT(grid: grid, bands: [band(k)]).write(to: folder + "/" + layer.path)
        }
        let vrtName = "stack.vrt"
        try MosaicVRT(grid: grid, bands: layers.indices.map(band)).write(to: folder + "/" + vrtName)
        let e = grid.extent
        let manifest = StackManifest(
            format: StackManifest.formatName, formatVersion: StackManifest.currentVersion, tool: ProspectVersion.tool,
            created: study.created.stamp,
            grid: .init(
                crs: grid.crsName, crsWKT: grid.crsWKT, columns: grid.columns, rows: grid.rows,
                geoTransform: grid.transform.coefficients, cellWidth: grid.transform.cellWidth,
                cellHeight: -grid.transform.cellHeight, extent: [e.minX, e.minY, e.maxX, e.maxY]),
            studyArea: request.studyArea?.description, studyAreaCells: studyAreaCells,
            nodata: nodata, layers: layers, vrt: vrtName, warnings: warnings)
        let manifestPath = folder + "/" + StackManifest.fileName
        try Reports.writeText(String(decoding: try manifest.encoded(), as: UTF8.self), to: manifestPath)
        return Stack(
            manifest: manifest, manifestPath: manifestPath, files: layers.map(\.path) + [vrtName, StackManifest.fileName])
    }

    /// The COG options of a scored map (`Scorer.score` with `cog`): 256² blocks and overviews
    /// down to one block, the map's compression as the COG driver names it: the level `LEVEL`
    /// (it ignores the GeoTIFF driver's `ZSTD_LEVEL` and `ZLEVEL`), the floating-point
    /// predictor `PREDICTOR=YES`.
    static func cogOptions(_ options: ScoreOptions) -> [String] {
        var cog = ["BLOCKSIZE=256", "OVERVIEWS=AUTO", "BIGTIFF=IF_SAFER", "NUM_THREADS=\(options.threads)"]
        guard options.compression != .none else { return cog }
        for option in Scorer.compressionOptions(options) {
            if option == "PREDICTOR=3" {
                cog.append("PREDICTOR=YES")
            } else if let prefix = ["ZSTD_LEVEL=", "ZLEVEL="].first(where: { option.hasPrefix($0) }) {
                cog.append("LEVEL=" + option.dropFirst(prefix.count))
            } else {
                cog.append(option)
            }
        }
        return cog
    }

    /// A tile of a mosaic, with its blocks.
    /// - Throws: naming the tile when it does not open, or is not a `Float32` raster of its window's size.
    static func source(_ path: String, band: Int, window: Window) throws -> MosaicVRT.Source {
        let ds = try RasterDataset.open(path)
        guard ds.grid.columns == window.columns, ds.grid.rows == window.rows, ds.dataType(band: band) == .float32 else {
            throw PipelineError(path, "is not a Float32 raster of \(window.columns) × \(window.rows) cells; run its shard's step again")
        }
        let blocks = ds.blockSize(band: band)
        try ds.close()
        return MosaicVRT.Source(path: path, band: band, window: window, blockSize: blocks)
    }

    /// Puts the study together once every shard is scored: `prospectivity.tif` (a COG made from
    /// a mosaic of the shards' maps, carrying the model and provenance a scored map carries),
    /// `targets.geojson` and `tiles.geojson`, `validation.json`, `cv.json` when the study asks
    /// for it, and `run.log` last.
    /// - Throws: `PipelineError` naming the plan and the first shard that has not finished
    ///   (nothing is written then), or what the steps throw.
    public static func merge(planPath: String, threads: Int, log echo: (String) -> Void = { _ in }) throws -> MergeReport {
        let (plan, sum) = try ShardPlan.load(planPath)
        // The shards first: the error names the first shard not scored.
        let scored = try plan.shards.map { try ShardSteps.finished(.score, shard: $0, plan: plan, planPath: planPath, checksum: sum) }
        let prepared = try plan.shards.map { try ShardSteps.finished(.prepare, shard: $0, plan: plan, planPath: planPath, checksum: sum) }
        let trained = try ShardSteps.trained(plan: plan, planPath: planPath, checksum: sum)
        var study = try plan.loadStudy()
        study.score.threads = threads
        study.crossValidation?.threads = threads
        let out = plan.output
        try StudyRunner.paths(of: study).claim()
        unlink(out + "/run.log")
        // Leaflet for the report, before any work, as `prospect run` checks it.
        let leaflet = study.report ? try LeafletAssets.load() : nil

        var lines: [String] = []
        let started = Date()
        func log(_ line: String) {
            lines.append(String(format: "[%7.2f s] ", Date().timeIntervalSince(started)) + line)
            echo(line)
        }
        log(
            "study \(study.name) (\(DisplayPath.of(study.path))) with \(ProspectVersion.tool), in \(plan.shards.count) shards (\(plan.across) across × \(plan.down) down) by \(DisplayPath.of(planPath))"
        )
        let prepareSeconds = prepared.map(\.seconds)
        log(
            "prepare: \(plan.shards.count) shards in \(String(format: "%.2f", prepareSeconds.reduce(0, +))) s of shard time (the slowest \(String(format: "%.2f", prepareSeconds.max() ?? 0)) s) → shards/*/stack/"
        )
        for line in trained.log { log(line) }

        // The map: a mosaic of the shards' maps with the provenance of the whole study, as a COG.
        let mapStart = DispatchTime.now().uptimeNanoseconds
        let modelPath = out + "/model.json"
        let model = try ModelStore.load(modelPath)
        let specs = try ModelStore.layerSpecs(of: model, modelPath: modelPath)
        let provenance = try Workflows.mapProvenance(model: model, modelPath: modelPath, specs: specs, created: study.created)
        let first = try RasterDataset.open(plan.folder(of: plan.shards[0]) + "/prospectivity.tif")
        let descriptions = (1...first.bandCount).map { first.bandDescription(band: $0) }
        try first.close()
        let mapPath = out + "/prospectivity.tif"
        let vrtPath = TemporaryName.make(for: out + "/prospectivity.vrt")
        TemporaryFiles.shared.register(vrtPath)
        defer { TemporaryFiles.shared.remove(vrtPath) }
        var bands: [MosaicVRT.Band] = []
        for (b, description) in descriptions.enumerated() {
            let sources = try plan.shards.map {
                try Self.source(plan.folder(of: $0) + "/prospectivity.tif", band: b + 1, window: $0.window)
            }
            bands.append(.init(description: description, nodata: Double(study.score.nodata), sources: sources))
        }
        let mosaic = MosaicVRT(grid: plan.grid, bands: bands, metadata: provenance)
        try OutputFiles.write(Data(mosaic.xml(folder: out).utf8), to: vrtPath, reportedAs: mapPath)
        var options = study.score
        options.created = study.created
        try GDALAlgorithms.translateToCOG(source: vrtPath, destination: mapPath, creationOptions: Self.cogOptions(options))
        let scoreSeconds = scored.map(\.seconds).reduce(0, +)
        log(
            "score: \(plan.grid.cellCount) cells (\(scored.compactMap(\.validCells).reduce(0, +)) with data) in \(String(format: "%.2f", scoreSeconds)) s of shard time; put together in \(String(format: "%.2f", ShardSteps.elapsed(since: mapStart))) s → prospectivity.tif\(StudyRunner.extraBandsNote(model, options: study.score))"
        )
        for record in scored { for line in record.log.dropFirst() { log(line) } }

        // Targets, validation and cross-validation on the whole map, as `prospect run`.
        let targets = try StudyRunner.findTargets(study, map: mapPath, out: out, log: log)
        var files =
            ["stack/", "model.json"] + (study.training.method == .wofe ? ["weights.csv"] : [])
            + ["prospectivity.tif", "targets.geojson"] + (study.targetsCSV ? ["targets.csv"] : []) + ["tiles.geojson"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var validation: ValidationReport?
        if study.validate, study.deposits == nil {
            log("validate: skipped (no deposits)")
        } else if study.validate, let deposits = study.deposits {
            let v = try Validator.validate(
                mapPath: mapPath, deposits: deposits, depositsCRS: study.depositsCRS, selection: study.depositSelection)
            validation = v
            try Reports.writeText(String(decoding: try encoder.encode(v), as: UTF8.self), to: out + "/validation.json")
            files.append("validation.json")
            for line in StudyRunner.validationLines(v, study: study, heldOutAUC: model.training.trees?.heldOutAUC) { log(line) }
        }
        var crossValidation: CrossValidationReport?
        if let cv = study.crossValidation {
            var (specs, legends) = try StackManifest.layerSpecs(of: out + "/stack")
            for (k, layer) in study.layers.enumerated() { specs[k].transforms = layer.transforms }
            let result = try StudyRunner.namingStudy(study) {
                try Workflows.crossValidate(
                    layers: specs, deposits: study.deposits, depositsCRS: study.depositsCRS, depositSelection: study.depositSelection,
                    options: study.training, cv: cv, legend: legends)
            }
            crossValidation = result.report
            try Reports.writeText(String(decoding: try encoder.encode(result.report), as: UTF8.self), to: out + "/cv.json")
            files.append("cv.json")
            for line in StudyRunner.crossValidationLines(result.report, warnings: result.warnings, validation: validation, study: study) {
                log(line)
            }
        }
        if let leaflet {
            try StudyRunner.writeReport(
                study, out: out, map: mapPath, model: modelPath, stack: out + "/stack/" + StackManifest.fileName,
                validated: validation != nil,
                crossValidated: crossValidation != nil, lines: lines, leaflet: leaflet, log: log)
            files.append("report.html")
        }
        files.append("run.log")
        log("done")
        try Reports.writeText(lines.joined(separator: "\n") + "\n", to: out + "/run.log")
        return MergeReport(output: out, targets: targets, validation: validation, crossValidation: crossValidation, files: files)
    }
}
