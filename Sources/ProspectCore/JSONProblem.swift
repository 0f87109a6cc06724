import Foundation

/// Says in one line what is wrong with JSON that failed to decode, and where: the key path
/// (`model.terms[0].step.threshold`) and what was expected there.
///
/// Foundation's `JSONDecoder` names the path of a missing key or a value of the wrong type, but
/// on Linux a number that does not fit its field (`1e400`, a fraction or `1e20` for an `Int`,
/// `1e39` for a `Float`) and a syntax error both come out as "The given data was not valid
/// JSON", with no path. For those, `JSONScan` finds the first syntax error (with its line and
/// column), or a number that fails: numbers that could fail are set to 0 and the decode tried
/// again, until the failure goes away.
public enum JSONProblem {
    /// The one-line description of `error`, thrown when decoding `data`.
    /// - Parameters:
    ///   - decode: decodes data the same way as the call that failed, to find which number failed.
    /// - Returns: `PATH: what was expected` for a value that is wrong, `not valid JSON: line L,
    ///   column C: …` for a syntax error.
    public static func describe(_ error: any Error, in data: Data, decode: (Data) throws -> Void) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            let missing = "missing \"\(key.stringValue)\""
            return context.codingPath.isEmpty ? missing : "\(path(context.codingPath)): \(missing)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type))\(found(context.debugDescription))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type)), found null"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "\(path(context.codingPath)): \(corrupted(context.debugDescription))"
        case .dataCorrupted:
            return unreadable(data, decode: decode)
        @unknown default:
            return "\(error)"
        }
    }

    /// The key path as JSON readers write it: `layers[2].kind`; `(top level)` for the root.
    public static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        return text.isEmpty ? "(top level)" : String(text.drop { $0 == "." })
    }

    /// "a number", "an integer", … for the Swift type a decoder expected.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Float.Type, is Double.Type: return "a number"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt8.Type,
            is UInt16.Type, is UInt32.Type, is UInt64.Type:
            return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a value of type \(name)"
        }
    }

    /// ", found a string" from Foundation's "Expected to decode Float but found a string instead."
    static func found(_ debugDescription: String) -> String {
        guard let start = debugDescription.range(of: "but found "),
            let end = debugDescription.range(of: " instead", range: start.upperBound..<debugDescription.endIndex)
        else { return "" }
        var what = String(debugDescription[start.upperBound..<end.lowerBound])
        switch what {
        case "a dictionary": what = "an object"
        case "number": what = "a number"
        case "bool", "a bool": what = "true or false"
        default: break
        }
        return ", found " + what
    }

    /// Foundation's "Cannot initialize LayerKind from invalid String value weird" as
    /// `"weird" is not a valid value`; any other text (a transform's own message) as it is.
    static func corrupted(_ debugDescription: String) -> String {
        if let r = debugDescription.range(of: "from invalid String value ") {
            return "\"\(debugDescription[r.upperBound...])\" is not a valid value here"
        }
        if let r = debugDescription.range(of: "from invalid Int value ") {
            return "\(debugDescription[r.upperBound...]) is not a valid value here"
        }
        return debugDescription
    }

    /// The syntax error, or a number that does not fit its field, of JSON that failed to decode
    /// with no path.
    ///
    /// The suspicious numbers (out of range, or not integers) are set to 0 in order of suspicion;
    /// a binary search finds the shortest such prefix that lets the decode get past them (about
    /// log2(n) decodes). Its last number fails with the ones before it set to 0.
    static func unreadable(_ data: Data, decode: (Data) throws -> Void) -> String {
        let scan = JSONScan(data)
        if let syntax = scan.syntaxError { return "not valid JSON: \(syntax)" }
        let bytes = [UInt8](data)
        let candidates = scan.numbers.enumerated().filter { $0.element.suspicion > 0 }
            .sorted { ($0.element.suspicion, -$0.offset) > ($1.element.suspicion, -$1.offset) }.map(\.element)
        /// True when the decode still fails with no path after the first `count` candidates are 0.
        func stillUnreadable(_ count: Int) -> Bool {
            var patched = bytes
            for number in candidates.prefix(count).sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                patched.replaceSubrange(number.range, with: [UInt8(ascii: "0")])
            }
            do { try decode(Data(patched)) } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                return true
            } catch {}
            return false
        }
        guard !candidates.isEmpty, !stillUnreadable(candidates.count) else { return "not valid JSON" }
        var low = 0  // still unreadable with `low` set to 0
        var high = candidates.count  // readable with `high` set to 0
        while high - low > 1 {
            let mid = (low + high) / 2
            if stillUnreadable(mid) { low = mid } else { high = mid }
        }
        let number = candidates[high - 1]
        return "\(number.path): \(number.problem)"
    }
}

