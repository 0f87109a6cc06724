import Foundation

/// A tree ensemble read from another library's model file, before its features are matched to
/// evidence layers.
public struct ImportedTrees: Sendable {
    /// "lightgbm" or "xgboost".
    public var library: String
    /// The trees, with features indexed as in the dump (`featureCount` = the dump's features).
    public var ensemble: TreeEnsemble
    /// One name per feature of the dump: its own names, or the library's defaults (`Column_0`,
    /// `f0`, …) when it has none.
    public var featureNames: [String]
    /// False when the dump carries no names of its own (only the library's defaults).
    public var hasFeatureNames: Bool
    /// Total split gain per feature (LightGBM `split_gain`, XGBoost `loss_changes`).
    public var gain: [Double]
    /// The objective as the dump writes it ("binary sigmoid:1", "binary:logistic").
    public var objective: String
    /// The library or dump-format version the file records ("v4" for LightGBM dumps, "3.2.0").
    public var version: String
    /// Things the user should know (printed, not fatal).
    public var warnings: [String] = []

    public init(
        library: String, ensemble: TreeEnsemble, featureNames: [String], hasFeatureNames: Bool, gain: [Double],
        objective: String, version: String, warnings: [String] = []
    ) {
        self.library = library
        self.ensemble = ensemble
        self.featureNames = featureNames
        self.hasFeatureNames = hasFeatureNames
        self.gain = gain
        self.objective = objective
        self.version = version
        self.warnings = warnings
    }

    /// Whether any split of any tree uses feature `f` of the dump.
    public var usedFeatures: [Bool] {
        var used = [Bool](repeating: false, count: ensemble.featureCount)
        for tree in ensemble.trees { for f in tree.feature where f >= 0 { used[Int(f)] = true } }
        return used
    }
}

/// Bounds on a model file from another library, checked before any count the file declares
/// sizes an allocation: a 279-byte LightGBM dump declaring `max_feature_idx: 1000000000`
/// otherwise asks for 11 GB of per-feature names and gains.
public enum ImportLimits {
    /// Features: 65 535, the most bands a GeoTIFF holds (`SamplesPerPixel` is 16-bit), and
    /// every feature is read from a layer.
    public static let maxFeatures = 65_535
    /// Levels of splits in one tree: the converters recurse once per level. LightGBM and
    /// XGBoost trees grown with their defaults are under 64 levels deep.
    public static let maxDepth = 512

    /// Refuses a declared feature count above `maxFeatures`.
    /// - Parameters:
    ///   - fits: whether the declared count is at most `maxFeatures`.
    ///   - declared: how the file declares it, e.g. "max_feature_idx 1000000000".
    static func checkFeatures(_ fits: Bool, declared: String) throws {
        guard fits else {
            throw TreeImportError("the model declares \(declared); at most \(maxFeatures) features are supported")
        }
    }

    /// Refuses a tree deeper than `maxDepth`.
    static func checkDepth(_ depth: Int, tree: Int) throws {
        guard depth <= maxDepth else {
            throw TreeImportError("tree \(tree) is more than \(maxDepth) levels deep, which is not supported")
        }
    }
}

/// Why a model file from another library cannot be imported: one line, without the file name
/// (the caller adds it).
public struct TreeImportError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension TreeEnsemble {
    /// The same ensemble with features renumbered: feature `f` becomes `map[f]`, and the result
    /// has `count` features.
    /// - Precondition: every feature a split uses maps to an index in `0..<count`.
    public func remappingFeatures(_ map: [Int?], count: Int) -> TreeEnsemble {
        var out = self
        out.featureCount = count
        out.trees = trees.map { tree in
            var t = tree
            t.feature = tree.feature.map { f in
                guard f >= 0 else { return f }
                guard let k = map[Int(f)], k >= 0, k < count else { preconditionFailure("feature \(f) has no layer") }
                return Int32(k)
            }
            return t
        }
        return out
    }
}

/// Matches a model's features to evidence layers by name, or by position when the model has no
/// names of its own.
public enum FeatureMatching {
    /// The layers (indices into `layerNames`) that the model's features read, in the model's
    /// feature order, and which feature each chosen layer stands for.
    public struct Result: Equatable, Sendable {
        /// For each chosen layer, in order: its index among the given layers.
        public var layers: [Int]
        /// For each feature of the model: its index among the chosen layers, nil when unused
        /// and not given.
        public var featureToLayer: [Int?]
    }

