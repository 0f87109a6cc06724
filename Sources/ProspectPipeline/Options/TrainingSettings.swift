import ProspectCore

/// The training options as a user gave them, before any check: the one form both front ends
/// fill. `prospect train` maps its flags onto it, a study file its `model:` and per-layer keys;
/// `options(layers:)` then checks every value once and returns the typed `TrainingOptions`, so
/// both accept and refuse exactly the same values with the same message.
///
/// A nil or empty field was not given and takes its default.
public struct TrainingSettings: Sendable {
    /// A layer the options may name, with its kind when known (a study's rasterized layers get
    /// theirs only when prepared).
    public struct Layer: Sendable {
        public var name: String
        public var kind: LayerKind?
        public init(name: String, kind: LayerKind?) {
            self.name = name
            self.kind = kind
        }
    }

    public var method: TrainingOptions.Method = .wofe
    /// Whether known deposits were given (only knowledge-driven models do without).
    public var hasDeposits = false
    public var unitCellKm2: Double?
    public var missing: MissingDataRule?
    public var countDeposits: WofEDepositCount?
    public var minDeposits: Int?
    public var minAreaPercent: Double?
    public var cumulative: [String: CumulativeTally.Direction] = [:]
    public var thresholds: [String: Double] = [:]
    /// Class groups by layer, in their text form `1,2/3,4`.
    public var groups: [String: String] = [:]
    public var l2: Double?
    public var background: Int?
    public var seed: Int?
    public var trees: Int?
    public var depth: Int?
    public var learningRate: Double?
    public var excludeBuffer: Double?
    public var holdout: Double?
    public var holdoutScheme: HoldoutScheme?
    /// The side of the blocks rf/gbt hold out, in km.
    public var blockKm: Double?
    public var threads: Int?
    public var expression: String?
    public var weights: [String: Double] = [:]
    public var classScores: [String: [String: Double]] = [:]

    public init(method: TrainingOptions.Method = .wofe) { self.method = method }

