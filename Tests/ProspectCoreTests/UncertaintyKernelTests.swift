import Foundation
import Testing

@testable import ProspectCore

@Suite("Posterior standard deviation and confidence: fast kernel against the reference")
struct UncertaintyKernelTests {
    static let model = AdditiveModel(
        intercept: -4.1,
        terms: [
            .step(threshold: 0.5, above: 1.3, below: -0.4),
            .lookup(codes: [1, 2, 4, 7], values: [0.2, -1.1, 2.0, 0], otherwise: 0),
            .step(threshold: Float(12.5).nextUp, above: -0.3, below: 0.9),
        ],
        nodata: [-1, 0, .nan])
    static let variance = WofEVariance(
        priorVariance: 1.0 / 37,
        terms: [
            .step(threshold: 0.5, above: 0.09, below: 0.02),
            .lookup(codes: [1, 2, 4, 7], values: [0.3, 0.5, 1.2, 0], otherwise: 0),
            .step(threshold: Float(12.5).nextUp, above: 0.04, below: 0.11),
        ])

    static func layers(_ n: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return [
            (0..<n).map { _ in Float(rng.nextUnit()) },
            (0..<n).map { _ in Float(Int(rng.nextUnit() * 9)) },  // 0 is nodata
            (0..<n).map { _ in Float(rng.nextUnit() * 25) },
        ]
    }

