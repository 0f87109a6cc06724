import Foundation

/// Refuses, before anything is written, a command whose output would overwrite one of its
/// inputs or another of its outputs.
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

    /// A file the command writes, and what writes it ("--out").
    public struct Output {
        public var path: String
        public var writer: String
    }

    public private(set) var inputs: [Input] = []
    public private(set) var outputs: [Output] = []

    public init() {}

    /// Adds a file the command reads.
    public mutating func input(_ path: String, _ role: String) { inputs.append(Input(path, role)) }

    /// Adds a file the command writes.
    public mutating func output(_ path: String, _ writer: String) { outputs.append(Output(path: path, writer: writer)) }

    /// Checks every output against every input and every other output, and that it can be
    /// written: not a folder, in a folder that can be written to (when the folder exists).
    /// - Throws: `PipelineError` naming the output: "--out would overwrite an input of this
    ///   command (the map)", "--tiles-out would overwrite another output of this command
    ///   (--out)", "--out is a folder; give a file name", "cannot write: Read-only file system".
    public func check() throws {
        let inputKeys = inputs.map { Self.identity($0.path) }
        var outputKeys: [String] = []
        for output in outputs {
            try Self.checkWritable(output)
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
