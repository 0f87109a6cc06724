import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL

/// What a prepare run did.
public struct PrepareReport: Sendable {
    public var manifest: StackManifest
    public var manifestPath: String
    /// Seconds spent on each layer, in order.
    public var seconds: [Double]
    /// Cells of each layer, in order, that held ±Inf and were written as nodata.
    public var infiniteCells: [Int] = []
}

/// Puts every evidence layer onto one grid: rasters warped, vectors turned into distance,
/// classes or density; every layer masked to the study area, with one nodata value.
///
/// Everything is built in a hidden staging folder beside the output folder and moved into
/// place at the end, the manifest last: an interrupted or failed run leaves no manifest, so
/// nothing in the output folder looks complete.
public enum Preparer {
    /// GeoTIFF options of the prepared layers: 256² tiles (the scoring engine reads whole
    /// blocks), ZSTD with the floating-point predictor, compressed on `threads` threads (GDAL
    /// writes the blocks in the order given, so the bytes do not depend on them).
    static func creationOptions(threads: Int) -> [String] {
        [
            "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=ZSTD", "ZSTD_LEVEL=1",
            "PREDICTOR=3", "BIGTIFF=IF_SAFER", "NUM_THREADS=\(max(1, threads))",
        ]
    }
    static let stagingOptions = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER"]

    public static func run(_ request: PrepareRequest, log: (String) -> Void = { _ in }) throws -> PrepareReport {
        GDAL.initialize()
        GDAL.setConfigOption("GDAL_CACHEMAX", "256")
        guard !request.inputs.isEmpty else {
            throw PipelineError(nil, "no inputs: give --raster, --categorical, --distance, --rasterize, --inside or --density")
        }
        try request.validate()
        var seen = Set<String>()
        for input in request.inputs {
            guard !input.name.isEmpty, !input.name.contains("/") else {
                throw PipelineError(input.source.inputPath, "layer name \"\(Echo.short(input.name))\" is not a valid file name")
            }
            guard seen.insert(input.name).inserted else {
                throw PipelineError(
                    input.source.inputPath, "layer name \"\(Echo.short(input.name))\" is used twice; name layers with =NAME")
            }
        }
        for input in request.inputs {
            let path = input.source.inputPath
            if case .raster = input.source {
                if let missing = DatasetName.missing(path) { throw missing }
            } else if DatasetName.isPlainPath(path), !FileManager.default.fileExists(atPath: path) {
                throw PipelineError(path, "no such file")
            }
        }
        try request.paths(writer: "--out").claim()
        let out = URL(fileURLWithPath: request.outputDirectory).standardizedFileURL
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isDir), !isDir.boolValue {
            throw PipelineError(out.path, "exists and is not a folder")
        }
        if isDir.boolValue { try OutputFiles.checkWritable(folder: out.path, for: out.path) }
        let parent = out.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError(out.path, "output folder's parent \(parent) does not exist")
        }
        let staging = TemporaryName.make(for: out.path)
        TemporaryFiles.shared.register(staging)
        let scratch = try VSI.makeScratchDirectory()
        defer {
            TemporaryFiles.shared.remove(staging)
            VSI.removeDirectory(scratch)
        }
        try OutputFiles.createFolder(staging, reportedAs: out.path)

        var context = try Context(request: request, scratch: scratch, staging: staging)
        log(
            "grid: \(context.grid.columns) × \(context.grid.rows) cells of \(fmt(context.grid.transform.cellWidth)) × \(fmt(-context.grid.transform.cellHeight)) (\(context.crsLabel))"
        )
        if let part = request.window { log("window: \(part.window) of the grid") }
        if let area = request.studyArea {
            log("study area: \(DisplayPath.of(area)) (\(context.studyAreaCells) cells inside)")
        }
        var layers: [StackManifest.Layer] = []
        var seconds: [Double] = []
        for input in request.inputs {
            let start = DispatchTime.now().uptimeNanoseconds
            let layer = try context.prepare(input)
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            seconds.append(s)
            layers.append(layer)
            log("\(input.name): \(layer.method) → \(layer.path) (\(layer.validCells) cells with data, \(String(format: "%.2f", s)) s)")
        }
        let vrtName = "stack.vrt"
        try GDALAlgorithms.buildVRT(
            sources: layers.map { staging + "/" + $0.path }, destination: staging + "/" + vrtName,
            bandNames: layers.map(\.name))
        let g = context.outputGrid
        let e = g.extent
        let manifest = StackManifest(
            format: StackManifest.formatName, formatVersion: StackManifest.currentVersion, tool: ProspectVersion.tool,
            created: request.created.stamp,
            grid: .init(
                crs: context.crsLabel, crsWKT: g.crsWKT, columns: g.columns, rows: g.rows,
                geoTransform: g.transform.coefficients, cellWidth: g.transform.cellWidth,
                cellHeight: -g.transform.cellHeight, extent: [e.minX, e.minY, e.maxX, e.maxY]),
            studyArea: request.studyArea?.description, studyAreaCells: context.studyAreaCells,
            nodata: request.nodata, layers: layers, vrt: vrtName, warnings: context.warnings)
        let manifestData: Data
        do { manifestData = try manifest.encoded() } catch let EncodingError.invalidValue(value, context) {
            // Statistics are finite (±Inf is written as nodata); anything else is named.
            throw PipelineError(
                DisplayPath.of(out.path + "/" + StackManifest.fileName),
                "\(JSONProblem.path(context.codingPath)) is \(value), which JSON cannot hold")
        }
        try OutputFiles.write(manifestData, to: staging + "/" + StackManifest.fileName, reportedAs: out.path + "/" + StackManifest.fileName)
        try commit(staging: staging, to: out.path, files: layers.map(\.path) + [vrtName, StackManifest.fileName])
        return PrepareReport(
            manifest: manifest, manifestPath: out.path + "/" + StackManifest.fileName, seconds: seconds,
            infiniteCells: context.infiniteCells)
    }

    /// Moves the staged files into the output folder, the manifest last. An existing manifest
    /// is removed first, so a folder is never left with an old manifest beside new layers.
    static func commit(staging: String, to folder: String, files: [String]) throws {
        if !FileManager.default.fileExists(atPath: folder) {
            if rename(staging, folder) == 0 { return }
            try OutputFiles.createFolder(folder)
        }
        unlink(folder + "/" + StackManifest.fileName)
        for name in files {
            if rename(staging + "/" + name, folder + "/" + name) != 0 {
                throw PipelineError(folder + "/" + name, "cannot move the prepared file into place: \(String(cString: strerror(errno)))")
            }
        }
    }

    static func fmt(_ x: Double) -> String { String(format: "%g", x) }
}

