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
        switch check(node, within: &budget) {
        case .tooLarge:
            throw PipelineError(
                path, "its YAML aliases expand to more than \(maxNodes) nodes (nested anchors?); write the values out instead")
        case .keyNotText:
            throw PipelineError(path, "a mapping key is itself a list or a mapping; keys are names (text)")
        case .sexagesimal(let text):
            throw PipelineError(path, "\(text.prefix(40)) is a base-60 number (like 1:30); write it in decimal")
        case nil:
            return node.any
        }
    }

    /// What makes a composed document unusable.
    private enum Problem { case tooLarge, keyNotText, sexagesimal(String) }

    /// Counts `node` and everything under it, aliases expanded, against `budget` (stopping as
    /// soon as it runs out, so the count itself stays bounded), and checks every mapping key is
    /// a scalar (Yams builds mappings with text keys and traps on any other) and no integer is
    /// written in base 60.
    private static func check(_ node: Node, within budget: inout Int) -> Problem? {
        budget -= 1
        guard budget >= 0 else { return .tooLarge }
        switch node {
        case .scalar(let scalar):
            // Yams reads YAML 1.1 base-60 integers (`1:30`) with overflowing multiplication,
            // which traps on long ones (found by the study-yaml fuzz target).
            if node.tag.rawValue == Tag.Name.int.rawValue, scalar.string.contains(":") { return .sexagesimal(scalar.string) }
            return nil
        case .alias: return nil
        case .sequence(let items):
            for item in items { if let p = check(item, within: &budget) { return p } }
            return nil
        case .mapping(let pairs):
            for (key, value) in pairs {
                guard case .scalar = key else { return .keyNotText }
                if let p = check(value, within: &budget) { return p }
            }
            return nil
        }
    }
}
