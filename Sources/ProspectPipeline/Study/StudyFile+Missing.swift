import ProspectCore

extension StudyFile {
    /// `model.missing`: `nodata` (the default) or `unknown` (weights of evidence only; see
    /// `MissingDataRule`).
    static func missingRule(_ model: inout KeyReader, method: TrainingOptions.Method, path: String) throws -> MissingDataRule {
        guard let text = try model.string("missing") else { return .nodata }
        guard let rule = MissingDataRule(rawValue: text) else {
            throw PipelineError(path, "model.missing: \(text) is not one of \(MissingDataRule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if rule == .unknown, method != .wofe {
            throw PipelineError(path, "model.missing: unknown is for method wofe")
        }
        return rule
    }
}
