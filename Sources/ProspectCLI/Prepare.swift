import ArgumentParser
import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline

extension ProspectCommand {
    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put evidence layers onto one grid: warp rasters, turn vectors into distance, classes or density.",
            discussion: """
                The grid is a reference raster's (--reference) or a CRS, cell size and extent (--crs, --cell-size, --extent; the extent defaults to the study area's). Extents snap outward to whole cells. Every layer is written to OUT/NAME.tif (Float32, 256² tiles, ZSTD) with nodata -9999 outside the study area and wherever its source has no data, plus OUT/stack.vrt and OUT/stack.json, which `train --stack OUT` and `score` read in place of a list of layers. stack.json is written last: a folder without one is not a finished stack.

                Rasters are warped with GDAL: continuous layers bilinear (average when the grid is coarser than the source), categorical ones nearest (mode when coarser); --resampling NAME=METHOD overrides. Vectors are reprojected to the grid first. --distance measures metres from each cell centre to the nearest point, line or polygon edge, exactly. --rasterize burns a field: text classes get codes 1…n (0 = no feature) and the legend travels into the model and its reports; --inside burns 1 inside the polygons, 0 outside. --density gives points or km of line per km² within a radius.

                Inputs without a CRS are refused unless --assume-crs gives one (for every such input, or FILE=EPSG:N for one file). Invalid geometries are refused unless --make-valid.

                Example:
                  prospect prepare --crs EPSG:20350 --cell-size 500 \\
                    --study-area murchison.gpkg:window --assume-crs EPSG:20350 \\
                    --distance fault_distance=murchison.gpkg:faults \\
                    --inside greenstone=murchison.gpkg:greenstone --out stack
                """)

        @Option(help: "Use this raster's grid (CRS, origin, cell size, size).")
        var reference: String?
        @Option(help: "The grid's CRS (EPSG:N, WKT, PROJ string), with --cell-size.")
        var crs: String?
        @Option(name: .customLong("cell-size"), help: "The grid's cell size in CRS units.")
        var cellSize: Double?
        @Option(help: "The grid's extent XMIN,YMIN,XMAX,YMAX in CRS units (default: the study area's).")
        var extent: String?
        @Option(name: .customLong("study-area"), help: "Polygons VECTOR[:LAYER]; cells outside become nodata.")
        var studyArea: String?
        @Option(help: "The output folder.")
        var out: String
        @Option(help: "A continuous raster, NAME=PATH or PATH (repeatable).")
        var raster: [String] = []
        @Option(help: "A categorical raster, NAME=PATH or PATH (repeatable).")
        var categorical: [String] = []
        @Option(help: "Distance to features, NAME=VECTOR[:LAYER] or VECTOR[:LAYER] (repeatable).")
        var distance: [String] = []
        @Option(help: "A field burned as classes, NAME=VECTOR[:LAYER]:FIELD or VECTOR[:LAYER]:FIELD (repeatable).")
        var rasterize: [String] = []
        @Option(help: "1 inside polygons, 0 outside, NAME=VECTOR[:LAYER] or VECTOR[:LAYER] (repeatable).")
        var inside: [String] = []
        @Option(
            help: "Points or line length per km² within a radius, NAME=VECTOR[:LAYER]@RADIUS_M or VECTOR[:LAYER]@RADIUS_M (repeatable).")
        var density: [String] = []
        @Option(help: "Resampling for one raster layer, NAME=METHOD (nearest, bilinear, cubic, average, mode, min, max, median).")
        var resampling: [String] = []
        @Option(
            name: .customLong("assume-crs"), help: "CRS for inputs that declare none: EPSG:N, or FILE=EPSG:N for one file (repeatable).")
        var assumeCRS: [String] = []
        @Flag(name: .customLong("make-valid"), help: "Repair invalid geometries instead of refusing them.")
        var makeValid = false
        @OptionGroup var workers: WorkerThreads
        @OptionGroup var stamp: CreatedTime
        @Flag(help: "Print the manifest as JSON.")
        var json = false
        @OptionGroup var reporting: ProgressReporting

        func validate() throws {
            switch (reference, crs, cellSize) {
            case (.some, nil, nil): if extent != nil { throw ValidationError("--extent goes with --crs, not --reference") }
            case (nil, .some, .some): break
            case (.some, _, _): throw ValidationError("give either --reference or --crs with --cell-size, not both")
            default: throw ValidationError("give --reference GRID.tif, or --crs EPSG:N with --cell-size")
            }
            // Malformed arguments are reported by run(), naming the argument.
            if let request = try? makeRequest() { try checkOptions { () throws(OptionError) in try request.validate() } }
            try stamp.validate()
        }

        /// Layer arguments in the older `PATH=NAME` order, which still work for now.
        var oldOrderArguments: [(option: String, argument: String)] {
            [
                ("--raster", raster), ("--categorical", categorical), ("--distance", distance), ("--rasterize", rasterize),
                ("--inside", inside), ("--density", density),
            ].flatMap { option, arguments in
                arguments.filter { LayerArgument.splitAllowingOldOrder($0).oldOrder }.map { (option, $0) }
            }
        }

        func run() throws {
            try runReportingErrors(reporting, step: "prepare") {
                for (option, argument) in oldOrderArguments {
                    let (name, value, _) = LayerArgument.splitAllowingOldOrder(argument)
                    ProgressStream.shared.warning("\(option) \(argument): PATH=NAME is deprecated; write NAME=PATH (\(name!)=\(value))")
                }
                let request = try makeRequest()
                let report = try Preparer.run(request) { line in
                    if !json { print(line) }
                }
                for w in report.manifest.warnings { ProgressStream.shared.warning(w) }
                if json {
                    try printJSON(report.manifest)
                } else {
                    print("stack written to \(out): \(report.manifest.layers.count) layers, stack.vrt and the manifest stack.json")
                }
            }
        }

        func makeRequest() throws -> PrepareRequest {
            let grid: PrepareRequest.GridDefinition
            if let reference {
                grid = .reference(reference)
            } else {
                var box: [Double]?
                if let extent {
                    let parts = extent.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                    guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else {
                        throw PipelineError(nil, "--extent takes XMIN,YMIN,XMAX,YMAX, got \(extent)")
                    }
                    box = parts.map { $0! }
                }
                grid = .definition(crs: crs!, cellSize: cellSize!, extent: box)
            }
            var inputs =
                raster.map { PrepareRequest.Input.raster($0, kind: .continuous) }
                + categorical.map { PrepareRequest.Input.raster($0, kind: .categorical) }
                + distance.map { PrepareRequest.Input.distance($0) }
            inputs += try rasterize.map { try PrepareRequest.Input.rasterize($0) }
            inputs += inside.map { PrepareRequest.Input.inside($0) }
            inputs += try density.map { try PrepareRequest.Input.density($0) }
            for r in resampling {
                guard let eq = r.firstIndex(of: "="), let method = Resampling(rawValue: String(r[r.index(after: eq)...])) else {
                    throw PipelineError(
                        nil,
                        "--resampling takes NAME=METHOD with METHOD one of \(Resampling.allCases.map(\.rawValue).joined(separator: ", ")), got \(r)"
                    )
                }
                let name = String(r[..<eq])
                guard let i = inputs.firstIndex(where: { $0.name == name }), case .raster(let path, let kind, _) = inputs[i].source else {
                    throw PipelineError(nil, "--resampling \(r): no raster layer is named \(name)")
                }
                inputs[i].source = .raster(path: path, kind: kind, resampling: method)
            }
            var request = PrepareRequest(grid: grid, outputDirectory: out, inputs: inputs)
            request.studyArea = studyArea.map { VectorSource(argument: $0) }
            for a in assumeCRS {
                if let eq = a.lastIndex(of: "="), a[..<eq].contains(".") || a[..<eq].contains("/") {
                    let file = String(a[..<eq])
                    let crs = String(a[a.index(after: eq)...])
                    let matching = request.inputs.indices.filter { request.inputs[$0].source.inputPath == file }
                    guard !matching.isEmpty || request.studyArea?.path == file else {
                        throw PipelineError(file, "--assume-crs names a file that is not an input")
                    }
                    for i in matching { request.inputs[i].assumedCRS = crs }
                    if request.studyArea?.path == file, request.assumedCRS == nil { request.studyAreaCRS = crs }
                } else {
                    request.assumedCRS = a
                }
            }
            request.makeValid = makeValid
            if let threads = workers.threads { request.threads = threads }
            request.created = try stamp.time()
            return request
        }
    }
}