    /// Checks every given value against its range, the method and the layers, and returns the
    /// complete options.
    /// - Parameter layers: the layers options may name; nil when they are not known yet (a
    ///   stack not read), which skips the checks of names.
    /// - Throws: `OptionError` naming the first option at fault.
    public func options(layers given: [Layer]?) throws(OptionError) -> TrainingOptions {
        var o = TrainingOptions(method: method)
        let layers = given ?? []
        let names = layers.map(\.name)
        let known = "layers: \(names.joined(separator: ", "))"
        func only(_ methods: Set<TrainingOptions.Method>, _ option: OptionName, given: Bool, layer: String? = nil) throws(OptionError) {
            guard given, !methods.contains(method) else { return }
            let list = TrainingOptions.Method.allCases.filter(methods.contains).map(\.rawValue)
            let who = list.count == 1 ? list[0] : list.dropLast().joined(separator: ", ") + " and " + list.last!
            throw OptionError(option, layer: layer, "only \(who) models take it (method is \(method.rawValue))")
        }
        func layer(_ name: String, _ option: OptionName) throws(OptionError) -> Layer {
            if given == nil { return Layer(name: name, kind: nil) }
            guard let l = layers.first(where: { $0.name == name }) else {
                throw OptionError(option, layer: name, "no layer is named \(Echo.short(name)) (\(known))")
            }
            return l
        }

        // Every method: the unit cell, the background sample, the seed and the threads.
        try take(unitCellKm2, into: &o.wofe.unitCellKm2) { v throws(OptionError) in try Check.positive(v, .unitCellKm2, unit: " of km²") }
        try take(l2, into: &o.logistic.l2) { v throws(OptionError) in try Check.nonNegative(v, .l2) }
        try take(background, into: &o.sampling.size) { v throws(OptionError) in
            try Check.count(v, .background, atLeast: 0, what: " cells (0 = every valid cell)")
        }
        if let v = seed {
            try Check.count(v, .seed, atLeast: 0)
            o.sampling.seed = UInt64(v)
        }
        try take(threads, into: &o.threads) { v throws(OptionError) in try Check.count(v, .trainingThreads, atLeast: 1) }

        // Weights of evidence.
        try only([.wofe], .missing, given: missing == .unknown)
        try only([.wofe], .cumulative, given: !cumulative.isEmpty, layer: cumulative.keys.min())
        try only([.wofe], .threshold, given: !thresholds.isEmpty, layer: thresholds.keys.min())
        try only([.wofe], .generalize, given: !groups.isEmpty, layer: groups.keys.min())
        try only([.wofe], .countDeposits, given: countDeposits != nil)
        try only([.wofe], .minDeposits, given: minDeposits != nil)
        try only([.wofe], .minAreaPercent, given: minAreaPercent != nil)
        o.wofe.missing = missing ?? .nodata
        o.wofe.countDeposits = countDeposits ?? .cells
        try take(minDeposits, into: &o.wofe.minimum.deposits) { v throws(OptionError) in
            try Check.count(v, .minDeposits, atLeast: 1)
        }
        try take(minAreaPercent, into: &o.wofe.minimum.areaPercent) { v throws(OptionError) in
            guard v.isFinite, v >= 0, v < 100 else {
                throw OptionError(.minAreaPercent, "give a percentage at least 0 and below 100, got \(Check.show(v))")
            }
        }
        for (name, direction) in cumulative.sorted(by: { $0.key < $1.key }) {
            _ = try layer(name, .cumulative)
            o.wofe.cumulative[name] = direction
        }
        for (name, value) in thresholds.sorted(by: { $0.key < $1.key }) {
            let l = try layer(name, .threshold)
            guard l.kind != .categorical || o.wofe.cumulative[name] != nil else {
                throw OptionError(.threshold, layer: name, Self.categoricalThreshold(name))
            }
            try Check.finite(Double(Float(value)), .threshold, layer: name)
            o.wofe.thresholds[name] = Float(value)
        }
        for (name, text) in groups.sorted(by: { $0.key < $1.key }) {
            let l = try layer(name, .generalize)
            guard l.kind != .continuous, o.wofe.cumulative[name] == nil else {
                throw OptionError(.generalize, layer: name, "\(name) is not a categorical layer")
            }
            o.wofe.groups[name] = try Self.classGroups(text, layer: name)
        }

        // Trees.
        try only([.rf, .gbt], .trees, given: trees != nil)
        try only([.rf, .gbt], .depth, given: depth != nil)
        try only([.gbt], .learningRate, given: learningRate != nil)
        try only([.rf, .gbt], .excludeBuffer, given: excludeBuffer != nil)
        try only([.rf, .gbt], .holdout, given: holdout != nil)
        try only([.rf, .gbt], .holdoutScheme, given: holdoutScheme != nil)
        try only([.rf, .gbt], .holdoutBlockKm, given: blockKm != nil)
        try take(trees, into: &o.trees.trees) { v throws(OptionError) in try Check.count(v, .trees, atLeast: 1, atMost: Self.maximumTrees) }
        try take(depth, into: &o.trees.depth) { v throws(OptionError) in try Check.count(v, .depth, atLeast: 1, atMost: 8, what: " levels")
        }
        try take(learningRate, into: &o.trees.learningRate) { v throws(OptionError) in
            guard v.isFinite, v > 0, v <= 1 else {
                throw OptionError(.learningRate, "give a number above 0 and at most 1, got \(Check.show(v))")
            }
        }
        if let v = excludeBuffer {
            try Check.nonNegative(v, .excludeBuffer, unit: " of metres")
            o.trees.excludeBuffer = v
        }
        try take(holdout, into: &o.trees.holdout) { v throws(OptionError) in try Check.fractionBelowOne(v, .holdout) }
        if let holdoutScheme { o.treeHoldout.scheme = holdoutScheme }
        if let v = blockKm {
            try Check.positive(v, .holdoutBlockKm, unit: " of km")
            guard o.treeHoldout.scheme == .blocks else {
                throw OptionError(.holdoutBlockKm, "the random holdout draws single cells and takes no block size")
            }
            o.treeHoldout.blockKm = v
        }

        // Knowledge-driven overlays.
        try only([.fuzzy], .expression, given: expression != nil)
        try only([.index], .weight, given: !weights.isEmpty)
        try only([.fuzzy, .index], .classScore, given: !classScores.isEmpty)
        if method == .fuzzy {
            guard let text = expression, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw OptionError(
                    .expression, "a fuzzy model needs one, e.g. \"gamma(0.9, and(\(names.prefix(2).joined(separator: ", "))), …)\"")
            }
            if given != nil {
                do { _ = try FuzzyExpression(parsing: text, layers: names) } catch {
                    throw OptionError(.expression, "\(error)")
                }
            }
            o.overlay.expression = text
        }
        for (name, w) in weights.sorted(by: { $0.key < $1.key }) {
            _ = try layer(name, .weight)
            guard w.isFinite, w > 0 else { throw OptionError(.weight, layer: name, "a weight is a positive number, got \(Check.show(w))") }
            o.overlay.weights[name] = w
        }
        for (name, table) in classScores.sorted(by: { $0.key < $1.key }) {
            let l = try layer(name, .classScore)
            guard l.kind != .continuous else {
                throw OptionError(.classScore, layer: name, "\(name) is a continuous layer; give it a transform instead (e.g. fuzzy-large)")
            }
            guard !table.isEmpty else {
                throw OptionError(.classScore, layer: name, "give a mapping of class (code or name) to score, e.g. {4: 10, 3: 5}")
            }
            for (key, score) in table.sorted(by: { $0.key < $1.key }) {
                guard score.isFinite else {
                    throw OptionError(.classScore, layer: name, "class \(key) has score \(score); give a finite number")
                }
                if method == .fuzzy, !(0...1).contains(score) {
                    throw OptionError(
                        .classScore, layer: name, "class \(key) has membership \(Check.show(score)); fuzzy memberships lie in [0, 1]")
                }
            }
            o.overlay.classScores[name] = table
        }
        guard hasDeposits || method.isKnowledgeDriven else {
            throw OptionError(.deposits, "give the known deposits (only fuzzy and index models do without)")
        }
        return o
    }

    /// Checks a given value and stores it; a value not given leaves the default.
    private func take<T>(_ value: T?, into field: inout T, _ check: (T) throws(OptionError) -> Void) throws(OptionError) {
        guard let value else { return }
        try check(value)
        field = value
    }

    /// Why a categorical layer takes no threshold.
    static func categoricalThreshold(_ name: String) -> String {
        "\(name) is a categorical layer (a threshold cuts a continuous, ascending or descending layer in two)"
    }

    /// More trees than this is a typing error, not a model (a forest of 10⁵ trees of depth 8
    /// takes 100 MB of leaves).
    public static let maximumTrees = 100_000
}