/// State shared by the layers of one prepare run.
struct Context {
    let request: PrepareRequest
    let grid: Grid
    /// The cells written: the whole grid, or the request's window.
    let window: Window
    /// The grid of the written layers: `grid`, or the window's part of it.
    let outputGrid: Grid
    let gridCRS: SpatialReference
    let crsLabel: String
    let scratch: String
    let staging: String
    /// 1 inside the study area, for each cell of `window`; nil when there is none (every cell is in).
    let mask: [UInt8]?
    let studyAreaCells: Int
    var warnings: [String] = []
    /// Cells of each prepared layer that held ±Inf.
    var infiniteCells: [Int] = []
    private var vectorCount = 0

    init(request: PrepareRequest, scratch: String, staging: String) throws {
        self.request = request
        self.scratch = scratch
        self.staging = staging
        let made = try Self.makeGrid(request: request, scratch: scratch)
        grid = made.grid
        gridCRS = made.crs
        crsLabel = gridCRS.label
        window = request.window?.window ?? made.grid.full
        precondition(window.intersection(grid.full) == window && window.cellCount > 0, "a prepare window lies inside the grid")
        outputGrid = window == grid.full ? grid : grid.part(window)
        if let area = request.studyArea {
            let copy =
                try made.studyArea
                ?? Self.translate(
                    area, scratch: scratch, name: "study-area", crs: gridCRS,
                    assumed: request.studyAreaCRS ?? request.assumedCRS, makeValid: request.makeValid,
                    polygonsFor: "the study area")
            warnings += copy.warnings
            let cells = try GDALAlgorithms.rasterizeMask(vectorPath: copy.path, layer: copy.layer, grid: outputGrid)
            let inside = cells.reduce(0) { $0 + Int($1) }
            // A window may lie outside the study area: the whole grid is checked when the windows are put together.
            guard inside > 0 || request.window != nil else { throw Self.outsideGrid(area, grid: grid) }
            mask = cells
            studyAreaCells = inside
        } else {
            mask = nil
            studyAreaCells = outputGrid.cellCount
        }
    }

