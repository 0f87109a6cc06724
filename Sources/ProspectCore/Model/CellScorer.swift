import Foundation

/// What the streaming engine scores: any model that turns a tile of layer values into a score
/// per cell (and, on request, extra bands such as an uncertainty), and explains a cell's score
/// layer by layer.
///
/// Every model keeps the one missing-data rule: a cell is `outputNodata` in every output band
/// when any layer is missing there (its nodata value, or NaN).
public protocol CellScorer: Sendable {
    /// Number of evidence layers, in the model's order.
    var layerCount: Int { get }
    /// Names of the extra bands this model can write after the score (e.g. "posterior_std",
    /// "confidence", "ensemble_spread"); empty when it has none.
    var extraBands: [String] { get }
    /// Scores `outputs[0].count` cells. `layers[k]` holds layer k's values (at least that many);
    /// `outputs[0]` receives the score and `outputs[j]` (when given) extra band `j − 1`.
    func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float)
    /// The same, by the model's scalar definition (one cell at a time, double precision): what
    /// the fast path is tested against, and the baseline the benchmarks report.
    func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float)
    /// Each layer's contribution to one valid cell's score, in the model's own units (logit for
    /// additive models and tree ensembles), for explaining targets.
    func contributions(values: [Float]) -> [Double]
    /// The unit `contributions` are in, for reports ("logit", "membership", "index").
    var contributionUnit: String { get }
}

extension CompiledModel: CellScorer {
    public var extraBands: [String] { [] }
    public var contributionUnit: String { "logit" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        ScoreKernel.score(self, layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        ScoreKernel.reference(model: model, layers: layers, output: outputs[0], outputNodata: outputNodata)
    }

    public func contributions(values: [Float]) -> [Double] {
        let unknown = model.missingAsUnknown
        return values.indices.map { k in
            unknown && !model.isValid(values[k], layer: k) ? 0 : Double(model.terms[k].contribution(values[k]))
        }
    }
}
