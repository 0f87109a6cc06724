import Foundation
import ProspectCore

/// The one way every command names a layer on the command line: `NAME=VALUE`, or `VALUE`
/// alone (the name then comes from the value, e.g. the file name).
public enum LayerArgument {
    /// `NAME=VALUE` splits at the first `=` when the text before it holds no `/` (so a path
    /// with `=` in a folder name stays whole); otherwise the whole text is the value.
    public static func split(_ text: String) -> (name: String?, value: String) {
        if let eq = text.firstIndex(of: "="), eq != text.startIndex, !text[..<eq].contains("/") {
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
        return (nil, text)
    }

    /// Like `split`, and also reads the older `VALUE=NAME` order of `prepare` (a path or vector
    /// source, then a plain name): `oldOrder` is then true so the caller can warn.
    public static func splitAllowingOldOrder(_ text: String) -> (name: String?, value: String, oldOrder: Bool) {
        if let eq = text.lastIndex(of: "="), eq != text.startIndex {
            let before = text[..<eq]
            let after = text[text.index(after: eq)...]
            let pathLike = before.contains { "/.:@".contains($0) }
            if pathLike, isPlainName(after), !isPlainName(before.prefix { $0 != "=" }) {
                return (String(after), String(before), true)
            }
        }
        let (name, value) = split(text)
        return (name, value, false)
    }

    /// A layer name as a user types one: letters, digits, `_` and `-`, not empty.
    static func isPlainName(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}

extension LayerTransform {
    /// Parses a layer's transform specs (`--transform NAME=SPEC`, a study layer's `transforms:`).
    /// - Throws: `OptionError` for `--transform` naming the layer and the spec's problem.
    public static func parse(_ specs: [String], layer: String) throws(OptionError) -> [LayerTransform] {
        var out: [LayerTransform] = []
        for spec in specs {
            do { out.append(try LayerTransform(parsing: spec)) } catch {
                throw OptionError(.transform, layer: layer, "\(error)")
            }
        }
        return out
    }
}