    /// The error for a study area with no cell of the grid inside it.
    static func outsideGrid(_ area: VectorSource, grid: Grid) -> PipelineError {
        PipelineError(area.path, "the study area does not overlap the grid (\(grid.extent)); check its CRS")
    }

    /// The grid of a request (a reference raster's, or a CRS, cell size and extent snapped to
    /// whole cells) and, when the extent came from the study area, its copy in the grid's CRS.
    static func makeGrid(request: PrepareRequest, scratch: String) throws -> (
        grid: Grid, crs: SpatialReference, studyArea: (path: String, layer: String, warnings: [String])?
    ) {
        let grid: Grid
        let gridCRS: SpatialReference
        var studyAreaCopy: (path: String, layer: String, warnings: [String])?
        switch request.grid {
        case .reference(let path):
            let ds = try RasterDataset.open(path)
            let g = try GridCheck.northUp(ds, path: path)
            guard !g.crsWKT.isEmpty, let crs = ds.spatialReference else {
                throw PipelineError(path, "the reference grid has no CRS; assign one first (gdal_edit.py -a_srs) or use --crs")
            }
            try ds.close()
            grid = Grid(columns: g.columns, rows: g.rows, transform: g.transform, crsWKT: g.crsWKT, crsName: crs.label)
            gridCRS = crs
        case .definition(let crsText, let cellSize, let extent):
            let crs: SpatialReference
            do { crs = try SpatialReference(userInput: crsText) } catch {
                throw PipelineError(nil, "--crs \(Echo.short(crsText)) is not a CRS GDAL knows")
            }
            guard cellSize > 0, cellSize.isFinite else { throw PipelineError(nil, "--cell-size must be positive") }
            var box = extent
            if box == nil, let area = request.studyArea {
                let copy = try Self.translate(
                    area, scratch: scratch, name: "study-area", crs: crs,
                    assumed: request.studyAreaCRS ?? request.assumedCRS, makeValid: request.makeValid,
                    polygonsFor: "the study area")
                studyAreaCopy = copy
                guard let info = try VectorDataset.open(copy.path).layers.first, let ext = info.extent else {
                    throw PipelineError(area.path, "the study area has no extent")
                }
                box = [ext.minX, ext.minY, ext.maxX, ext.maxY]
            }
            guard let b = box, b.count == 4, b[2] > b[0], b[3] > b[1] else {
                throw PipelineError(
                    nil, "give --extent XMIN,YMIN,XMAX,YMAX (with xmin < xmax, ymin < ymax) or --study-area to set the grid's extent")
            }
            // Snapped outward to whole cells of a lattice anchored at the CRS origin.
            let x0 = (b[0] / cellSize).rounded(.down) * cellSize
            let y0 = (b[1] / cellSize).rounded(.down) * cellSize
            let x1 = (b[2] / cellSize).rounded(.up) * cellSize
            let y1 = (b[3] / cellSize).rounded(.up) * cellSize
            let across = ((x1 - x0) / cellSize).rounded()
            let down = ((y1 - y0) / cellSize).rounded()
            guard across >= 1, down >= 1, across * down <= Double(1 << 36) else {
                throw PipelineError(
                    nil,
                    "a grid of \(Check.show(across)) × \(Check.show(down)) cells is out of range; check --cell-size and the extent's units (\(crs.label))"
                )
            }
            let columns = Int(across)
            let rows = Int(down)
            grid = Grid(
                columns: columns, rows: rows, transform: .northUp(left: x0, top: y1, cellSize: cellSize),
                crsWKT: crs.wkt, crsName: crs.label)
            gridCRS = crs
        }
        return (grid, gridCRS, studyAreaCopy)
    }

