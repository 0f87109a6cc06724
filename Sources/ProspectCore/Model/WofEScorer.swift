/// A weights-of-evidence model for the engine: the posterior probability, and on request the
/// posterior's standard deviation and confidence as extra bands.
///
/// Band 1 is `P = sigmoid(prior logit + Σ W_k)` from the fast kernel, unchanged. The extra
/// bands are `posterior_std = P (1 − P) · sqrt(1/N(D) + Σ s²(W_k))` (`WofEVariance`) and
/// `confidence = P / posterior_std` (ArcSDM "Calculate Response": the posterior divided by its
/// standard deviation, a studentized posterior; values above about 2 are commonly read as
/// significant). Without a missing-data term the confidence equals
/// `1 / ((1 − P) sqrt(1/N(D) + Σ s²(W_k)))`, which is how it is computed (finite even where P
/// underflows).
public struct WofEScorer: CellScorer {
    public let compiled: CompiledModel
    /// The variance sum, compiled like a model: intercept 1/N(D), terms s²(W_k).
    public let variance: CompiledModel
    /// The variances as stored, for the scalar reference.
    public let varianceTerms: WofEVariance

    public init(model: AdditiveModel, variance: WofEVariance) {
        precondition(variance.terms.count == model.terms.count, "one variance term per layer")
        compiled = CompiledModel(model)
        self.variance = CompiledModel(variance.model(nodata: model.nodata))
        self.varianceTerms = variance
    }

    public var layerCount: Int { compiled.layerCount }
    public var extraBands: [String] { ["posterior_std", "confidence"] }
    public var contributionUnit: String { "logit" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        if outputs.count == 1 {
            ScoreKernel.score(compiled, layers: layers, output: outputs[0], outputNodata: outputNodata)
        } else {
            UncertaintyKernel.score(self, layers: layers, outputs: outputs, outputNodata: outputNodata)
        }
    }

    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        UncertaintyKernel.reference(
            model: compiled.model, variance: varianceTerms, layers: layers, outputs: outputs, outputNodata: outputNodata)
    }

    public func contributions(values: [Float]) -> [Double] {
        compiled.contributions(values: values)
    }
}
