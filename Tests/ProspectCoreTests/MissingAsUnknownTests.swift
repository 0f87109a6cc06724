import Foundation
import Testing

@testable import ProspectCore

@Suite("Missing data as unknown: a missing layer weighs 0, with the missing-data variance term")
struct MissingAsUnknownTests {
    static var model: AdditiveModel {
        var m = AdditiveModel(
            intercept: -4.1,
            terms: [
                .step(threshold: 0.5, above: 1.3, below: -0.4),
                .lookup(codes: [1, 2, 4, 7], values: [0.2, -1.1, 2.0, 0], otherwise: 0),
                .step(threshold: Float(12.5).nextUp, above: -0.3, below: 0.9),
                .linear(coefficient: 0.25, center: 3),
            ],
            nodata: [-1, 0, .nan, -9999])
        m.missing = .unknown
        return m
    }
    static let variance = WofEVariance(
        priorVariance: 1.0 / 37,
        terms: [
            .step(threshold: 0.5, above: 0.09, below: 0.02),
            .lookup(codes: [1, 2, 4, 7], values: [0.3, 0.5, 1.2, 0], otherwise: 0),
            .step(threshold: Float(12.5).nextUp, above: 0.04, below: 0.11),
            .linear(coefficient: 0, center: 0),
        ],
        missingClasses: [
            WofEMissingClasses(weights: [1.3, -0.4], fractions: [0.3, 0.7]),
            WofEMissingClasses(weights: [0.2, -1.1, 2.0, 0], fractions: [0.4, 0.3, 0.2, 0.1]),
            WofEMissingClasses(weights: [-0.3, 0.9], fractions: [0.5, 0.5]),
            WofEMissingClasses(weights: [], fractions: []),
        ])

    /// Random layers with about 30 % of each layer missing (nodata or NaN), so some cells
    /// miss every layer.
    static func layers(_ n: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        let nodata = model.nodata
        func hole(_ k: Int, _ v: Float) -> Float {
            let u = rng.nextUnit()
            return u < 0.15 ? nodata[k] : u < 0.3 ? .nan : v
        }
        return [
            (0..<n).map { _ in hole(0, Float(rng.nextUnit())) },
            (0..<n).map { _ in hole(1, Float(1 + Int(rng.nextUnit() * 8))) },
            (0..<n).map { _ in hole(2, Float(rng.nextUnit() * 25)) },
            (0..<n).map { _ in hole(3, Float(rng.nextUnit() * 6)) },
        ]
    }

