import Foundation

/// A fuzzy overlay as the model file stores it (`"fuzzy"`, format version 3).
///
/// ```json
/// "fuzzy": {
///   "expression": "gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))",
///   "classScores": { "lithology": { "4": 1, "3": 0.5 } }
/// }
/// ```
/// The expression is kept in its text form (`FuzzyExpression.init(parsing:layers:)`), naming
/// the model's layers, so the file reads as it was written. Each categorical layer needs its
/// classes' memberships in [0, 1] (classes not listed: 0); continuous layers enter with their
/// values after their transforms.
public struct FuzzyOverlayModel: Codable, Sendable, Equatable {
    public var expression: String
    /// Layer name → class code → membership, for the categorical layers.
    public var classScores: [String: [String: Double]]?

    public init(expression: String, classScores: [String: [String: Double]] = [:]) {
        self.expression = expression
        self.classScores = classScores.isEmpty ? nil : classScores
    }

    /// The scorer for a model file's layers.
    /// - Throws: `OverlayModelError` when the expression does not parse against the layers or
    ///   the class scores are not valid memberships of categorical layers.
    public func overlay(layers: [ModelLayer], nodata: [Float]) throws -> FuzzyOverlay {
        let names = layers.map(\.name)
        let expression: FuzzyExpression
        do { expression = try FuzzyExpression(parsing: self.expression, layers: names) } catch let e as FuzzyExpression.ParseError {
            throw OverlayModelError("fuzzy expression \"\(self.expression)\" \(e)")
        }
        let tables = try OverlayModelError.classTables(classScores ?? [:], layers: layers, memberships: true)
        return FuzzyOverlay(expression: expression, classTables: tables, nodata: nodata)
    }
}

/// A weighted index overlay as the model file stores it (`"index"`, format version 3).
///
/// ```json
/// "index": {
///   "weights": { "thorium": 3, "lithology": 2 },
///   "classScores": { "lithology": { "4": 10, "3": 5 } }
/// }
/// ```
/// Every model layer has a positive weight; each categorical layer needs its classes' scores
/// (classes not listed: 0).
public struct WeightedIndexModel: Codable, Sendable, Equatable {
    /// Layer name → weight wₖ > 0.
    public var weights: [String: Double]
    /// Layer name → class code → score, for the categorical layers.
    public var classScores: [String: [String: Double]]?

    public init(weights: [String: Double], classScores: [String: [String: Double]] = [:]) {
        self.weights = weights
        self.classScores = classScores.isEmpty ? nil : classScores
    }

    /// The scorer for a model file's layers.
    /// - Throws: `OverlayModelError` when a layer has no positive weight, a weight names no
    ///   layer, or the class scores do not belong to categorical layers.
    public func overlay(layers: [ModelLayer], nodata: [Float]) throws -> WeightedIndexOverlay {
        let names = layers.map(\.name)
        for name in weights.keys.sorted() where !names.contains(name) {
            throw OverlayModelError(
                "index overlay weight for \"\(name)\", which is not a model layer (layers: \(names.joined(separator: ", ")))")
        }
        let w = try names.map { name -> Double in
            guard let w = weights[name] else { throw OverlayModelError("index overlay: layer \"\(name)\" has no weight") }
            guard w > 0, w.isFinite else { throw OverlayModelError("index overlay: the weight of \"\(name)\" must be positive, got \(w)") }
            return w
        }
        let tables = try OverlayModelError.classTables(classScores ?? [:], layers: layers, memberships: false)
        return WeightedIndexOverlay(weights: w, classTables: tables, nodata: nodata)
    }
}

/// A problem with an overlay model's content (an expression, a weight, a class score).
public struct OverlayModelError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }

    /// Class tables per layer from `layer name → code → score`; every categorical layer must
    /// have one and only categorical layers may. `memberships`: scores must lie in [0, 1].
    static func classTables(_ scores: [String: [String: Double]], layers: [ModelLayer], memberships: Bool) throws -> [ClassTable?] {
        let names = layers.map(\.name)
        for name in scores.keys.sorted() {
            guard let k = names.firstIndex(of: name) else {
                throw OverlayModelError(
                    "class scores for \"\(name)\", which is not a model layer (layers: \(names.joined(separator: ", ")))")
            }
            guard layers[k].kind == .categorical else {
                throw OverlayModelError(
                    "class scores for \"\(name)\", which is a continuous layer (class scores are for categorical layers)")
            }
        }
        return try layers.map { layer -> ClassTable? in
            guard layer.kind == .categorical else { return nil }
            guard let table = scores[layer.name], !table.isEmpty else {
                throw OverlayModelError(
                    "categorical layer \"\(layer.name)\" has no class scores (give a score per class, e.g. \(layer.name):CODE=SCORE)")
            }
            var codes: [Int32] = []
            var values: [Float] = []
            for key in table.keys.sorted(by: { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }) {
                let value = table[key]!
                guard let code = Int32(key.trimmingCharacters(in: .whitespaces)), abs(code) < 1 << 22 else {
                    throw OverlayModelError("\(layer.name) class \"\(key)\": a class is a whole-number code below 4194304 in magnitude")
                }
                guard value.isFinite, !memberships || (0...1).contains(value) else {
                    throw OverlayModelError(
                        "\(layer.name) class \(key): \(memberships ? "a membership lies in [0, 1]" : "a score is a finite number"), got \(value)"
                    )
                }
                guard !codes.contains(code) else { throw OverlayModelError("\(layer.name) class \(code) is given twice") }
                codes.append(code)
                values.append(Float(value))
            }
            return ClassTable(codes: codes, scores: values)
        }
    }
}

extension ModelFile {
    /// The scorer of an overlay that `decode` or `validateOverlay` has checked against the
    /// layers; an overlay that does not fit them is a programmer error.
    static func checkedOverlay(_ make: () throws -> any CellScorer) -> any CellScorer {
        do { return try make() } catch {
            preconditionFailure("an overlay model that decode did not check: \(error)")
        }
    }

    /// Checks an overlay payload against the layers: the expression parses, every weight and
    /// class score belongs to a layer of the right kind.
    /// - Throws: `OverlayModelError` naming the problem.
    public func validateOverlay() throws {
        let nodata = [Float](repeating: .nan, count: layers.count)
        if let fuzzy { _ = try fuzzy.overlay(layers: layers, nodata: nodata) }
        if let index { _ = try index.overlay(layers: layers, nodata: nodata) }
    }

    /// `validateOverlay` for `decode`.
    /// - Throws: `FormatError` naming the problem.
    func checkOverlayPayloads() throws {
        do { try validateOverlay() } catch let e as OverlayModelError {
            throw FormatError(message: "malformed model file: \(e.message)")
        }
    }
}
