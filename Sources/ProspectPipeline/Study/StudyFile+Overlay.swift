import Foundation
import ProspectCore

extension StudyFile {
    /// Reads the knowledge-driven model settings of a study's `model:` mapping:
    ///
    /// ```yaml
    /// model:
    ///   method: fuzzy
    ///   expression: "gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))"
    ///   class_scores: {lithology: {4: 1, 3: 0.4}}     # memberships in [0, 1]
    /// model:
    ///   method: index
    ///   weights: {thorium: 3, magnetics: 2, fault_distance: 2, lithology: 3}
    ///   class_scores: {lithology: {4: 10, 3: 5}}      # a class is a code or a legend name
    /// ```
    /// Names are checked against the study's layers here; kinds and value ranges when training.
    /// - Throws: `PipelineError` naming the study file and the key at fault.
    static func overlayOptions(_ model: inout KeyReader, method: TrainingOptions.Method, layers: [String], path: String) throws -> OverlayOptions {
        var options = OverlayOptions()
        let known = "layers: \(layers.joined(separator: ", "))"
        if let text = try model.string("expression") {
            guard method == .fuzzy else { throw PipelineError(path, "model.expression: only a fuzzy model has an expression (method is \(method.rawValue))") }
            do { _ = try FuzzyExpression(parsing: text, layers: layers) } catch {
                throw PipelineError(path, "model.expression: \(error)")
            }
            options.expression = text
        } else if method == .fuzzy {
            throw PipelineError(path, "model.expression: a fuzzy model needs one, e.g. \"gamma(0.9, and(\(layers.prefix(2).joined(separator: ", "))), …)\"")
        }
        if var weights = try model.map("weights") {
            guard method == .index else { throw PipelineError(path, "model.weights: only an index model has weights (method is \(method.rawValue))") }
            for name in weights.map.keys.sorted() {
                guard layers.contains(name) else { throw PipelineError(path, "model.weights.\(name): no layer is named \(name) (\(known))") }
                guard let w = try weights.double(name), w > 0, w.isFinite else {
                    throw PipelineError(path, "model.weights.\(name): a weight is a positive number")
                }
                options.weights[name] = w
            }
        }
        if let scores = try model.map("class_scores") {
            guard method.isKnowledgeDriven else {
                throw PipelineError(path, "model.class_scores: only fuzzy and index models take class scores (method is \(method.rawValue))")
            }
            for name in scores.map.keys.sorted() {
                guard layers.contains(name) else { throw PipelineError(path, "model.class_scores.\(name): no layer is named \(name) (\(known))") }
                guard let table = scores.map[name] as? [AnyHashable: Any], !table.isEmpty else {
                    throw PipelineError(path, "model.class_scores.\(name): give a mapping of class (code or name) to score, e.g. {4: 10, 3: 5}")
                }
                for (key, value) in table {
                    let score: Double
                    if let d = value as? Double { score = d } else if let i = value as? Int { score = Double(i) } else {
                        throw PipelineError(path, "model.class_scores.\(name).\(key.base): expected a number, got \(value)")
                    }
                    options.classScores[name, default: [:]]["\(key.base)"] = score
                }
            }
        }
        return options
    }
}