    /// Copies a vector layer into `/vsimem` in `crs`, checking it on the way: present, not
    /// empty, a CRS (declared or assumed), and, for layers used as areas, valid geometries
    /// (or repaired on request). Distance and density use only vertices and segments, which
    /// an invalid geometry (a self-crossing ring, a line of one repeated point) still has.
    /// - Parameter polygonsFor: what needs the layer to hold polygons ("the study area",
    ///   "--inside"); a layer of points or lines is then refused.
    /// - Returns: the copy, and one warning per kind of feature left out (no geometry, bad
    ///   coordinates: `x.csv: 3 rows skipped: bad coordinates (rows 4, 9, 12)`).
    static func translate(
        _ source: VectorSource, scratch: String, name: String, crs: SpatialReference,
        assumed: String?, makeValid: Bool, areas: Bool = true, polygonsFor: String? = nil
    ) throws -> (path: String, layer: String, warnings: [String]) {
        let ds = try VectorDataset.open(source.path)
        let infos = ds.layers
        guard let info = source.layer.map({ l in infos.first { $0.name == l } }) ?? infos.first else {
            if let l = source.layer {
                throw PipelineError(
                    source.path, "has no layer named \(Echo.short(l)) (layers: \(infos.map(\.name).joined(separator: ", ")))")
            }
            throw PipelineError(source.path, "has no layers")
        }
        guard info.featureCount != 0 else { throw PipelineError(source.path, "layer \(info.name) has no features") }
        if let role = polygonsFor { try requirePolygons(ds, layer: info.name, source: source, role: role) }
        var assumedCRS: SpatialReference?
        if !info.hasCRS {
            guard let assumed else {
                throw PipelineError(
                    source.path, "layer \(info.name) declares no CRS; give one with --assume-crs EPSG:N (a guess is never made)")
            }
            assumedCRS = try Self.assumedCRS(assumed, for: source.path)
        }
        if areas, !makeValid {
            let invalid = try ds.invalidGeometries(layer: info.name)
            if invalid.count > 0 {
                throw PipelineError(
                    source.path,
                    "layer \(info.name) has \(invalid.count) invalid geometr\(invalid.count == 1 ? "y" : "ies") (first: feature \(invalid.firstFID.map(String.init) ?? "?")); repair them or pass --make-valid"
                )
            }
        }
        let destination = "\(scratch)/\(name).gpkg"
        let result = try GDALAlgorithms.translateVector(
            source: source.path, layer: info.name, destination: destination,
            targetCRS: crs, assumedSourceCRS: assumedCRS, makeValid: makeValid)
        guard result.features > 0 else { throw PipelineError(source.path, "layer \(info.name) has no features") }
        return (destination, result.layerName, result.skipped.warnings(path: DisplayPath.of(source.path)))
    }

