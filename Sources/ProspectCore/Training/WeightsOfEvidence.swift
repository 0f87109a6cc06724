import Foundation

/// The weights of one binary evidence pattern B against a deposit set D.
///
/// Definitions follow Bonham-Carter (1994, *Geographic Information Systems for Geoscientists*,
/// ch. 9, eqs. 9-8 to 9-20) with the ArcSDM conventions (areas in unit cells, each deposit
/// occupying one unit cell):
///
/// - `W+ = ln[ (N(B∩D) / N(D)) / (N(B∩D̄) / N(D̄)) ]`, `s²(W+) = 1/N(B∩D) + 1/N(B∩D̄)`
/// - `W− = ln[ (N(B̄∩D) / N(D)) / (N(B̄∩D̄) / N(D̄)) ]`, `s²(W−) = 1/N(B̄∩D) + 1/N(B̄∩D̄)`
/// - `C = W+ − W−`, `s(C) = sqrt(s²(W+) + s²(W−))`, studentized contrast `C / s(C)`
///   (Bonham-Carter 1994, p. 316; Agterberg & Cheng 2002 for the studentized form).
public struct WofEWeights: Sendable, Equatable, Codable {
    public var wPlus: Double
    public var sWPlus: Double
    public var wMinus: Double
    public var sWMinus: Double
    public var contrast: Double
    public var sContrast: Double
    public var studentizedContrast: Double
    /// False when the weights could not be computed (no deposit in the pattern, no deposit-free
    /// area, more deposits than unit cells); every figure is then 0.
    public var defined: Bool
    /// How the counts were adjusted or why the weights are undefined, when they were
    /// (e.g. "every deposit in the class: 0.99 of a deposit counted outside it").
    public var note: String?

    public init(
        wPlus: Double, sWPlus: Double, wMinus: Double, sWMinus: Double,
        contrast: Double, sContrast: Double, studentizedContrast: Double, defined: Bool,
        note: String? = nil
    ) {
        self.wPlus = wPlus
        self.sWPlus = sWPlus
        self.wMinus = wMinus
        self.sWMinus = sWMinus
        self.contrast = contrast
        self.sContrast = sContrast
        self.studentizedContrast = studentizedContrast
        self.defined = defined
        self.note = note
    }

    /// All zeros, not defined.
    public static let undefined = WofEWeights(
        wPlus: 0, sWPlus: 0, wMinus: 0, sWMinus: 0,
        contrast: 0, sContrast: 0, studentizedContrast: 0, defined: false)

    /// All zeros, not defined, with the reason.
    public static func undefined(_ reason: String) -> WofEWeights {
        var w = WofEWeights.undefined
        w.note = reason
        return w
    }
}

