import Foundation

/// The numbers of a model file, checked before anything scores with them.
///
/// A NaN or infinite coefficient, weight or leaf turns every cell's score NaN (an all-nodata
/// map that looks like a success), and a lookup whose codes and values disagree scores the
/// wrong classes. `decode` refuses such files with the first problem found, naming the layer
/// (counted from 1, with its name) or the tree and node.
extension ModelFile {
    /// The first number or table in the payload that cannot score; nil when all can.
    ///
    /// A layer's nodata value may be NaN ("NaN only"), so nodata values are not checked.
    var numericProblem: String? {
        switch payload {
        case .weightsOfEvidence(let model, let variance):
            if let p = Self.additiveProblem(model, layers: layers) { return p }
            guard let variance else { return nil }
            guard variance.priorVariance.isFinite else {
                return "wofeVariance.priorVariance is \(variance.priorVariance), not a finite number"
            }
            for (k, term) in variance.terms.enumerated() {
                if let p = Self.termProblem(term) { return "wofeVariance \(layerName(k)): \(p)" }
            }
            for (k, classes) in (variance.missingClasses ?? []).enumerated() {
                if let x = (classes.weights + classes.fractions).first(where: { !$0.isFinite }) {
                    return "wofeVariance.missingClasses \(layerName(k)): \(x) is not a finite number"
                }
            }
            return nil
        case .logistic(let model):
            return Self.additiveProblem(model, layers: layers)
        case .trees(let ensemble, _):
            guard ensemble.base.isFinite else { return "the trees' base score is \(ensemble.base), not a finite number" }
            if let d = ensemble.logitOffset {
                guard d.isFinite else { return "the trees' logitOffset is \(d), not a finite number" }
                guard ensemble.output == .average else {
                    return "the trees' logitOffset applies to averaged ensembles only; a logistic ensemble's shift is its base"
                }
            }
            for (t, tree) in ensemble.trees.enumerated() {
                for (what, numbers) in [("threshold", tree.threshold), ("value", tree.value), ("cover", tree.cover ?? [])] {
                    if let i = numbers.firstIndex(where: { !$0.isFinite }) {
                        return "tree \(t) node \(i): \(what) \(numbers[i]) is not a finite number"
                    }
                }
            }
            return nil
        case .fuzzy, .index:
            return nil  // weights and class scores are checked with the overlay (`validateOverlay`)
        }
    }

    /// "layer 3 (lithology)": layer `k` counted from 1, with its name when the file has it.
    func layerName(_ k: Int) -> String { Self.layerName(k, layers: layers) }

    static func layerName(_ k: Int, layers: [ModelLayer]) -> String {
        k < layers.count ? "layer \(k + 1) (\(layers[k].name))" : "layer \(k + 1)"
    }

    static func additiveProblem(_ model: AdditiveModel, layers: [ModelLayer]) -> String? {
        guard model.intercept.isFinite else { return "the intercept is \(model.intercept), not a finite number" }
        for (k, term) in model.terms.enumerated() {
            if let p = termProblem(term) { return "\(layerName(k, layers: layers)): \(p)" }
        }
        return nil
    }

    /// Why one term cannot score; nil when it can.
    static func termProblem(_ term: LayerTerm) -> String? {
        func nonFinite(_ named: KeyValuePairs<String, Float>) -> String? {
            named.first { !$0.value.isFinite }.map { "\($0.key) is \($0.value), not a finite number" }
        }
        switch term {
        case .linear(let coefficient, let center):
            return nonFinite(["linear coefficient": coefficient, "linear center": center])
        case .step(let threshold, let above, let below):
            return nonFinite(["step threshold": threshold, "step weight above": above, "step weight below": below])
        case .lookup(let codes, let values, let otherwise):
            guard codes.count == values.count else {
                func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
                return "lookup has \(count(codes.count, "code")) but \(count(values.count, "value"))"
            }
            var seen = Set<Int32>()
            for code in codes where !seen.insert(code).inserted { return "lookup lists code \(code) twice" }
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                return "lookup value for code \(codes[i]) is \(values[i]), not a finite number"
            }
            return nonFinite(["lookup otherwise": otherwise])
        }
    }
}
