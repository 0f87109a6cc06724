import Foundation
import ProspectGDAL

/// Refuses, before anything is written, a command whose output would overwrite one of its
/// inputs or another of its outputs; then clears what killed runs left of those outputs.
///
/// Every path is compared by what it names, not how it is spelled: an existing file by its
/// device and inode (so `./a.tif`, `dir/../a.tif`, a symbolic link to it and a hard link to it
/// are all the same file), a file that does not exist yet by its real folder (symbolic links
/// resolved, the corresponding C function is `realpath`) and its name. A command that writes
/// into a folder lists the files it writes there, so an input elsewhere in that folder is
/// left alone and allowed.
public struct OutputGuard {
    /// A file the command reads, and what it is to the command ("the map").
    public struct Input {
        public var path: String
        public var role: String
        public init(_ path: String, _ role: String) {
            self.path = path
            self.role = role
        }
    }

    /// A file the command writes, what writes it ("--out"), and in what format.
    public struct Output {
        public var path: String
        public var writer: String
        public var format: OutputFormat?
    }

    /// The format of an output, which its name must end with: a GeoTIFF named `map.png` would
    /// be taken for a PNG by every other program.
    public enum OutputFormat: Sendable {
        case geoTIFF, geoJSON, csv, model
        /// GeoJSON, GeoPackage or FlatGeobuf, by the extension (`VectorFormat`).
        case vector

        /// "a GeoTIFF", for messages.
        public var name: String {
            switch self {
            case .geoTIFF: "a GeoTIFF"
            case .geoJSON: "GeoJSON"
            case .csv: "CSV"
            case .model: "a model file (JSON)"
            case .vector: "GeoJSON, GeoPackage or FlatGeobuf"
            }
        }

        /// The extensions the name may end with (compared ignoring case), the usual one first.
        public var extensions: [String] {
            switch self {
            case .geoTIFF: ["tif", "tiff"]
            case .geoJSON: ["geojson", "json"]
            case .csv: ["csv"]
            case .model: ["json"]
            case .vector: ["geojson", "json", "gpkg", "fgb"]
            }
        }
    }

    public private(set) var inputs: [Input] = []
    public private(set) var outputs: [Output] = []
    /// Folders the command builds whole in a staging folder beside them (prepare's output).
    public private(set) var folders: [String] = []

    public init() {}

    /// Adds a file the command reads.
    public mutating func input(_ path: String, _ role: String) { inputs.append(Input(path, role)) }

    /// Adds a file the command writes; with a `format`, its name must end with one of the
    /// format's extensions.
    public mutating func output(_ path: String, _ writer: String, format: OutputFormat? = nil) {
        outputs.append(Output(path: path, writer: writer, format: format))
    }

    /// Adds a folder the command builds in a staging folder beside it.
    public mutating func folder(_ path: String) { folders.append(path) }

    /// Checks the outputs (`check`), then removes the temporaries that processes no longer
    /// running left for them (`StaleTemporaries`): a command killed while writing (SIGKILL
    /// cannot be caught) leaves its temporaries until the next command that writes the same
    /// outputs. Temporaries of running processes and every other file are left alone.
    /// - Throws: what `check` throws; nothing is removed then.
    public func claim() throws {
        try check()
        StaleTemporaries.remove(of: outputs.map(\.path) + folders)
    }

    /// Checks every output against every input and every other output, then that it can be
    /// written (not a folder, in a folder that can be written to, when the folder exists) and
    /// that its name ends as its format's files do.
    /// - Throws: `PipelineError` naming the output: "--out would overwrite an input of this
    ///   command (the map)", "--tiles-out would overwrite another output of this command
    ///   (--out)", "--out is a folder; give a file name", "cannot write: Read-only file system",
    ///   "--out writes a GeoTIFF; give a name ending in .tif or .tiff".
    public func check() throws {
        let inputKeys = inputs.map { Self.identity($0.path) }
        var outputKeys: [String] = []
        for output in outputs {
            let key = Self.identity(output.path)
            if let i = inputKeys.firstIndex(of: key) {
                throw PipelineError(
                    DisplayPath.of(output.path), "\(output.writer) would overwrite an input of this command (\(inputs[i].role))")
            }
            if let o = outputKeys.firstIndex(of: key) {
                throw PipelineError(
                    DisplayPath.of(output.path), "\(output.writer) would overwrite another output of this command (\(outputs[o].writer))")
            }
            outputKeys.append(key)
        }
        for output in outputs {
            try Self.checkWritable(output)
            try Self.checkExtension(output)
        }
    }

    /// Refuses an output whose name does not end with an extension of its format.
    /// - Throws: `PipelineError` "--out writes a GeoTIFF; give a name ending in .tif or .tiff".
    static func checkExtension(_ output: Output) throws {
        guard let format = output.format else { return }
        let ext = (output.path as NSString).pathExtension.lowercased()
        guard !format.extensions.contains(ext) else { return }
        let names = format.extensions.map { "." + $0 }
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
        throw PipelineError(DisplayPath.of(output.path), "\(output.writer) writes \(format.name); give a name ending in \(list)")
    }

    /// Refuses an output that names a folder, or whose folder exists but cannot be written to
    /// (a folder that does not exist yet is created, or reported, by the command).
    static func checkWritable(_ output: Output) throws {
        var info = stat()
        if stat(output.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw PipelineError(DisplayPath.of(output.path), "\(output.writer) is a folder; give a file name")
        }
        let folder = (output.path as NSString).deletingLastPathComponent
        var folderInfo = stat()
        if stat(folder.isEmpty ? "." : folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR {
            try OutputFiles.checkWritable(folder: folder, for: output.path)
        }
    }

    /// What `path` names: the device and inode of an existing file, else its resolved path.
    static func identity(_ path: String) -> String {
        let real = resolved(path)
        var info = stat()
        if stat(real, &info) == 0 { return "file \(info.st_dev) \(info.st_ino)" }
        return "path " + real
    }

    /// `path` made absolute with symbolic links resolved; for a file that does not exist, its
    /// folder resolved and its name appended. The corresponding C function is `realpath`
    /// (NULL on failure, when the path or its folder does not exist).
    static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let folder = (absolute as NSString).deletingLastPathComponent
        let name = (absolute as NSString).lastPathComponent
        guard let real = realpath(folder, nil) else { return absolute }
        defer { free(real) }
        let base = String(cString: real)
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }
}