    /// Runs `body` with the layers as buffers and `bands` output buffers of length n.
    static func withBuffers(
        _ layers: [[Float]], bands: Int,
        _ body: ([UnsafeBufferPointer<Float>], [UnsafeMutableBufferPointer<Float>]) -> Void
    ) -> [[Float]] {
        let n = layers[0].count
        let inputs = layers.map { l in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, l.count)) }
        let outputs = (0..<bands).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n)) }
        defer { (inputs + outputs).forEach { $0.deallocate() } }
        for (k, l) in layers.enumerated() { for i in l.indices { inputs[k][i] = l[i] } }
        for o in outputs { o.initialize(repeating: 7) }
        body(inputs.map { UnsafeBufferPointer(rebasing: $0[0..<n]) }, outputs.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) })
        return outputs.map { Array($0[0..<n]) }
    }

    static func close(_ a: Float, _ b: Float, _ tolerance: Float = 2e-6) -> Bool {
        a == b || abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test("score kernel: fast path matches the reference", arguments: [0, 1, 7, 8, 9, 1023, 8192 + 13])
    func scoreMatches(length: Int) {
        let layers = Self.layers(length, seed: UInt64(length) + 11)
        let compiled = CompiledModel(Self.model)
        let fast = Self.withBuffers(layers, bands: 1) { ScoreKernel.score(compiled, layers: $0, output: $1[0], outputNodata: -9) }
        let ref = Self.withBuffers(layers, bands: 1) {
            ScoreKernel.reference(model: Self.model, layers: $0, output: $1[0], outputNodata: -9)
        }
        var nodata = 0
        for i in 0..<length {
            #expect(Self.close(fast[0][i], ref[0][i]), "cell \(i): \(fast[0][i]) vs \(ref[0][i])")
            if ref[0][i] == -9 { nodata += 1 }
        }
        if length > 8000 { #expect(nodata > 0 && nodata < length / 20) }
    }

    @Test("a missing layer in any lane adds 0 to the logit; every layer missing is nodata", arguments: [1, 7, 8, 9, 17])
    func missingEveryLane(length: Int) {
        let m = Self.model
        let compiled = CompiledModel(m)
        let full: [Float] = [0.7, 4, 3, 5]
        let logitAll: Double = -4.1 + 1.3 + 2.0 + 0.9 + 0.25 * (5 - 3)
        let terms: [Double] = [1.3, 2.0, 0.9, 0.25 * 2]
        for layer in 0..<4 {
            for lane in 0..<length {
                var layers = full.map { [Float](repeating: $0, count: length) }
                layers[layer][lane] = lane % 2 == 0 ? m.nodata[layer] : .nan
                let fast = Self.withBuffers(layers, bands: 1) { ScoreKernel.score(compiled, layers: $0, output: $1[0], outputNodata: -9) }
                let ref = Self.withBuffers(layers, bands: 1) {
                    ScoreKernel.reference(model: m, layers: $0, output: $1[0], outputNodata: -9)
                }
                let expected = Float(1 / (1 + exp(-(logitAll - terms[layer]))))
                let other = Float(1 / (1 + exp(-logitAll)))
                for i in 0..<length {
                    let want = i == lane ? expected : other
                    #expect(Self.close(fast[0][i], want, 1e-5) && Self.close(ref[0][i], want, 1e-6), "layer \(layer) lane \(i)")
                }
            }
        }
        for lane in 0..<length {
            var layers = full.map { [Float](repeating: $0, count: length) }
            for k in 0..<4 { layers[k][lane] = k % 2 == 0 ? m.nodata[k] : .nan }
            let fast = Self.withBuffers(layers, bands: 3) {
                WofEScorer(model: m, variance: Self.variance).score(layers: $0, outputs: $1, outputNodata: -9)
            }
            let score = Self.withBuffers(layers, bands: 1) { ScoreKernel.score(compiled, layers: $0, output: $1[0], outputNodata: -9) }
            #expect(score[0][lane] == -9 && fast.allSatisfy { $0[lane] == -9 })
            #expect(fast[0].enumerated().allSatisfy { $0.offset == lane || $0.element != -9 })
        }
    }

    @Test("uncertainty kernel: fast path with its fix-up pass matches the reference", arguments: [0, 1, 7, 8, 9, 1023, 8192 + 13])
    func uncertaintyMatches(length: Int) {
        let layers = Self.layers(length, seed: UInt64(length) + 5)
        let scorer = WofEScorer(model: Self.model, variance: Self.variance)
        let ref = Self.withBuffers(layers, bands: 3) {
            UncertaintyKernel.reference(model: Self.model, variance: Self.variance, layers: $0, outputs: $1, outputNodata: -9)
        }
        for bands in 1...3 {
            let fast = Self.withBuffers(layers, bands: bands) { scorer.score(layers: $0, outputs: $1, outputNodata: -9) }
            for j in 0..<bands {
                for i in 0..<length {
                    #expect(Self.close(fast[j][i], ref[j][i], 1e-5), "band \(j) cell \(i): \(fast[j][i]) vs \(ref[j][i])")
                }
            }
        }
    }

    @Test("the missing-data variance of one cell, by hand")
    func handComputed() throws {
        // Layer 0 missing, the others valid: logit = −4.1 + 2.0 (code 4) + 0.9 (3 < 12.5) + 0.25·(5 − 3).
        let layers: [[Float]] = [[-1], [4], [3], [5]]
        let logit: Double = -4.1 + 2.0 + 0.9 + 0.5
        let p = 1 / (1 + exp(-logit))
        let o = p / (1 - p)
        // Layer 0's classes: W+ = 1.3 on 30 % of its data area, W− = −0.4 on 70 %.
        let pPlus = o * exp(1.3) / (1 + o * exp(1.3))
        let pMinus = o * exp(-0.4) / (1 + o * exp(-0.4))
        let missingVar = (pPlus - p) * (pPlus - p) * 0.3 + (pMinus - p) * (pMinus - p) * 0.7
        // The weights' part, to first order: (P (1 − P))² s²(L).
        let weightsVar = p * p * (1 - p) * (1 - p) * (1.0 / 37 + 1.2 + 0.11 + 0)
        let std = (weightsVar + missingVar).squareRoot()
        #expect(missingVar > 0.001)  // the term is not negligible here
        let ref = Self.withBuffers(layers, bands: 3) {
            UncertaintyKernel.reference(model: Self.model, variance: Self.variance, layers: $0, outputs: $1, outputNodata: -9)
        }
        let fast = Self.withBuffers(layers, bands: 3) {
            WofEScorer(model: Self.model, variance: Self.variance).score(layers: $0, outputs: $1, outputNodata: -9)
        }
        for out in [ref, fast] {
            #expect(abs(Double(out[0][0]) - p) < 1e-6)
            #expect(abs(Double(out[1][0]) - std) < 1e-6 * max(1, std))
            #expect(abs(Double(out[2][0]) - p / std) < 1e-5 * (p / std))
        }
        // A class of weight exactly 0 is skipped (layer 1's code 7), as ArcSDM does.
        let layer1 = Self.variance.missingClasses![1]
        let withZero = layer1.variance(logit: logit, posterior: p)
        let without = WofEMissingClasses(weights: [0.2, -1.1, 2.0], fractions: [0.4, 0.3, 0.2]).variance(logit: logit, posterior: p)
        #expect(withZero == without)
    }

    @Test("contributions: a missing layer contributes 0 under the unknown rule")
    func contributions() {
        let c = CompiledModel(Self.model).contributions(values: [.nan, 4, 3, -9999])
        #expect(c == [0, 2.0, 0.9, 0].map { Double(Float($0)) })
    }

    @Test("the model file records the rule only when it is on; old files read unchanged")
    func modelFile() throws {
        var plain = Self.model
        plain.missing = nil
        let summary = TrainingSummary(
            validCells: 1, cellAreaKm2: 1, depositsGiven: 2, depositsUsed: 2, depositsOutsideGrid: 0,
            depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: [])
        var file = ModelFile(
            tool: "t", created: "c", layers: (0..<4).map { ModelLayer(name: "l\($0)", path: "l\($0).tif", kind: .continuous) },
            payload: .weightsOfEvidence(
                plain, variance: WofEVariance(priorVariance: Self.variance.priorVariance, terms: Self.variance.terms)),
            parameters: [:], training: summary)
        let plainText = String(decoding: try file.encoded(), as: UTF8.self)
        #expect(!plainText.contains("\"missing\"") && !plainText.contains("missingClasses"))
        #expect(try ModelFile.decode(file.encoded()).additive?.missingAsUnknown == false)
        file.payload = .weightsOfEvidence(Self.model, variance: Self.variance)
        let decoded = try ModelFile.decode(file.encoded())
        #expect(decoded.formatVersion == 3 && decoded.additive?.missing == .unknown && decoded.wofeVariance == Self.variance)
        var short = Self.variance
        short.missingClasses?.removeLast()
        file.payload = .weightsOfEvidence(Self.model, variance: short)
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(file.encoded()) }
    }
}
