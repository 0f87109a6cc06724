import Foundation
import ProspectCore
import ProspectGDAL

/// A vector input: a file and, optionally, one of its layers (`PATH` or `PATH:LAYER`).
public struct VectorSource: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var layer: String?

    public init(path: String, layer: String? = nil) {
        self.path = path
        self.layer = layer
    }

    /// Parses `PATH` or `PATH:LAYER`. The text after the last colon is a layer name unless the
    /// whole text names an existing file.
    public init(argument: String) {
        if FileManager.default.fileExists(atPath: argument) {
            self.init(path: argument)
            return
        }
        if let colon = argument.lastIndex(of: ":"), colon != argument.startIndex,
            !argument[argument.index(after: colon)...].contains("/")
        {
            let layer = String(argument[argument.index(after: colon)...])
            self.init(path: String(argument[..<colon]), layer: layer.isEmpty ? nil : layer)
        } else {
            self.init(path: argument)
        }
    }

    public var description: String { layer.map { "\(path):\($0)" } ?? path }
    /// The layer name, or the file name without extension, for naming outputs.
    public var baseName: String { layer ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
}

/// Everything `prospect prepare` needs: the grid, the study area, the inputs.
public struct PrepareRequest: Sendable {
    /// Where the grid comes from.
    public enum GridDefinition: Sendable {
        /// Exactly the grid (CRS, origin, cell size, size) of an existing raster.
        case reference(String)
        /// A CRS (anything GDAL reads, e.g. "EPSG:32750"), a cell size in CRS units, and an
        /// extent [xmin, ymin, xmax, ymax] (nil: the study area's), snapped outward to whole cells.
        case definition(crs: String, cellSize: Double, extent: [Double]?)
    }

    /// How one evidence layer is made.
    public enum Source: Sendable, Equatable {
        /// A raster in any GDAL format and CRS, warped onto the grid. Resampling nil: bilinear
        /// (continuous) or nearest (categorical), average or mode when the grid is coarser.
        case raster(path: String, kind: LayerKind, resampling: Resampling?)
        /// Distance in grid units (metres) from each cell centre to the nearest feature.
        case distance(VectorSource)
        /// A field burned as classes (text values get codes 1…n in sorted order; integers stay
        /// themselves; real numbers make a continuous layer). Field nil: 1 inside a feature, 0 outside.
        case rasterize(VectorSource, field: String?)
        /// Point count or line length per km² within `radius` (grid units) of each cell centre.
        case density(VectorSource, radius: Double)

        public var inputPath: String {
            switch self {
            case .raster(let path, _, _): return path
            case .distance(let v), .rasterize(let v, _), .density(let v, _): return v.path
            }
        }
    }

    public struct Input: Sendable, Equatable {
        public var name: String
        public var source: Source
        /// The CRS to assume when the input declares none (overrides the request's).
        public var assumedCRS: String?
        public init(name: String, source: Source, assumedCRS: String? = nil) {
            self.name = name
            self.source = source
            self.assumedCRS = assumedCRS
        }
    }

    public var grid: GridDefinition
    public var studyArea: VectorSource?
    /// The CRS to assume for the study area when it declares none (overrides `assumedCRS`).
    public var studyAreaCRS: String?
    public var outputDirectory: String
    public var inputs: [Input]
    /// The CRS to assume for inputs that declare none.
    public var assumedCRS: String?
    /// Repair invalid geometries (GDAL's make-valid) instead of refusing them.
    public var makeValid = false
    public var threads = ProcessInfoCores.active
    /// The manifest's `created`; nil: the time of writing.
    public var created: CreationTime? = nil
    /// Nodata value of every prepared layer.
    public var nodata: Double = -9999
    /// Only this part of the grid (a shard); nil: the whole grid.
    public var window: PrepareWindow? = nil

    public init(grid: GridDefinition, outputDirectory: String, inputs: [Input] = []) {
        self.grid = grid
        self.outputDirectory = outputDirectory
        self.inputs = inputs
    }
}