    static func run(_ layers: [[Float]], bands: Int) -> (fast: [[Float]], reference: [[Float]]) {
        let n = layers[0].count
        var fast = [[Float]](repeating: [Float](repeating: 7, count: n), count: bands)
        var ref = [[Float]](repeating: [Float](repeating: 7, count: n), count: 3)
        let inputs = layers.map { l in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, l.count)) }
        defer { inputs.forEach { $0.deallocate() } }
        for (k, l) in layers.enumerated() { for i in l.indices { inputs[k][i] = l[i] } }
        let ptrs = inputs.map { UnsafeBufferPointer(rebasing: $0[0..<n]) }
        let f = fast.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n)) }
        let r = ref.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n)) }
        defer { (f + r).forEach { $0.deallocate() } }
        let scorer = WofEScorer(model: model, variance: variance)
        scorer.score(layers: ptrs, outputs: f.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) }, outputNodata: -9)
        UncertaintyKernel.reference(
            model: model, variance: variance, layers: ptrs,
            outputs: r.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) }, outputNodata: -9)
        for j in 0..<bands { fast[j] = Array(f[j][0..<n]) }
        for j in 0..<3 { ref[j] = Array(r[j][0..<n]) }
        return (fast, ref)
    }

    @Test("fast kernel matches the reference", arguments: [0, 1, 7, 8, 9, 1023, 8192 + 13])
    func matches(length: Int) {
        let layers = Self.layers(length, seed: UInt64(length) + 3)
        for bands in 1...3 {
            let (fast, ref) = Self.run(layers, bands: bands)
            for j in 0..<bands {
                for i in 0..<length {
                    let (a, b) = (fast[j][i], ref[j][i])
                    #expect(abs(a - b) <= 2e-6 * max(1, abs(b)), "band \(j) cell \(i): \(a) vs \(b)")
                }
            }
        }
    }

    @Test("the definitions: std = P (1 − P) sqrt(1/N(D) + Σ s²(W)), confidence = P / std, against numpy's figures")
    func definitions() {
        let layers: [[Float]] = [[0.7], [4], [3]]
        // logit = −4.1 + 1.3 + 2.0 + 0.9 = 0.1, s²(L) = 1/37 + 0.09 + 1.2 + 0.11; numpy (float64):
        // P = 1/(1 + exp(−0.1)) = 0.52497918747894, P (1 − P) sqrt(s²(L)) = 0.29790021989489296,
        // P / std = 1.7622651895462396.
        let (fast, ref) = Self.run(layers, bands: 3)
        for out in [ref, fast] {
            #expect(abs(Double(out[0][0]) - 0.52497918747894) < 1e-7)
            #expect(abs(Double(out[1][0]) - 0.29790021989489296) < 1e-6)
            #expect(abs(Double(out[2][0]) - 1.7622651895462396) < 1e-5)
        }
    }

    @Test("a posterior near 1 with a large logit variance: std 0.0039, where P · s(L) gave 1.58")
    func nearOne() {
        // One layer adding 6 + 4.1 to the intercept: logit 6, s²(L) = 1/37 + 2.473 = 2.5.
        let model = AdditiveModel(intercept: -4.1, terms: [.step(threshold: 0.5, above: 10.1, below: 0)], nodata: [-1])
        let variance = WofEVariance(priorVariance: 1.0 / 37, terms: [.step(threshold: 0.5, above: Float(2.5 - 1.0 / 37), below: 0)])
        let scorer = WofEScorer(model: model, variance: variance)
        var out = [[Float]](repeating: [0], count: 3)
        var input: [Float] = [1]
        input.withUnsafeMutableBufferPointer { x in
            let bands = (0..<3).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: 1) }
            defer { bands.forEach { $0.deallocate() } }
            scorer.score(layers: [UnsafeBufferPointer(x)], outputs: bands, outputNodata: -9)
            for j in 0..<3 { out[j][0] = bands[j][0] }
        }
        // numpy: P = 0.9975273768433653; P (1 − P) sqrt(2.5) = 0.0038998936153326253 (ArcSDM's
        // P · sqrt(2.5) = 1.5772292695990693); P / std = 255.78322775819754.
        #expect(abs(Double(out[0][0]) - 0.9975273768433653) < 1e-6)
        #expect(abs(Double(out[1][0]) - 0.0038998936153326253) < 1e-5 * 0.0039)
        #expect(abs(Double(out[2][0]) - 255.78322775819754) < 1e-5 * 255.8)
    }

    /// The standard deviation of `1/(1 + e^−L)` for a normal L, by the trapezoid rule over
    /// ±10 standard deviations: what the first-order formula approximates for small s(L).
    static func sigmoidStd(mean: Double, std: Double) -> Double {
        let n = 4000
        var (w, m, m2) = (0.0, 0.0, 0.0)
        for i in 0...n {
            let z = -10 + 20 * Double(i) / Double(n)
            let weight = exp(-z * z / 2) * (i == 0 || i == n ? 0.5 : 1)
            let y = 1 / (1 + exp(-(mean + std * z)))
            w += weight
            m += weight * y
            m2 += weight * y * y
        }
        return (m2 / w - (m / w) * (m / w)).squareRoot()
    }

    @Test(
        "for a small s(L), P (1 − P) s(L) is the posterior's standard deviation (integrated); P · s(L) is off by 1/(1 − P)",
        arguments: [-4.0, 0.1, 3.0])
    func firstOrder(logit: Double) {
        let sL = 0.05
        let r = WofEVariance.posteriorStd(logit: logit, logitVariance: sL * sL)
        let exact = Self.sigmoidStd(mean: logit, std: sL)
        #expect(abs(r.std / exact - 1) < 3e-3, "\(r.std) vs \(exact)")
        #expect(abs(r.posterior * sL / exact - 1 / (1 - r.posterior)) < 3e-3 / (1 - r.posterior))
    }

    @Test("nodata or NaN in any lane of any layer makes every band nodata", arguments: [1, 7, 8, 9, 17])
    func nodataEveryLane(length: Int) {
        for layer in 0..<3 {
            for lane in 0..<length {
                var layers = Self.layers(length, seed: 5)
                for i in 0..<length where layers[1][i] == 0 { layers[1][i] = 1 }
                layers[layer][lane] = lane % 2 == 0 ? Self.model.nodata[layer] : .nan
                if layer == 2 && lane % 2 == 0 { layers[layer][lane] = .nan }
                let (fast, ref) = Self.run(layers, bands: 3)
                for j in 0..<3 {
                    #expect(fast[j][lane] == -9 && ref[j][lane] == -9)
                    for i in 0..<length where i != lane { #expect(fast[j][i] != -9) }
                }
            }
        }
    }

    @Test("the posterior band equals the plain score kernel's")
    func posteriorUnchanged() {
        let layers = Self.layers(1023, seed: 8)
        let (fast, _) = Self.run(layers, bands: 3)
        var plain = [Float](repeating: 0, count: 1023)
        let inputs = layers.map { $0 }
        inputs[0].withUnsafeBufferPointer { a in
            inputs[1].withUnsafeBufferPointer { b in
                inputs[2].withUnsafeBufferPointer { c in
                    plain.withUnsafeMutableBufferPointer { out in
                        ScoreKernel.score(CompiledModel(Self.model), layers: [a, b, c], output: out, outputNodata: -9)
                    }
                }
            }
        }
        #expect(fast[0] == plain)
    }

    @Test("a model file with wofeVariance scores through WofEScorer and round-trips")
    func modelFile() throws {
        var file = ModelFile(
            tool: "test", created: "",
            layers: (0..<3).map { ModelLayer(name: "l\($0)", path: "l\($0).tif", kind: .continuous) },
            payload: .weightsOfEvidence(Self.model, variance: nil), parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 1, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
        #expect(file.scorer(nodata: Self.model.nodata).extraBands.isEmpty)
        file.payload = .weightsOfEvidence(Self.model, variance: Self.variance)
        let decoded = try ModelFile.decode(try file.encoded())
        #expect(decoded.wofeVariance == Self.variance)
        let scorer = decoded.scorer(nodata: Self.model.nodata)
        #expect(scorer.extraBands == ["posterior_std", "confidence"])
        #expect(scorer is WofEScorer)
        #expect(scorer.contributions(values: [0.7, 4, 3]) == [1.3, 2.0, 0.9].map { Double(Float($0)) })
        var bad = file
        bad.payload = .weightsOfEvidence(Self.model, variance: WofEVariance(priorVariance: 1, terms: []))
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(try bad.encoded()) }
    }
}