extension TrainingSettings {
    /// Parses class groups `1,2/3,4/5`: whole-number codes, comma-separated, groups separated
    /// by slashes, each code in one group.
    /// - Throws: `OptionError` for `--generalize` (`layers[].generalize`).
    public static func classGroups(_ text: String, layer: String) throws(OptionError) -> [[Int32]] {
        let bad = OptionError(
            .generalize, layer: layer, "give groups of whole-number class codes like 1,2/3,4 (each code in one group), got \(text)")
        var groups: [[Int32]] = []
        for group in text.split(separator: "/", omittingEmptySubsequences: false) {
            var codes: [Int32] = []
            for code in group.split(separator: ",", omittingEmptySubsequences: false) {
                guard let c = Int32(code.trimmingCharacters(in: .whitespaces)) else { throw bad }
                codes.append(c)
            }
            groups.append(codes)
        }
        let all = groups.flatMap { $0 }
        guard !groups.isEmpty, !groups.contains(where: \.isEmpty), Set(all).count == all.count else { throw bad }
        return groups
    }

    /// Splits a command-line `NAME=VALUE` at its first `=`.
    /// - Throws: `OptionError` saying what `option` takes.
    public static func nameValue(_ text: String, _ option: OptionName, form: String) throws(OptionError) -> (name: String, value: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw OptionError(option, "give \(form), got \(text)")
        }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

    /// Adds command-line `--threshold NAME=VALUE`, `--generalize NAME=CODES`, `--weight
    /// NAME=WEIGHT` and `--class-score NAME:CLASS=SCORE` values, refusing malformed and repeated ones.
    public mutating func add(thresholds: [String], groups: [String], weights: [String], classScores: [String]) throws(OptionError) {
        for t in thresholds {
            let (name, text) = try Self.nameValue(t, .threshold, form: "NAME=VALUE with a number")
            guard let v = Double(text) else { throw OptionError(.threshold, "give NAME=VALUE with a number, got \(t)") }
            guard self.thresholds[name] == nil else { throw OptionError(.threshold, layer: name, "\(name) is given a threshold twice") }
            self.thresholds[name] = v
        }
        for g in groups {
            let (name, text) = try Self.nameValue(g, .generalize, form: "NAME=CODES/CODES…, e.g. geology=1,2/3,4")
            guard self.groups[name] == nil else { throw OptionError(.generalize, layer: name, "\(name) is given groups twice") }
            self.groups[name] = text
        }
        for w in weights {
            guard let eq = w.lastIndex(of: "="), eq != w.startIndex, let value = Double(w[w.index(after: eq)...]) else {
                throw OptionError(.weight, "give NAME=WEIGHT with a positive weight, e.g. thorium=3, got \(w)")
            }
            let name = String(w[..<eq])
            guard self.weights[name] == nil else { throw OptionError(.weight, layer: name, "\(name) is given a weight twice") }
            self.weights[name] = value
        }
        for s in classScores {
            guard let eq = s.lastIndex(of: "="), let colon = s[..<eq].lastIndex(of: ":"), colon != s.startIndex,
                s.index(after: colon) < eq, let value = Double(s[s.index(after: eq)...])
            else {
                throw OptionError(.classScore, "give NAME:CLASS=SCORE, e.g. lithology:4=10, got \(s)")
            }
            let name = String(s[..<colon])
            let key = String(s[s.index(after: colon)..<eq])
            guard self.classScores[name]?[key] == nil else { throw OptionError(.classScore, layer: name, "class \(key) is scored twice") }
            self.classScores[name, default: [:]][key] = value
        }
    }
}