/// Weights of evidence for binary patterns (Bonham-Carter 1994, ch. 9).
public enum WeightsOfEvidence {
    /// The weights of a pattern B given its area and the deposits inside it.
    ///
    /// Areas are in unit cells (`cells * cellAreaKm2 / unitCellKm2`), deposits are counts, and
    /// each deposit occupies one unit cell, as in ArcSDM. With `a = N(B∩D)`, `b = N(B̄∩D) =
    /// N(D) − a`, `c = N(B∩D̄) = area(B) − a` and `d = N(B̄∩D̄) = N(T) − area(B) − b`:
    ///
    /// `W+ = ln[(a/N(D)) / (c/N(D̄))]`, `s²(W+) = 1/a + 1/c`;
    /// `W− = ln[(b/N(D)) / (d/N(D̄))]`, `s²(W−) = 1/b + 1/d`;
    /// `C = W+ − W−`, `s(C) = sqrt(s²(W+) + s²(W−))`, studentized contrast `C / s(C)`
    /// (Bonham-Carter 1994, eqs. 9-13 to 9-20).
    ///
    /// Edge cases, as ArcSDM's "Calculate Weights" (its `MakeWts` traps, GitHub issue 66) and
    /// eis_toolkit's `weights_of_evidence_calculate_weights` treat them:
    /// - B holds no deposit (`a = 0`), there is no deposit-free area (`N(D̄) ≤ 0`), or B holds
    ///   more deposits than unit cells (`c ≤ 0`, or `d < 0`): every figure is 0, `defined` is
    ///   false and `note` says why. Such a class adds nothing to the logit.
    /// - B holds every deposit (`b = 0`): 0.99 of a deposit is counted outside B (`a − 0.99`
    ///   inside, `0.99` outside), so W− is finite; `note` says so.
    /// - B leaves no deposit-free area outside it (`d = 0`): likewise 0.99 of a deposit-free
    ///   unit cell is counted outside B.
    ///
    /// The adjusted counts follow eis_toolkit (the class area and N(D̄) stay as counted; ArcSDM
    /// also moves the 0.99 from the class's deposit-free area, which changes W+ in the third
    /// decimal). Never NaN or infinite.
    ///
    /// - Parameters:
    ///   - patternArea: area of B in unit cells.
    ///   - patternDeposits: deposits inside B.
    ///   - totalArea: area of the study region N(T) in unit cells.
    ///   - totalDeposits: all deposits N(D).
    /// - Returns: the weights, their standard deviations and the contrast.
    public static func weights(
        patternArea: Double, patternDeposits: Int,
        totalArea: Double, totalDeposits: Int
    ) -> WofEWeights {
        let nD = Double(totalDeposits)
        let nNotD = totalArea - nD
        var a = Double(patternDeposits)
        var b = nD - a
        var c = patternArea - a
        var d = nNotD - c
        guard nD > 0, nNotD > 0, patternDeposits >= 0, patternDeposits <= totalDeposits else {
            return .undefined(nD > 0 ? "no deposit-free area" : "no deposits")
        }
        guard a > 0 else { return .undefined("no deposit in the class") }
        let tolerance = 1e-9 * max(1, totalArea)
        guard c > tolerance, d > -tolerance else { return .undefined("more deposits than unit cells; choose a smaller unit cell") }
        var notes: [String] = []
        if b <= 0 {
            a -= 0.99
            b = 0.99
            notes.append("every deposit in the class: 0.99 of a deposit counted outside it")
        }
        if d <= tolerance {
            c -= 0.99
            d = 0.99
            notes.append("no deposit-free area outside the class: 0.99 of a unit cell counted outside it")
        }
        guard a > 0, c > 0 else { return .undefined("more deposits than unit cells; choose a smaller unit cell") }
        let wPlus = log((a / nD) / (c / nNotD))
        let sWPlus = (1 / a + 1 / c).squareRoot()
        let wMinus = log((b / nD) / (d / nNotD))
        let sWMinus = (1 / b + 1 / d).squareRoot()
        let contrast = wPlus - wMinus
        let sContrast = (sWPlus * sWPlus + sWMinus * sWMinus).squareRoot()
        let figures = [wPlus, sWPlus, wMinus, sWMinus, contrast, sContrast]
        guard figures.allSatisfy(\.isFinite), sContrast > 0 else { return .undefined("counts too small for finite weights") }
        return WofEWeights(
            wPlus: wPlus, sWPlus: sWPlus, wMinus: wMinus, sWMinus: sWMinus,
            contrast: contrast, sContrast: sContrast,
            studentizedContrast: contrast / sContrast, defined: true,
            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// The prior log-odds of a deposit in a unit cell, `ln(N(D) / (N(T) − N(D)))`
    /// (Bonham-Carter 1994, eq. 9-4: prior odds O(D) = P(D) / (1 − P(D))).
    ///
    /// - Returns: the prior logit, or −∞ with no deposits (NaN when deposits fill the area).
    public static func priorLogit(totalArea: Double, totalDeposits: Int) -> Double {
        let nD = Double(totalDeposits)
        return log(nD / (totalArea - nD))
    }
}

/// One class of one evidence layer in a weights-of-evidence table.
public struct WofEClassRow: Sendable, Codable, Equatable {
    public var layer: String
    /// "code 3" (categorical), ">= 12.5" (descending cumulative), "<= 800" (ascending cumulative).
    public var label: String
    /// The class code of a categorical layer.
    public var code: Int32?
    /// The threshold of a cumulative class of a continuous layer.
    public var threshold: Float?
    /// "descending" (x >= threshold is the pattern) or "ascending" (x <= threshold).
    public var direction: String?
    /// Valid cells in the class.
    public var cells: Int
    /// Area of the class in unit cells.
    public var area: Double
    /// Deposits in the class.
    public var deposits: Int
    public var weights: WofEWeights
    /// True for the class(es) the model uses.
    public var selected: Bool
    /// The class this class belongs to after generalization (ArcSDM's GEN_CLASS): for a binary
    /// generalization 2 inside the favourable pattern and 1 outside; for a categorical layer
    /// the class's own code or the number of its group.
    public var generalizedClass: Int?
    /// The weight the model adds for cells of this class (ArcSDM's WEIGHT) and its standard
    /// deviation (W_STD).
    public var generalizedWeight: Double?
    public var generalizedStd: Double?
    /// Why the automatic cut of a cumulative or continuous layer may not choose this class
    /// (`WofEPatternMinimum.shortfall`); nil when it may, and for categorical classes.
    public var belowMinimum: String?

    public init(
        layer: String, label: String, code: Int32? = nil, threshold: Float? = nil,
        direction: String? = nil, cells: Int, area: Double, deposits: Int,
        weights: WofEWeights, selected: Bool
    ) {
        self.layer = layer
        self.label = label
        self.code = code
        self.threshold = threshold
        self.direction = direction
        self.cells = cells
        self.area = area
        self.deposits = deposits
        self.weights = weights
        self.selected = selected
    }

    /// What the tables' note says about the class: how its counts were adjusted, and why the
    /// automatic cut may not choose it.
    public var notes: [String] { [weights.note, belowMinimum].compactMap { $0 } }
}