    /// Refuses a layer that holds points or lines where polygons are needed (the study area, a
    /// mask): rasterized, they would cover only the cells they touch.
    /// - Throws: `PipelineError` naming the file: "the study area must be polygons; layer
    ///   'deposits' holds points", or "… holds 2 lines besides its polygons".
    static func requirePolygons(_ ds: VectorDataset, layer: String, source: VectorSource, role: String) throws {
        let kinds = try ds.geometryDimensions(layer: layer)
        guard kinds.points + kinds.lines > 0 else { return }
        let needs = role == "the study area" ? "the study area must be polygons" : "\(role) needs polygons"
        let others = [(kinds.points, "point"), (kinds.lines, "line")].filter { $0.0 > 0 }
        let what: String
        if kinds.areas == 0 {
            what = others.map { $0.1 + "s" }.joined(separator: " and ")
        } else {
            what = others.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: " and ") + " besides its polygons"
        }
        throw PipelineError(source.path, "\(needs); layer '\(Echo.short(layer))' holds \(what)")
    }

    /// The CRS to assume for an input without one.
    func assumed(for input: PrepareRequest.Input) -> String? { input.assumedCRS ?? request.assumedCRS }

    /// The CRS `--assume-crs` gives for the input at `path`; nil when none is given.
    /// - Throws: `PipelineError` naming the file and the option when GDAL does not know the CRS.
    static func assumedCRS(_ assumed: String?, for path: String) throws -> SpatialReference? {
        guard let assumed else { return nil }
        do { return try SpatialReference(userInput: assumed) } catch {
            throw PipelineError(path, "--assume-crs \(Echo.short(assumed)) is not a CRS GDAL knows")
        }
    }

    mutating func prepare(_ input: PrepareRequest.Input) throws -> StackManifest.Layer {
        let fileName = input.name + ".tif"
        let final = staging + "/" + fileName
        var layer = StackManifest.Layer(
            name: input.name, path: fileName, kind: .continuous, source: "", method: "",
            units: nil, legend: nil, validCells: 0, minimum: nil, maximum: nil)
        let stats: LayerStats
        let grid = self.grid
        switch input.source {
        case .raster(let path, let kind, let chosen):
            layer.source = path
            layer.kind = kind
            let onGrid = try isOnGrid(path)
            let resampling = try chosen ?? (onGrid ? .nearest : defaultResampling(path, kind: kind, assumed: assumed(for: input)))
            let raw = staging + "/.raw-" + fileName
            try warp(path, to: raw, resampling: resampling, assumed: assumed(for: input))
            // A continuous raster keeps the unit its band declares (GDAL's unit type).
            layer.units = kind == .categorical ? "class" : try RasterLegend.unit(path)
            stats = try finish(from: raw, to: final, units: kind == .categorical ? nil : layer.units)
            unlink(raw)
            if kind == .categorical, let value = stats.firstFraction {
                throw PipelineError(
                    path,
                    "categorical layer \(Echo.short(input.name)) holds non-integer values (e.g. \(String(format: "%g", value))); class codes are whole numbers: round the raster first, or give it with --raster"
                )
            }
            layer.method = chosen == nil && onGrid ? "copy (already on the grid)" : "warp \(resampling.rawValue)"
            if kind == .categorical { layer.legend = try legendFromRaster(path) }
        case .distance(let v):
            layer.source = v.description
            let copy = try vector(v, input: input)
            let features = try Features.load(copy)
            guard !features.segments.isEmpty else { throw PipelineError(v.path, "layer \(copy.layer) has no points, lines or polygons") }
            let index = SegmentIndex(features.segments)
            layer.units = unitName
            stats = try finish(to: final, units: layer.units) { window, buffer in
                DistanceField.compute(index: index, grid: grid, window: window, into: buffer)
            }
            layer.method = "distance to \(features.kindDescription)"
        case .density(let v, let radius):
            layer.source = v.description
            let copy = try vector(v, input: input)
            let features = try Features.load(copy)
            guard !features.segments.isEmpty else { throw PipelineError(v.path, "layer \(copy.layer) has no points or lines") }
            guard features.onlyPoints || features.polygons == 0 else {
                throw PipelineError(v.path, "--density needs points or lines; layer \(copy.layer) holds polygons")
            }
            let points = features.onlyPoints
            let index = points ? SegmentIndex(points: features.segments.map { (x: $0.x0, y: $0.y0) }) : SegmentIndex(features.segments)
            layer.units = points ? "count/km²" : "km/km²"
            stats = try finish(to: final, units: layer.units) { window, buffer in
                if points {
                    DensityField.computePoints(index: index, grid: grid, window: window, radius: radius, into: buffer)
                } else {
                    DensityField.computeLines(index: index, grid: grid, window: window, radius: radius, into: buffer)
                }
            }
            layer.method =
                points
                ? "point density within \(Preparer.fmt(radius)) \(unitName)" : "line density within \(Preparer.fmt(radius)) \(unitName)"
        case .rasterize(let v, let field):
            layer.source = v.description
            let copy = try vector(v, input: input)
            let raw = staging + "/.raw-" + fileName
            let (burn, kind, legend, description) = try burnSource(copy, source: v, field: field)
            layer.kind = kind
            layer.legend = legend
            try GDALAlgorithms.rasterize(
                vectorPath: copy.path, layer: copy.layer, grid: outputGrid, burn: burn, allTouched: false,
                initialValue: kind == .categorical ? 0 : request.nodata,
                nodata: kind == .categorical ? nil : request.nodata,
                outputPath: raw, creationOptions: Preparer.stagingOptions)
            stats = try finish(from: raw, to: final)
            unlink(raw)
            layer.method = description
            layer.units = kind == .categorical ? "class" : nil
            if kind == .categorical, var legend = layer.legend {
                // Keep only classes that occur in the study area.
                legend = legend.filter { stats.codes.contains(Int($0.key) ?? Int.min) }
                layer.legend = legend
            }
        }
        infiniteCells.append(stats.infinite)
        layer.validCells = stats.valid
        layer.minimum = stats.minimum
        layer.maximum = stats.maximum
        // A window's layers are checked and counted when the windows are put together.
        guard request.window == nil else { return layer }
        try warnings += Self.layerChecks(
            input, request: request, grid: grid, valid: stats.valid, infinite: stats.infinite, studyAreaCells: studyAreaCells)
        return layer
    }

    /// The checks of a finished layer over the whole grid: it holds data (else the error), and
    /// the warnings for cells that held ±Inf and for a layer covering less than half the study area.
    static func layerChecks(
        _ input: PrepareRequest.Input, request: PrepareRequest, grid: Grid, valid: Int, infinite: Int, studyAreaCells: Int
    ) throws -> [String] {
        guard valid > 0 else {
            throw PipelineError(
                input.source.inputPath,
                "does not overlap the grid\(request.studyArea == nil ? "" : " inside the study area") (\(grid.crsName), extent \(grid.extent)): every cell of \(input.name) would be nodata"
            )
        }
        var warnings: [String] = []
        if infinite > 0 {
            let n = infinite
            warnings.append(
                "\(DisplayPath.of(input.source.inputPath)): \(n) cell\(n == 1 ? "" : "s") hold\(n == 1 ? "s" : "") ±Inf; treated as missing"
            )
        }
        if valid < studyAreaCells / 2 {
            warnings.append(
                "\(input.name): only \(valid) of \(studyAreaCells) cells hold data; the rest are nodata and drop out of training and scoring"
            )
        }
        return warnings
    }

    var unitName: String { gridCRS.isGeographic ? "degrees" : "m" }

    mutating func vector(_ v: VectorSource, input: PrepareRequest.Input) throws -> (path: String, layer: String) {
        vectorCount += 1
        var areas = false
        var mask = false
        if case .rasterize(_, let field) = input.source {
            areas = true
            mask = field == nil
        }
        let translated = try Self.translate(
            v, scratch: scratch, name: "input-\(vectorCount)", crs: gridCRS,
            assumed: assumed(for: input), makeValid: request.makeValid, areas: areas, polygonsFor: mask ? "--inside" : nil)
        // A file read for two layers is reported once.
        warnings += translated.warnings.filter { !warnings.contains($0) }
        let copy = (path: translated.path, layer: translated.layer)
        if let ext = try VectorDataset.open(copy.path).layers.first?.extent {
            let g = grid.extent
            if ext.maxX < g.minX || ext.minX > g.maxX || ext.maxY < g.minY || ext.minY > g.maxY {
                if case .distance = input.source {
                    warnings.append("\(input.name): \(v) lies outside the grid; distances are measured to features beyond its edge")
                } else {
                    throw PipelineError(
                        v.path,
                        "does not overlap the grid: its extent in \(crsLabel) is (\(ext.minX), \(ext.minY), \(ext.maxX), \(ext.maxY)), the grid's \(g); check its CRS"
                    )
                }
            }
        }
        return copy
    }

    /// Average (or mode) when the grid's cells are more than 1.5× the source's, else bilinear
    /// (or nearest): coarsening must summarise many cells, refining must not invent classes.
    /// Whether a raster already lies on the grid (same CRS and cells): it is then copied cell
    /// for cell (nearest-neighbour warping onto identical cells).
    /// A raster with neither a geotransform nor ground control points (which the warp follows)
    /// is refused: it has no place on the grid.
    func isOnGrid(_ path: String) throws -> Bool {
        let ds = try RasterDataset.open(path)
        guard ds.hasGeoTransform else {
            if ds.groundControlPointCount > 0 { return false }
            throw PipelineError(path, "has no georeferencing (no geotransform)")
        }
        let own = ds.grid
        return try !own.crsWKT.isEmpty && GridCheck.same(own, grid)
    }

    func defaultResampling(_ path: String, kind: LayerKind, assumed: String?) throws -> Resampling {
        let source = try GDALAlgorithms.sourceCellSize(source: path, grid: grid, assumedSourceCRS: Self.assumedCRS(assumed, for: path))
        let coarser = abs(grid.transform.cellWidth) > 1.5 * (source.width * source.height).squareRoot()
        switch kind {
        case .continuous: return coarser ? .average : .bilinear
        case .categorical: return coarser ? .mode : .nearest
        }
    }

    /// Warps onto the written window's grid, or onto the whole grid for a raster a window
    /// cannot be warped alone (another CRS: see `PrepareWindow`).
    func warp(_ path: String, to raw: String, resampling: Resampling, assumed: String?) throws {
        let whole = request.inputs.contains { request.window?.wholeGridLayers.contains($0.name) == true && $0.source.inputPath == path }
        try GDALAlgorithms.warp(
            source: path, destination: raw, grid: whole ? grid : outputGrid, resampling: resampling,
            assumedSourceCRS: Self.assumedCRS(assumed, for: path), destinationNodata: request.nodata,
            creationOptions: Preparer.stagingOptions, threads: request.threads)
    }

    /// A categorical raster's class names (`RasterLegend.read`): GDAL's category names and
    /// raster attribute table, else `CLASS_<code>=name` metadata items.
    func legendFromRaster(_ path: String) throws -> [String: String]? {
        try RasterLegend.read(path)
    }

    /// How a vector is burned: a constant, a numeric field, or text classes coded 1…n.
    func burnSource(_ copy: (path: String, layer: String), source: VectorSource, field: String?) throws
        -> (BurnSource, LayerKind, [String: String]?, String)
    {
        let label = source.layer ?? copy.layer
        guard let field else {
            return (.constant(1), .categorical, ["0": "outside \(label)", "1": "inside \(label)"], "inside polygons (1) or not (0)")
        }
        let ds = try VectorDataset.open(copy.path)
        let fields = try ds.fields(layer: copy.layer)
        guard let f = fields.first(where: { $0.name == field }) ?? fields.first(where: { $0.name.lowercased() == field.lowercased() })
        else {
            throw PipelineError(
                source.path, "layer \(label) has no field \(Echo.short(field)) (fields: \(fields.map(\.name).joined(separator: ", ")))")
        }
        switch f.type {
        case .integer:
            let values = Set(try ds.stringValues(field: f.name, layer: copy.layer).compactMap { $0.flatMap { Int($0) } })
            var legend: [String: String] = ["0": "none"]
            for v in values { legend[String(v)] = "\(f.name) \(v)" }
            return (.attribute(f.name), .categorical, legend, "rasterize field \(f.name) (codes)")
        case .real:
            return (.attribute(f.name), .continuous, nil, "rasterize field \(f.name) (values)")
        case .string, .other:
            let values = Set(try ds.stringValues(field: f.name, layer: copy.layer).compactMap { $0 }).sorted()
            guard !values.isEmpty else { throw PipelineError(source.path, "field \(f.name) of layer \(label) is empty in every feature") }
            var codes: [String: Double] = [:]
            var legend: [String: String] = ["0": "none"]
            for (i, v) in values.enumerated() {
                codes[v] = Double(i + 1)
                legend[String(i + 1)] = v
            }
            return (.mapped(field: f.name, values: codes), .categorical, legend, "rasterize field \(f.name) (\(values.count) classes)")
        }
    }

    /// Cell statistics of a finished layer.
    struct LayerStats {
        var valid = 0
        var minimum: Double?
        var maximum: Double?
        /// Distinct integer values, for categorical layers (up to 4096 kept).
        var codes = Set<Int>()
        /// The first value with a fractional part: a categorical layer must have none.
        var firstFraction: Float?
        /// Cells inside the study area that held ±Inf, written as nodata.
        var infinite = 0

        mutating func add(_ v: Float) {
            valid += 1
            let d = Double(v)
            minimum = Swift.min(minimum ?? d, d)
            maximum = Swift.max(maximum ?? d, d)
            if d == d.rounded() {
                if codes.count < 4096, abs(d) < 1e9 { codes.insert(Int(d)) }
            } else if firstFraction == nil, d.isFinite {
                firstFraction = v
            }
        }
    }

    /// Writes the final layer from a staged raster on the grid: masked, nodata unified.
    /// - Throws: the first read failure of the staged raster (`GDALError` naming it), not a
    ///   layer with nodata where the read failed.
    func finish(from raw: String, to final: String, units: String? = nil) throws -> LayerStats {
        let source = try RasterDataset.open(raw)
        // The staged raster covers the written window or the whole grid: where it starts.
        let origin = grid.transform.cell(x: source.grid.transform.originX, y: source.grid.transform.originY)
        let rawWindow = Window(
            column: Int(origin.column.rounded()), row: Int(origin.row.rounded()), columns: source.grid.columns, rows: source.grid.rows)
        let nodata = source.nodata().map { Float($0) }
        let lock = NSLock()
        let transfer = UnsafeTransfer((dataset: source, failure: ReadFailure()))
        let stats = try finish(to: final, parallel: false, units: units) { window, buffer in
            lock.lock()
            defer { lock.unlock() }
            guard transfer.value.failure.error == nil else { return }
            let local = Window(
                column: window.column - rawWindow.column, row: window.row - rawWindow.row, columns: window.columns, rows: window.rows)
            do { try transfer.value.dataset.read(window: local, into: buffer) } catch {
                transfer.value.failure.error = error
                return
            }
            if let nodata { for i in buffer.indices where buffer[i] == nodata { buffer[i] = .nan } }
        }
        if let error = transfer.value.failure.error { throw error }
        try source.close()
        return stats
    }

    /// The first error of a read made inside a non-throwing closure, guarded by the caller's lock.
    final class ReadFailure {
        var error: Error?
    }

    /// Writes the final layer band by band (256 rows), computing bands on all cores when
    /// `parallel`; cells outside the study area, NaN and ±Inf become nodata (±Inf counted in
    /// `LayerStats.infinite`), so the manifest's statistics are finite. `units`, when given,
    /// becomes the band's unit type.
    func finish(
        to final: String, parallel: Bool = true, units: String? = nil,
        produce: @escaping @Sendable (Window, UnsafeMutableBufferPointer<Float>) -> Void
    ) throws -> LayerStats {
        let dataset = try RasterDataset.create(
            final, grid: outputGrid, bands: 1, type: .float32, options: Preparer.creationOptions(threads: request.threads))
        try dataset.setNodata(request.nodata)
        // The unit travels with the layer, for reports that quote its values (target explanations).
        if let units { try dataset.setUnitType(units) }
        let bandRows = 256
        // The written window (the whole grid, or a shard's); `produce` fills windows given in
        // cells of the whole grid, its bands written in the window's own cells.
        let part = window
        let bands = (part.rows + bandRows - 1) / bandRows
        let batch = parallel ? max(1, request.threads) : 1
        let columns = part.columns
        let buffers = (0..<batch).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: bandRows * columns) }
        defer { buffers.forEach { $0.deallocate() } }
        let transfers = UnsafeTransfer(buffers)
        var stats = LayerStats()
        let nodata = Float(request.nodata)
        var first = 0
        while first < bands {
            let count = min(batch, bands - first)
            let start = first
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let row = (start + i) * bandRows
                let window = Window(
                    column: part.column, row: part.row + row, columns: columns, rows: min(bandRows, part.rows - row))
                produce(window, UnsafeMutableBufferPointer(rebasing: transfers.value[i][0..<window.cellCount]))
            }
            for i in 0..<count {
                let row = (start + i) * bandRows
                let window = Window(column: 0, row: row, columns: columns, rows: min(bandRows, part.rows - row))
                let b = buffers[i]
                for j in 0..<window.cellCount {
                    let v = b[j]
                    if v.isNaN || v == nodata || (mask.map { $0[row * columns + j] == 0 } ?? false) {
                        b[j] = nodata
                    } else if v.isInfinite {
                        // Missing, as every model takes it; counted for the warning.
                        b[j] = nodata
                        stats.infinite += 1
                    } else {
                        stats.add(v)
                    }
                }
                try dataset.write(window: window, from: UnsafeBufferPointer(rebasing: b[0..<window.cellCount]))
            }
            first += count
        }
        try dataset.close()
        return stats
    }
}

