import Foundation
import ProspectCore
import ProspectPipeline

/// The weights-of-evidence part of a training summary.
enum WofEText {
    /// The weights table: every class of class layers, the selected class of continuous layers,
    /// with what the deposit counts count and a note for classes the automatic cut may not take.
    static func table(_ rows: [WofEClassRow], summary t: TrainingSummary, parameters: [String: String]) -> String {
        let counting = t.countDeposits ?? .cells
        let what = counting == .points ? "deposit points" : "deposit cells"
        var out =
            "weights of evidence (Bonham-Carter 1994); areas in unit cells; deps = \(what)\(t.depositsCounted.map { " (N(D) = \($0))" } ?? ""); every class of class layers, the selected class of continuous layers; * = generalized pattern\n"
        let shown = rows.filter { $0.code != nil || $0.selected || $0.generalizedClass != nil }
        var table = [["layer", "class", "area", "deps", "W+", "s(W+)", "W-", "s(W-)", "C", "s(C)", "stud(C)", "gen", "W", "s(W)", "note"]]
        for r in shown {
            let w = r.weights
            table.append([
                r.layer, r.label + (r.selected && r.code == nil ? " *" : ""), format(r.area, 2), String(r.deposits),
                format(w.wPlus), format(w.sWPlus), format(w.wMinus), format(w.sWMinus),
                format(w.contrast), format(w.sContrast), format(w.studentizedContrast, 2),
                r.generalizedClass.map(String.init) ?? "", r.generalizedWeight.map { format($0) } ?? "",
                r.generalizedStd.map { format($0) } ?? "", r.belowMinimum.map { _ in "below minimum" } ?? "",
            ])
        }
        out += Reports.table(table)
        if let d = parameters["minDeposits"], let a = parameters["minAreaPercent"].flatMap(Double.init) {
            out +=
                "automatic cuts of continuous, ascending and descending layers: at least \(d) deposit\(d == "1" ? "" : "s") and \(WofEPatternMinimum.format(a)) % of the layer's area (--min-deposits, --min-area-percent)\n"
        }
        if let p = t.priorProbability { out += "prior probability \(String(format: "%.6g", p)) per unit cell\n" }
        return out
    }

    /// The conditional independence tests as text.
    static func render(_ t: TrainingSummary) -> String {
        var out = ""
        if let ci = t.conditionalIndependence {
            out += "\nconditional independence (Agterberg & Cheng 2002): n = \(ci.observed) deposits, "
            out += String(
                format: "T = %.4f expected, s(T) = %.4f, n/T = %.3f, (T - n)/s(T) = %.3f\n",
                ci.expected, ci.standardDeviation, ci.ratio, ci.z)
            out +=
                "  T - n < 1.645 s(T): \(ci.independentAt95 ? "yes" : "NO") (95 %: conditional independence \(ci.independentAt95 ? "not rejected" : "rejected"))\n"
            out +=
                "  T - n < 2.326 s(T): \(ci.independentAt99 ? "yes" : "NO") (99 %: conditional independence \(ci.independentAt99 ? "not rejected" : "rejected"))\n"
            out += String(format: "  probability that the model is not conditionally independent: %.1f %%\n", ci.probability * 100)
        }
        if let pairs = t.pairwiseIndependence, !pairs.isEmpty {
            out += "\npairwise independence on the deposit cells (chi-square, no Yates correction)\n"
            var table = [["layer A", "layer B", "chi2", "df", "p", "95 %", "99 %", "note"]]
            for p in pairs {
                table.append([
                    p.layerA, p.layerB, String(format: "%.3f", p.chiSquare), String(p.degreesOfFreedom),
                    String(format: "%.4f", p.pValue), p.dependentAt95 ? "dependent" : "independent",
                    p.dependentAt99 ? "dependent" : "independent", p.smallExpected ? "expected < 5" : "",
                ])
            }
            out += Reports.table(table)
        }
        return out
    }
}
