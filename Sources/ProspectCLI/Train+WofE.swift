import Foundation
import ProspectCore
import ProspectPipeline

/// The weights-of-evidence part of a training summary.
enum WofEText {
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
