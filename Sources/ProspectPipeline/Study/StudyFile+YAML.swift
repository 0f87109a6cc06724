import Foundation
import Yams

extension StudyFile {
    /// Study files larger than this are refused unread: a study of a hundred layers is a few
    /// kilobytes.
    public static let maxBytes = 1 << 20
    /// YAML nodes a study file may hold once its aliases are expanded.
    ///
    /// An alias stands for a whole copy of its anchor's node, so nested aliases grow
    /// exponentially: a 430-byte "billion laughs" file grew memory by ~120 MB/s before any key
    /// was checked. The tree is composed first (aliases shared, not copied) and its expanded
    /// size counted, stopping at this limit, before any Swift value is built from it.
    public static let maxNodes = 100_000

    /// Reads `path` as one YAML document, within `maxBytes` and `maxNodes`.
    /// - Returns: the document as Swift values (`Yams.Node.any`), nil for an empty file.
    /// - Throws: `PipelineError` naming the file: missing, unreadable, too large, not YAML,
    ///   or expanding to too many nodes.
    static func readYAML(_ path: String) throws -> Any? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PipelineError(path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        defer { try? handle.close() }  // read-only: nothing to flush
        // One byte over the limit tells a file that is too large without reading all of it.
        guard let data = try? handle.read(upToCount: maxBytes + 1) else { throw PipelineError(path, "cannot be read") }
        guard data.count <= maxBytes else {
            throw PipelineError(path, "larger than \(maxBytes) bytes (1 MiB); a study file is a few kilobytes of YAML")
        }
        let text = String(decoding: data, as: UTF8.self)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            let message = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            throw PipelineError(path, "not valid YAML: \(message)")
        }
        guard let node else { return nil }
        var budget = maxNodes
        guard count(node, within: &budget) else {
            throw PipelineError(
                path, "its YAML aliases expand to more than \(maxNodes) nodes (nested anchors?); write the values out instead")
        }
        return node.any
    }

    /// Counts `node` and everything under it, aliases expanded, against `budget`; false as soon
    /// as the budget runs out, so the count itself stays bounded.
    private static func count(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let items):
            for item in items where !count(item, within: &budget) { return false }
            return true
        case .mapping(let pairs):
            for (key, value) in pairs where !count(key, within: &budget) || !count(value, within: &budget) { return false }
            return true
        }
    }
}
