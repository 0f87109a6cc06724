import Foundation

/// Relative paths between files, so a model and its layers can move together.
public enum RelativePath {
    /// `path` relative to `directory` when both are on the same tree, else the absolute path.
    public static func make(_ path: String, from directory: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var i = 0
        while i < min(target.count, base.count), target[i] == base[i] { i += 1 }
        guard i > 1 else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return (Array(repeating: "..", count: base.count - i) + target[i...]).joined(separator: "/")
    }

    /// Resolves a path stored relative to `directory`.
    public static func resolve(_ path: String, from directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}
