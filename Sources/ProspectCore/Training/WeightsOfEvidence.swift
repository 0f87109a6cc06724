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
    /// False when W+ or W− could not be computed (a logarithm of zero or of a negative count);
    /// the missing weight and its standard deviation are then 0 and the studentized contrast is 0.
    public var defined: Bool

    public init(wPlus: Double, sWPlus: Double, wMinus: Double, sWMinus: Double,
                contrast: Double, sContrast: Double, studentizedContrast: Double, defined: Bool) {
        self.wPlus = wPlus
        self.sWPlus = sWPlus
        self.wMinus = wMinus
        self.sWMinus = sWMinus
        self.contrast = contrast
        self.sContrast = sContrast
        self.studentizedContrast = studentizedContrast
        self.defined = defined
    }

    /// All zeros, not defined.
    public static let undefined = WofEWeights(wPlus: 0, sWPlus: 0, wMinus: 0, sWMinus: 0,
                                              contrast: 0, sContrast: 0, studentizedContrast: 0, defined: false)
}

/// Weights of evidence for binary patterns (Bonham-Carter 1994, ch. 9).
public enum WeightsOfEvidence {
    /// The weights of a pattern B given its area and the deposits inside it.
    ///
    /// Areas are in unit cells (`cells * cellAreaKm2 / unitCellKm2`), deposits are counts, and
    /// each deposit occupies one unit cell, as in ArcSDM, so `N(B∩D̄) = area(B) − deposits(B)`,
    /// `N(D̄) = N(T) − N(D)`, `N(B̄∩D) = N(D) − N(B∩D)` and
    /// `N(B̄∩D̄) = N(T) − area(B) − N(B̄∩D)`.
    ///
    /// `W+ = ln[(N(B∩D)/N(D)) / (N(B∩D̄)/N(D̄))]`, `s²(W+) = 1/N(B∩D) + 1/N(B∩D̄)`;
    /// `W− = ln[(N(B̄∩D)/N(D)) / (N(B̄∩D̄)/N(D̄))]`, `s²(W−) = 1/N(B̄∩D) + 1/N(B̄∩D̄)`;
    /// `C = W+ − W−`, `s(C) = sqrt(s²(W+) + s²(W−))` (Bonham-Carter 1994, eqs. 9-13 to 9-20).
    ///
    /// Undefined weights: when a count inside a logarithm is zero or negative — B holds no
    /// deposit, or all of them, or all the area, or covers nothing — that weight is set to 0 with
    /// standard deviation 0, `defined` is false and the studentized contrast is 0. The contrast
    /// and its standard deviation are still `W+ − W−` and `sqrt(s²(W+) + s²(W−))` of the
    /// substituted values. This follows eis_toolkit's convention and never produces NaN.
    ///
    /// - Parameters:
    ///   - patternArea: area of B in unit cells.
    ///   - patternDeposits: deposits inside B.
    ///   - totalArea: area of the study region N(T) in unit cells.
    ///   - totalDeposits: all deposits N(D).
    /// - Returns: the weights, their standard deviations and the contrast.
    public static func weights(patternArea: Double, patternDeposits: Int,
                               totalArea: Double, totalDeposits: Int) -> WofEWeights {
        let nD = Double(totalDeposits)
        let nNotD = totalArea - nD
        let bD = Double(patternDeposits)
        let bNotD = patternArea - bD
        let notBD = nD - bD
        let notBNotD = (totalArea - patternArea) - notBD

        func weight(_ inside: Double, _ outside: Double) -> (w: Double, s: Double)? {
            guard inside > 0, outside > 0, nD > 0, nNotD > 0 else { return nil }
            let w = log((inside / nD) / (outside / nNotD))
            let s = (1 / inside + 1 / outside).squareRoot()
            guard w.isFinite, s.isFinite else { return nil }
            return (w, s)
        }

        let plus = weight(bD, bNotD)
        let minus = weight(notBD, notBNotD)
        let wPlus = plus?.w ?? 0, sWPlus = plus?.s ?? 0
        let wMinus = minus?.w ?? 0, sWMinus = minus?.s ?? 0
        let defined = plus != nil && minus != nil
        let contrast = wPlus - wMinus
        let sContrast = (sWPlus * sWPlus + sWMinus * sWMinus).squareRoot()
        let studentized = defined && sContrast > 0 ? contrast / sContrast : 0
        return WofEWeights(wPlus: wPlus, sWPlus: sWPlus, wMinus: wMinus, sWMinus: sWMinus,
                           contrast: contrast, sContrast: sContrast,
                           studentizedContrast: studentized, defined: defined)
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

    public init(layer: String, label: String, code: Int32? = nil, threshold: Float? = nil,
                direction: String? = nil, cells: Int, area: Double, deposits: Int,
                weights: WofEWeights, selected: Bool) {
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
}