/// A vector layer's geometry as segments (points are zero-length segments).
struct Features {
    var segments: [Segment] = []
    var points = 0
    var lines = 0
    var polygons = 0
    var onlyPoints: Bool { lines == 0 && polygons == 0 && points > 0 }

    var kindDescription: String {
        var parts: [String] = []
        if points > 0 { parts.append("points") }
        if lines > 0 { parts.append("lines") }
        if polygons > 0 { parts.append("polygon edges") }
        return parts.joined(separator: " and ")
    }

    static func load(_ copy: (path: String, layer: String)) throws -> Features {
        let ds = try VectorDataset.open(copy.path)
        var f = Features()
        let type = ds.layers.first { $0.name == copy.layer }?.geometryType.lowercased() ?? ""
        if type.contains("point") {
            let pts = try ds.points(layer: copy.layer).points
            f.points = pts.count
            f.segments = pts.map { Segment(x0: $0.x, y0: $0.y, x1: $0.x, y1: $0.y) }
        } else {
            let lines = try ds.lines(layer: copy.layer).lines
            if type.contains("polygon") { f.polygons = lines.count } else { f.lines = lines.count }
            for line in lines {
                for i in 1..<line.count {
                    f.segments.append(Segment(x0: line[i - 1].x, y0: line[i - 1].y, x1: line[i].x, y1: line[i].y))
                }
            }
        }
        return f
    }
}
