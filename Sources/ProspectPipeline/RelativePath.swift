import Foundation
import ProspectGDAL

/// Relative paths between files, so a model and its layers can move together.
public enum RelativePath {
    /// `path` relative to `directory` when both are on the same tree, else the absolute path.
    /// A GDAL name that is not a plain path (`GPKG:out.gpkg:grav`, `/vsizip/a.zip/b.tif`) is
    /// kept with the file it names made absolute.
    public static func make(_ path: String, from directory: String) -> String {
        guard DatasetName.isPlainPath(path) else {
            return DatasetName.absolute(path, base: FileManager.default.currentDirectoryPath)
        }
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var i = 0
        while i < min(target.count, base.count), target[i] == base[i] { i += 1 }
        guard i > 1 else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return (Array(repeating: "..", count: base.count - i) + target[i...]).joined(separator: "/")
    }

    /// Resolves a path stored relative to `directory`; in a GDAL name, the file it names.
    public static func resolve(_ path: String, from directory: String) -> String {
        guard DatasetName.isPlainPath(path) else { return DatasetName.absolute(path, base: directory) }
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}