extension PrepareRequest {
    /// The files a prepare run reads (the reference grid, the study area, every input) and
    /// the files it writes in the output folder (NAME.tif for each layer, stack.vrt and
    /// stack.json), built in a staging folder beside it; other files in that folder are left
    /// alone.
    /// - Parameter writer: what names the output folder in messages ("--out").
    public func paths(writer: String) -> OutputGuard {
        var paths = OutputGuard()
        if case .reference(let path) = grid { paths.input(path, "the reference grid") }
        if let studyArea { paths.input(studyArea.path, "the study area") }
        for input in inputs {
            let kind = if case .raster = input.source { "raster" } else { "vector" }
            paths.input(input.source.inputPath, "the \(kind) of layer \(input.name)")
        }
        for name in inputs.map({ $0.name + ".tif" }) + ["stack.vrt", StackManifest.fileName] {
            paths.output(outputDirectory + "/" + name, writer)
        }
        paths.folder(outputDirectory)
        return paths
    }
}

extension PrepareRequest.Input {
    /// Splits `NAME=SPEC` (or the older `SPEC=NAME`, see `LayerArgument`); the name defaults
    /// to `defaultName(spec)`.
    static func named(_ argument: String, defaultName: (String) -> String) -> (spec: String, name: String) {
        let (name, spec, _) = LayerArgument.splitAllowingOldOrder(argument)
        return (spec, name ?? defaultName(spec))
    }

    /// `[NAME=]PATH` for a raster.
    public static func raster(_ argument: String, kind: LayerKind) -> PrepareRequest.Input {
        let (spec, name) = named(argument) { DatasetName.layerName(for: $0) }
        return .init(name: name, source: .raster(path: spec, kind: kind, resampling: nil))
    }

    /// `[NAME=]VECTOR[:LAYER]`; the name defaults to `distance_LAYER`.
    public static func distance(_ argument: String) -> PrepareRequest.Input {
        let (spec, name) = named(argument) { "distance_" + VectorSource(argument: $0).baseName }
        return .init(name: name, source: .distance(VectorSource(argument: spec)))
    }

    /// `[NAME=]VECTOR[:LAYER]:FIELD`; the name defaults to the field's.
    /// - Throws: when there is no `:FIELD`.
    public static func rasterize(_ argument: String) throws -> PrepareRequest.Input {
        let (spec, name) = named(argument) { spec in
            spec.lastIndex(of: ":").map { String(spec[spec.index(after: $0)...]) } ?? spec
        }
        guard let colon = spec.lastIndex(of: ":"), colon != spec.startIndex, spec.index(after: colon) != spec.endIndex else {
            throw PipelineError(spec, "--rasterize takes [NAME=]VECTOR[:LAYER]:FIELD; use --inside for a polygon mask without a field")
        }
        return .init(
            name: name,
            source: .rasterize(
                VectorSource(argument: String(spec[..<colon])),
                field: String(spec[spec.index(after: colon)...])))
    }

    /// `[NAME=]VECTOR[:LAYER]`: 1 inside the features, 0 outside; name defaults to `inside_LAYER`.
    public static func inside(_ argument: String) -> PrepareRequest.Input {
        let (spec, name) = named(argument) { "inside_" + VectorSource(argument: $0).baseName }
        return .init(name: name, source: .rasterize(VectorSource(argument: spec), field: nil))
    }

    /// `[NAME=]VECTOR[:LAYER]@RADIUS`; the name defaults to `density_LAYER`.
    /// - Throws: when the radius is missing or not a positive number.
    public static func density(_ argument: String) throws -> PrepareRequest.Input {
        let (spec, name) = named(argument) { spec in
            "density_" + VectorSource(argument: String(spec[..<(spec.lastIndex(of: "@") ?? spec.endIndex)])).baseName
        }
        guard let at = spec.lastIndex(of: "@"), let radius = Double(spec[spec.index(after: at)...]) else {
            throw PipelineError(spec, "--density takes [NAME=]VECTOR[:LAYER]@RADIUS_M with the radius in metres")
        }
        return .init(name: name, source: .density(VectorSource(argument: String(spec[..<at])), radius: radius))
    }
}

/// Paths as shown to the user: relative to the working folder when inside it.
public enum DisplayPath {
    public static func of(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return absolute.hasPrefix(cwd + "/") ? String(absolute.dropFirst(cwd.count + 1)) : path
    }

    public static func of(_ source: VectorSource) -> String {
        source.layer.map { "\(of(source.path)):\($0)" } ?? of(source.path)
    }
}
