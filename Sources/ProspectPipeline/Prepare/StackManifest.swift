import Foundation
import ProspectCore

/// What `prospect prepare` wrote: the grid, each evidence layer and where it came from.
///
/// Stored as `stack.json` in the output folder, written last, so a folder holding a manifest
/// is complete. `train` and `score` accept the folder (or the manifest) in place of a list of
/// layers. Paths are relative to the manifest's folder so the folder can move.
public struct StackManifest: Codable, Sendable {
    public static let formatName = "prospect-stack"
    public static let currentVersion = 1
    public static let fileName = "stack.json"

    public struct GridRecord: Codable, Sendable, Equatable {
        /// "EPSG:N" when the CRS has a code, else its name.
        public var crs: String
        public var crsWKT: String
        public var columns: Int
        public var rows: Int
        /// GDAL's six geotransform coefficients.
        public var geoTransform: [Double]
        public var cellWidth: Double
        public var cellHeight: Double
        public var extent: [Double]
    }

    /// One prepared layer.
    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        /// The GeoTIFF, relative to the manifest.
        public var path: String
        public var kind: LayerKind
        /// The input it was made from (as given).
        public var source: String
        /// How it was made, e.g. "warp bilinear", "distance to lines", "rasterize field rock".
        public var method: String
        /// Units of the values, when known ("m", "count/km²", "km/km²", "class").
        public var units: String?
        /// Class code → label, for categorical layers.
        public var legend: [String: String]?
        /// Cells holding a value, and their range.
        public var validCells: Int
        public var minimum: Double?
        public var maximum: Double?
    }

    public var format: String
    public var formatVersion: Int
    public var tool: String
    public var created: String
    public var grid: GridRecord
    /// The study area that masks every layer, as given.
    public var studyArea: String?
    /// Cells inside the study area (every cell when there is none).
    public var studyAreaCells: Int
    /// Nodata value of every layer.
    public var nodata: Double
    public var layers: [Layer]
    /// A VRT with one band per layer, in order, relative to the manifest.
    public var vrt: String
    /// Things the user should know about the inputs.
    public var warnings: [String]

    /// The manifest path for a folder or a manifest path.
    public static func path(for folderOrFile: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folderOrFile, isDirectory: &isDir), isDir.boolValue {
            return URL(fileURLWithPath: folderOrFile).appendingPathComponent(fileName).path
        }
        return folderOrFile
    }

    /// Reads a manifest, given its folder or its path.
    /// - Throws: `PipelineError` naming the file: missing (with a hint that `prepare` did not
    ///   finish), not a manifest, or of a newer format.
    public static func load(_ folderOrFile: String) throws -> StackManifest {
        let path = Self.path(for: folderOrFile)
        guard let data = FileManager.default.contents(atPath: path) else {
            if folderOrFile != path {
                throw PipelineError(
                    folderOrFile, "holds no \(fileName); run prospect prepare to fill it (an interrupted prepare leaves none)")
            }
            throw PipelineError(path, "no such file")
        }
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try JSONDecoder().decode(Header.self, from: $0) }
            throw PipelineError(path, problem.hasPrefix("not valid JSON") ? problem : "malformed stack manifest: \(problem)")
        }
        guard header.format == formatName else {
            throw PipelineError(path, "not a Prospect stack manifest (missing \"format\": \"\(formatName)\")")
        }
        guard let version = header.formatVersion, version <= currentVersion else {
            throw PipelineError(
                path,
                "stack manifest format version \(header.formatVersion ?? 0) is newer than this prospect reads (\(currentVersion)); upgrade prospect"
            )
        }
        do { return try JSONDecoder().decode(StackManifest.self, from: data) } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try JSONDecoder().decode(StackManifest.self, from: $0) }
            throw PipelineError(path, "malformed stack manifest: \(problem)")
        }
    }

    /// The layers of the stack at `folderOrFile` as specs with absolute paths, legends keyed by
    /// layer name; none when `folderOrFile` is nil.
    /// - Throws: `PipelineError` naming the manifest, as `load`.
    public static func layerSpecs(of folderOrFile: String?) throws -> (specs: [LayerSpec], legends: [String: [String: String]]) {
        guard let folderOrFile else { return ([], [:]) }
        return try load(folderOrFile).layerSpecs(manifestPath: path(for: folderOrFile))
    }

    /// The layers as specs with absolute paths, legends keyed by layer name.
    public func layerSpecs(manifestPath: String) -> (specs: [LayerSpec], legends: [String: [String: String]]) {
        let dir = URL(fileURLWithPath: manifestPath).deletingLastPathComponent().path
        var legends: [String: [String: String]] = [:]
        for l in layers { if let legend = l.legend { legends[l.name] = legend } }
        return (layers.map { LayerSpec(name: $0.name, path: RelativePath.resolve($0.path, from: dir), kind: $0.kind) }, legends)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
