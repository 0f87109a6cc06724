import Foundation

/// The model file's JSON: the payload spread over the keys every format version has used.
///
/// ```json
/// "method": "wofe", "model": { … }, "wofeVariance": { … }
/// "method": "logistic", "model": { … }
/// "method": "rf" | "gbt" | "lightgbm" | "xgboost", "trees": { … }
/// "method": "fuzzy", "fuzzy": { … }
/// "method": "index", "index": { … }
/// ```
/// Format versions 1 and 2 wrote only the first two, without `wofeVariance`.
extension ModelFile: Codable {
    enum CodingKeys: String, CodingKey {
        case format, formatVersion, tool, created, method, layers
        case model, trees, wofeVariance, fuzzy, index
        case parameters, training
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(tool, forKey: .tool)
        try c.encode(created, forKey: .created)
        try c.encode(method, forKey: .method)
        try c.encode(layers, forKey: .layers)
        switch payload {
        case .weightsOfEvidence(let model, let variance):
            try c.encode(model, forKey: .model)
            try c.encodeIfPresent(variance, forKey: .wofeVariance)
        case .logistic(let model): try c.encode(model, forKey: .model)
        case .trees(let ensemble, _): try c.encode(ensemble, forKey: .trees)
        case .fuzzy(let fuzzy): try c.encode(fuzzy, forKey: .fuzzy)
        case .index(let index): try c.encode(index, forKey: .index)
        }
        try c.encode(parameters, forKey: .parameters)
        try c.encode(training, forKey: .training)
    }

    /// Reads the fields in the order of the keys, then builds the payload.
    /// - Throws: `DecodingError` for a missing or mistyped field; `FormatError` for a file that
    ///   does not hold exactly one model, names an unknown method or another model's, or
    ///   attaches a variance to a model other than weights of evidence.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(String.self, forKey: .format)
        let formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        let tool = try c.decode(String.self, forKey: .tool)
        let created = try c.decode(String.self, forKey: .created)
        let method = try c.decode(String.self, forKey: .method)
        let layers = try c.decode([ModelLayer].self, forKey: .layers)
        let model = try c.decodeIfPresent(AdditiveModel.self, forKey: .model)
        let trees = try c.decodeIfPresent(TreeEnsemble.self, forKey: .trees)
        let variance = try c.decodeIfPresent(WofEVariance.self, forKey: .wofeVariance)
        let fuzzy = try c.decodeIfPresent(FuzzyOverlayModel.self, forKey: .fuzzy)
        let index = try c.decodeIfPresent(WeightedIndexModel.self, forKey: .index)
        let parameters = try c.decode([String: String].self, forKey: .parameters)
        let training = try c.decode(TrainingSummary.self, forKey: .training)

        func malformed(_ problem: String) -> FormatError { FormatError(message: "malformed model file: \(problem)") }
        let held = [(CodingKeys.model, model != nil), (.trees, trees != nil), (.fuzzy, fuzzy != nil), (.index, index != nil)]
            .filter(\.1).map(\.0)
        guard held.count == 1 else { throw malformed("it must hold exactly one model (found \(held.count))") }
        guard ModelPayload.methods.contains(method) else {
            throw malformed("unknown method \"\(method)\" (one of \(ModelPayload.methods.joined(separator: ", ")))")
        }
        let payload: ModelPayload
        if let model, method == "wofe" {
            payload = .weightsOfEvidence(model, variance: variance)
        } else if let model, method == "logistic" {
            payload = .logistic(model)
        } else if let trees, let origin = TreeOrigin(rawValue: method) {
            payload = .trees(trees, origin: origin)
        } else if let fuzzy, method == "fuzzy" {
            payload = .fuzzy(fuzzy)
        } else if let index, method == "index" {
            payload = .index(index)
        } else {
            let expected: CodingKeys =
                switch method {
                case "wofe", "logistic": .model
                case "fuzzy": .fuzzy
                case "index": .index
                default: .trees
                }
            throw malformed(
                "method \"\(method)\" keeps its model under \"\(expected.stringValue)\", but the file holds \"\(held[0].stringValue)\"")
        }
        if variance != nil, method != "wofe" {
            throw malformed("wofeVariance belongs to a weights-of-evidence model, not to method \"\(method)\"")
        }
        self.init(tool: tool, created: created, layers: layers, payload: payload, parameters: parameters, training: training)
        self.format = format
        self.formatVersion = formatVersion
    }
}
