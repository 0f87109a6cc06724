import Foundation

/// Scores a tree ensemble cell by cell with its scalar definition (`TreeEnsemble.probability`).
///
/// Simple and exact: the reference that faster tree kernels are compared with. A cell is
/// `outputNodata` when any layer is its nodata value or NaN there, so the trees never see a
/// missing value.
public struct ReferenceTreeScorer: CellScorer {
    public let ensemble: TreeEnsemble
    /// One missing value per layer (NaN when a layer has none).
    public let nodata: [Float]

    public init(_ ensemble: TreeEnsemble, nodata: [Float]) {
        precondition(nodata.count == ensemble.featureCount, "one nodata value per layer")
        self.ensemble = ensemble
        self.nodata = nodata
    }

    public var layerCount: Int { ensemble.featureCount }
    public var extraBands: [String] { [] }
    public var contributionUnit: String { ensemble.output == .logistic ? "logit" : "probability" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        let out = outputs[0]
        var values = [Float](repeating: 0, count: layerCount)
        for i in 0..<out.count {
            var valid = true
            for k in 0..<layerCount {
                let v = layers[k][i]
                if v.isNaN || v == nodata[k] { valid = false; break }
                values[k] = v
            }
            out[i] = valid ? Float(ensemble.probability(values)) : outputNodata
        }
    }

    /// This scorer is the scalar definition itself.
    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        score(layers: layers, outputs: outputs, outputNodata: outputNodata)
    }

    public func contributions(values: [Float]) -> [Double] {
        ensemble.contributions(values)
    }
}