    /// Matches features to layers.
    ///
    /// By name: every feature a split uses must have a layer of the same name; a feature no
    /// split uses is taken when a layer has its name. `required` layers (named on the command
    /// line) must each be a feature; the others (a stack's) are left out when they are not.
    /// A model without names of its own matches by name when the layers carry its default
    /// names (`f0`, `Column_0` …), else by position: layer k is feature k, and there must be
    /// exactly one layer per feature.
    /// - Throws: `TreeImportError` naming the first problem.
    public static func match(model: ImportedTrees, layerNames: [String], required: [Bool]) throws -> Result {
        let names = model.featureNames
        let used = model.usedFeatures
        let usedNamesPresent = names.indices.allSatisfy { !used[$0] || layerNames.contains(names[$0]) }
        if model.hasFeatureNames || usedNamesPresent {
            var layers: [Int] = []
            var featureToLayer = [Int?](repeating: nil, count: names.count)
            for (f, name) in names.enumerated() {
                if let k = layerNames.firstIndex(of: name) {
                    featureToLayer[f] = layers.count
                    layers.append(k)
                } else if used[f] {
                    throw TreeImportError(
                        "the model splits on feature \"\(name)\", but no layer has that name; "
                            + "give it as \(name)=PATH (layers given: \(layerNames.joined(separator: ", ")))")
                }
            }
            if let k = layerNames.indices.first(where: { required[$0] && !names.contains(layerNames[$0]) }) {
                throw TreeImportError(
                    "layer \"\(layerNames[k])\" is not a feature of the model "
                        + "(its features: \(names.joined(separator: ", ")))")
            }
            return Result(layers: layers, featureToLayer: featureToLayer)
        }
        guard layerNames.count == names.count else {
            throw TreeImportError(
                "the model has no feature names, so layers are matched by position: it has \(names.count) "
                    + "features but \(layerNames.count) layers were given; give one layer per feature, in the model's order, "
                    + "or name them \(names.prefix(3).joined(separator: ", "))…")
        }
        return Result(layers: Array(layerNames.indices), featureToLayer: names.indices.map { $0 })
    }
}

/// Builds one `Tree` node by node (node 0 first).
struct TreeBuilder {
    var feature: [Int32] = []
    var threshold: [Double] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var missingLeft: [Bool] = []
    var value: [Double] = []
    var cover: [Double] = []

    var count: Int { feature.count }

    mutating func leaf(_ v: Double, cover c: Double) -> Int32 {
        append(feature: -1, threshold: 0, missingLeft: true, value: v, cover: c)
    }

    /// An internal node whose children are set later with `link`.
    mutating func split(feature f: Int, threshold t: Double, missingLeft m: Bool, value v: Double, cover c: Double) -> Int32 {
        append(feature: Int32(f), threshold: t, missingLeft: m, value: v, cover: c)
    }

    mutating func link(_ node: Int32, left l: Int32, right r: Int32) {
        left[Int(node)] = l
        right[Int(node)] = r
    }

    private mutating func append(feature f: Int32, threshold t: Double, missingLeft m: Bool, value v: Double, cover c: Double) -> Int32 {
        feature.append(f)
        threshold.append(t)
        left.append(-1)
        right.append(-1)
        missingLeft.append(m)
        value.append(v)
        cover.append(c)
        return Int32(feature.count - 1)
    }

    var tree: Tree {
        Tree(feature: feature, threshold: threshold, left: left, right: right, missingLeft: missingLeft, value: value, cover: cover)
    }
}

extension TreeEnsemble {
    /// Summary figures for reports: total leaves and the deepest tree.
    public var leafCount: Int { trees.reduce(0) { $0 + $1.feature.filter { $0 < 0 }.count } }
    public var maxDepth: Int { trees.map(\.depth).max() ?? 0 }
}

/// Decodes JSON with a one-line message on failure (`JSONProblem`: the key path and what was
/// expected there, or where the JSON breaks).
enum ImportJSON {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try JSONDecoder().decode(type, from: $0) }
            throw TreeImportError(problem.hasPrefix("not valid JSON") ? problem : "malformed \(what): \(problem)")
        }
    }

    /// Top-level keys of a JSON object, or nil when the data is not a JSON object.
    static func topLevel(_ data: Data) throws -> Any {
        do { return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            let scan = JSONScan(data)
            if let syntax = scan.syntaxError { throw TreeImportError("not valid JSON: \(syntax)") }
            if let number = scan.numbers.first(where: { $0.suspicion == 4 }) {
                throw TreeImportError("\(number.path): \(number.problem)")
            }
            throw TreeImportError("not valid JSON (truncated or not a JSON file)")
        }
    }
}
