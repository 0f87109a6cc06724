import Foundation

/// Leaflet's script and style sheet, read when a report is written and inlined into it, so the
/// report loads nothing from anywhere.
///
/// They come from Debian's `libjs-leaflet` package (`scripts/setup.sh` installs it), in
/// /usr/share/javascript/leaflet/, or from the folder `PROSPECT_LEAFLET_DIR` names: the
/// minified script when the folder has one (141 KB against 431 KB), else `leaflet.js`, and
/// `leaflet.css`. Source-map comments are dropped (a browser's developer tools would fetch the
/// map file).
public struct LeafletAssets: Sendable {
    public var script: String
    public var styleSheet: String
    /// The folder they were read from.
    public var folder: String

    public static let defaultFolder = "/usr/share/javascript/leaflet"

    /// The folder to read from: `PROSPECT_LEAFLET_DIR`, else Debian's.
    public static var folderInUse: String {
        ProcessInfo.processInfo.environment["PROSPECT_LEAFLET_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultFolder
    }

    /// Reads the assets.
    /// - Throws: `PipelineError` naming the missing file and the package that provides it.
    public static func load(folder: String = folderInUse) throws -> LeafletAssets {
        let fm = FileManager.default
        let minified = folder + "/leaflet.min.js"
        let plain = folder + "/leaflet.js"
        let css = folder + "/leaflet.css"
        let scriptPath = fm.fileExists(atPath: minified) ? minified : plain
        for path in [scriptPath, css] where !fm.fileExists(atPath: path) {
            throw PipelineError(
                path,
                "Leaflet is needed for the report's map and was not found; install it with apt-get install libjs-leaflet (or set PROSPECT_LEAFLET_DIR to a folder holding leaflet.js and leaflet.css)"
            )
        }
        func read(_ path: String) throws -> String {
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw PipelineError(path, "could not be read as UTF-8 text")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("//# sourceMappingURL=") && !$0.hasPrefix("/*# sourceMappingURL=") }
                .joined(separator: "\n")
        }
        let script = try read(scriptPath)
        // An inline script ends at the first "</script": Leaflet holds none, and must not.
        guard !script.lowercased().contains("</script") else {
            throw PipelineError(scriptPath, "holds \"</script\" and cannot be inlined")
        }
        return LeafletAssets(script: script, styleSheet: try read(css), folder: folder)
    }
}