/// A small JSON reader that records each number's key path and bytes, and the first syntax
/// error with its line and column (RFC 8259; nesting deeper than 512 is an error, as for
/// Foundation's reader).
struct JSONScan {
    struct Number {
        var path: String
        var literal: String
        var range: Range<Int>

        /// How likely this number is to be the one that failed: beyond any Double first, then
        /// beyond a Float, then not an Int, then nothing suspicious (0).
        var suspicion: Int {
            guard let value = Double(literal) else { return 4 }
            if !value.isFinite { return 4 }
            if abs(value) > Double(Float.greatestFiniteMagnitude) { return 3 }
            if value.rounded() != value || abs(value) >= 0x1p63 { return 2 }
            if literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) || literal.hasPrefix("-") { return 1 }
            return 0
        }

        /// What is wrong with the number, for the message.
        var problem: String {
            let value = Double(literal) ?? .infinity
            if !value.isFinite { return "\(literal) is out of range (numbers end at ±1.8e308)" }
            if abs(value) > Double(Float.greatestFiniteMagnitude) {
                return "\(literal) is out of range for a 32-bit number (±3.4e38)"
            }
            if value.rounded() != value { return "expected an integer, found \(literal)" }
            if abs(value) >= 0x1p63 { return "\(literal) is out of range for an integer (±9.2e18)" }
            return "\(literal) is not a value this field can hold"
        }
    }

    private(set) var numbers: [Number] = []
    private(set) var syntaxError: String?
    private let bytes: [UInt8]
    private var i = 0
    private var keys: [String] = []

    init(_ data: Data) {
        bytes = [UInt8](data)
        do throws(Failure) {
            skipSpace()
            try value(depth: 0)
            skipSpace()
            if i < bytes.count { throw fail("unexpected text after the end of the JSON value") }
        } catch {
            syntaxError = error.text
        }
    }

    private struct Failure: Error { var text: String }

    private func fail(_ what: String) -> Failure {
        var line = 1
        var column = 1
        for b in bytes[0..<min(i, bytes.count)] {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Failure(text: "line \(line), column \(column): \(what)")
    }

    private var path: String {
        let text = keys.joined()
        return text.isEmpty ? "(top level)" : String(text.drop { $0 == "." })
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard depth < 512 else { throw fail("nested more than 512 levels deep") }
        guard i < bytes.count else { throw fail("the text ends where a value was expected") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                i += 1
                skipSpace()
                keys.append("." + key)
                try value(depth: depth + 1)
                keys.removeLast()
                skipSpace()
                guard i < bytes.count else { throw fail("the text ends inside an object") }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return
                }
                guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
                i += 1
                skipSpace()
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return
            }
            var index = 0
            while true {
                keys.append("[\(index)]")
                try value(depth: depth + 1)
                keys.removeLast()
                index += 1
                skipSpace()
                guard i < bytes.count else { throw fail("the text ends inside an array") }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return
                }
                guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
                i += 1
                skipSpace()
            }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        default:
            for word in ["true", "false", "null"] where bytes[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return
            }
            throw fail("expected a value")
        }
    }

    private mutating func string() throws(Failure) -> String {
        let start = i
        i += 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                let inner = bytes[(start + 1)..<(i - 1)]
                return String(decoding: inner, as: UTF8.self)
            case UInt8(ascii: "\\"):
                i += 2
            case 0..<0x20:
                throw fail("a control character inside a string")
            default:
                i += 1
            }
        }
        throw fail("the text ends inside a string")
    }

    private mutating func number() throws(Failure) {
        let start = i
        func digits(_ i: inout Int, _ bytes: [UInt8]) -> Int {
            let s = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let first = i
        let count = digits(&i, bytes)
        guard count > 0 else { throw fail("expected a digit") }
        if count > 1, bytes[first] == UInt8(ascii: "0") { throw fail("a number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&i, bytes) > 0 else { throw fail("expected a digit after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&i, bytes) > 0 else { throw fail("expected a digit in the exponent") }
        }
        numbers.append(Number(path: path, literal: String(decoding: bytes[start..<i], as: UTF8.self), range: start..<i))
    }
}
