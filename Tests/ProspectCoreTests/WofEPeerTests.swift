import Testing
@testable import ProspectCore

/// Weights of evidence against a peer's published figures: eis_toolkit's weights for its
/// `wofe_evidence_raster.tif` test raster (781 valid 1 km cells, 16 deposits, unit cell = one
/// cell), as stored in its weights_of_evidence notebook. Only the class counts are taken here.
@Suite("Weights of evidence match eis_toolkit's figures")
struct WofEPeerTests {
    // (cells, deposits) → (W+, s(W+), W−, s(W−), C, s(C), studentized C), to 4 decimals.
    static let cases: [(Int, Int, [Double])] = [
        (275, 9, [0.4810, 0.3389, -0.3994, 0.3806, 0.8804, 0.5096, 1.7275]),
        (396, 5, [-0.4920, 0.4501, 0.3409, 0.3059, -0.8329, 0.5442, -1.5306]),
        (43, 1, [0.1296, 1.0118, -0.0081, 0.2609, 0.1377, 1.0449, 0.1318]),
        (2, 1, [3.8673, 1.4142, -0.0632, 0.2607, 3.9305, 1.4380, 2.7332]),
        // Cumulative ascending classes (≤ 2, ≤ 3, ≤ 5). The ≤ 10 class holds every deposit, so its
        // W− is undefined (ln 0); eis_toolkit reports a finite value there and Prospect 0 with
        // `defined = false` — not compared.
        (286, 9, [0.4405, 0.3387, -0.3771, 0.3807, 0.8176, 0.5095, 1.6046]),
        (682, 14, [0.0021, 0.2700, -0.0143, 0.7144, 0.0163, 0.7637, 0.0214]),
        (725, 15, [0.0101, 0.2609, -0.1400, 1.0090, 0.1501, 1.0422, 0.1440]),
    ]

    @Test("class weights", arguments: 0..<cases.count)
    func classWeights(_ i: Int) {
        let (cells, deposits, expected) = Self.cases[i]
        let w = WeightsOfEvidence.weights(patternArea: Double(cells), patternDeposits: deposits, totalArea: 781, totalDeposits: 16)
        let got = [w.wPlus, w.sWPlus, w.wMinus, w.sWMinus, w.contrast, w.sContrast, w.studentizedContrast]
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 6e-5, "got \(got), expected \(expected)") }
    }
}
