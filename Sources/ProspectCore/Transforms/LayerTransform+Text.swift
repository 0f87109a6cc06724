import Foundation

// The text form `kind[:key=value,…]`, used on the command line and in model files.

extension LayerTransform: CustomStringConvertible {
    /// A transform text that could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        /// The text as given.
        public var text: String
        /// What is wrong with it.
        public var problem: String
        public var description: String { "bad transform \"\(Echo.short(text))\": \(problem)" }
    }

    /// The kinds of the text form, in the order of the cases.
    public static let kinds = [
        "minmax", "zscore", "log", "clip", "reclass", "fuzzy-linear", "fuzzy-small",
        "fuzzy-large", "fuzzy-gaussian", "fuzzy-near", "fuzzy-power",
    ]

    /// Keys each kind accepts, in canonical order (aliases not included).
    static func keys(of kind: String) -> [String] {
        switch kind {
        case "minmax", "fuzzy-linear": ["min", "max"]
        case "fuzzy-power": ["min", "max", "exponent"]
        case "zscore": ["mean", "std"]
        case "log": ["offset"]
        case "clip": ["lower", "upper"]
        case "reclass": ["breaks", "values"]
        default: ["midpoint", "spread"]
        }
    }

    /// Reads the text form `kind[:key=value,key=value…]`.
    ///
    /// | kind | keys (defaults) |
    /// |---|---|
    /// | `minmax`, `fuzzy-linear` | `min`, `max` (data) |
    /// | `fuzzy-power` | `min`, `max` (data), `exponent` (2) |
    /// | `zscore` | `mean`, `std` (data) |
    /// | `log` | `offset` (0) |
    /// | `clip` | `lower`, `upper` (alias `min`, `max`; none) |
    /// | `reclass` | `breaks=1/5/10` (required), `values=0/1/2/3` (class numbers 1…n+1) |
    /// | `fuzzy-small`, `fuzzy-large` | `midpoint` (data), `spread` (5) |
    /// | `fuzzy-gaussian`, `fuzzy-near` | `midpoint` (data), `spread` (0.1) |
    ///
    /// Numbers are anything `Double(_:)` reads that is finite; lists are separated by `/`.
    /// Kind and keys are case-insensitive and spaces around items are ignored. `description`
    /// writes the canonical form, which reads back to an equal transform.
    ///
    /// - Throws: `ParseError` naming the text and the problem: an unknown kind or key, a key
    ///   given twice, a bad number, a wrong count of values, breaks not strictly ascending, a
    ///   spread or exponent ≤ 0, and so on.
    public init(parsing text: String) throws {
        func fail(_ problem: String) -> ParseError { ParseError(text: text, problem: problem) }
        let body = text.trimmingCharacters(in: .whitespaces)
        let kindPart: Substring
        let paramPart: Substring?
        if let colon = body.firstIndex(of: ":") {
            kindPart = body[..<colon]
            paramPart = body[body.index(after: colon)...]
        } else {
            kindPart = body[...]
            paramPart = nil
        }
        let kind = kindPart.trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.kinds.contains(kind) else {
            throw fail(
                kind.isEmpty
                    ? "no kind (expected one of \(Self.kinds.joined(separator: ", ")))"
                    : "unknown kind \"\(Echo.short(kind))\" (expected one of \(Self.kinds.joined(separator: ", ")))")
        }
        let known = Self.keys(of: kind)
        let aliases: [String: String] = kind == "clip" ? ["min": "lower", "max": "upper"] : [:]

        var raw: [String: String] = [:]
        if let paramPart {
            guard !paramPart.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("expected key=value after \":\"")
            }
            for item in paramPart.split(separator: ",", omittingEmptySubsequences: false) {
                guard let eq = item.firstIndex(of: "=") else {
                    throw fail("expected key=value, got \"\(Echo.short(item.trimmingCharacters(in: .whitespaces)))\"")
                }
                let given = item[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                let value = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                let key = aliases[given] ?? given
                guard known.contains(key) else {
                    let list = (known + aliases.keys.sorted()).joined(separator: ", ")
                    throw fail("unknown key \"\(Echo.short(given))\" for \(kind) (known: \(list))")
                }
                guard raw[key] == nil else { throw fail("\(key) given twice") }
                raw[key] = value
            }
        }

        func number(_ key: String) throws -> Double? {
            guard let s = raw[key] else { return nil }
            guard let v = Double(s), v.isFinite else { throw fail("\(key)=\(Echo.short(s)) is not a finite number") }
            return v
        }
        func list(_ key: String) throws -> [Double]? {
            guard let s = raw[key] else { return nil }
            guard !s.isEmpty else { throw fail("\(key) is empty") }
            return try s.split(separator: "/", omittingEmptySubsequences: false).map { item in
                let t = item.trimmingCharacters(in: .whitespaces)
                guard let v = Double(t), v.isFinite else { throw fail("\(key): \"\(Echo.short(t))\" is not a finite number") }
                return v
            }
        }

        let transform: LayerTransform
        switch kind {
        case "minmax": transform = .minMax(min: try number("min"), max: try number("max"))
        case "zscore": transform = .zScore(mean: try number("mean"), std: try number("std"))
        case "log": transform = .log(offset: try number("offset") ?? 0)
        case "clip": transform = .clip(lower: try number("lower"), upper: try number("upper"))
        case "reclass":
            guard let breaks = try list("breaks") else { throw fail("reclass needs breaks, e.g. breaks=1/5/10") }
            transform = .reclassify(breaks: breaks, values: try list("values"))
        case "fuzzy-linear": transform = .fuzzyLinear(min: try number("min"), max: try number("max"))
        case "fuzzy-power":
            transform = .fuzzyPower(
                min: try number("min"), max: try number("max"),
                exponent: try number("exponent") ?? Self.defaultPowerExponent)
        case "fuzzy-small":
            transform = .fuzzySmall(midpoint: try number("midpoint"), spread: try number("spread") ?? Self.defaultSmallLargeSpread)
        case "fuzzy-large":
            transform = .fuzzyLarge(midpoint: try number("midpoint"), spread: try number("spread") ?? Self.defaultSmallLargeSpread)
        case "fuzzy-gaussian":
            transform = .fuzzyGaussian(midpoint: try number("midpoint"), spread: try number("spread") ?? Self.defaultGaussianNearSpread)
        default:
            transform = .fuzzyNear(midpoint: try number("midpoint"), spread: try number("spread") ?? Self.defaultGaussianNearSpread)
        }
        if let problem = transform.validationProblem { throw fail(problem) }
        self = transform
    }

    /// The kind of the text form: `minmax`, `zscore`, `log`, `clip`, `reclass`, `fuzzy-…`.
    public var kind: String {
        switch self {
        case .minMax: "minmax"
        case .zScore: "zscore"
        case .log: "log"
        case .clip: "clip"
        case .reclassify: "reclass"
        case .fuzzyLinear: "fuzzy-linear"
        case .fuzzySmall: "fuzzy-small"
        case .fuzzyLarge: "fuzzy-large"
        case .fuzzyGaussian: "fuzzy-gaussian"
        case .fuzzyNear: "fuzzy-near"
        case .fuzzyPower: "fuzzy-power"
        }
    }

    /// The canonical text form: every parameter that has a value, in canonical key order, each
    /// number in Swift's shortest round-trip form, so `LayerTransform(parsing: t.description) == t`.
    public var description: String {
        func item(_ key: String, _ v: Double?) -> String? { v.map { "\(key)=\($0)" } }
        func items(_ key: String, _ v: [Double]?) -> String? {
            v.map { "\(key)=" + $0.map { "\($0)" }.joined(separator: "/") }
        }
        let params: [String?]
        switch self {
        case .minMax(let a, let b), .fuzzyLinear(let a, let b): params = [item("min", a), item("max", b)]
        case .fuzzyPower(let a, let b, let e): params = [item("min", a), item("max", b), item("exponent", e)]
        case .zScore(let mean, let std): params = [item("mean", mean), item("std", std)]
        case .log(let offset): params = [item("offset", offset)]
        case .clip(let lower, let upper): params = [item("lower", lower), item("upper", upper)]
        case .reclassify(let breaks, let values): params = [items("breaks", breaks), items("values", values)]
        case .fuzzySmall(let m, let s), .fuzzyLarge(let m, let s), .fuzzyGaussian(let m, let s), .fuzzyNear(let m, let s):
            params = [item("midpoint", m), item("spread", s)]
        }
        let given = params.compactMap { $0 }
        return given.isEmpty ? kind : kind + ":" + given.joined(separator: ",")
    }
}

extension LayerTransform: Codable {
    /// Encodes as the single string `description`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes a string in the text form.
    /// - Throws: `DecodingError.dataCorrupted` carrying the `ParseError` message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try LayerTransform(parsing: text) } catch let error as ParseError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}
