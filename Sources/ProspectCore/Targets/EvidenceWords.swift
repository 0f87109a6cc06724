import Foundation

/// A target's evidence in words: what its cells hold in a layer, in the layer's own terms.
///
/// - A categorical layer: its dominant classes over the target's cells, by name from the layer's
///   legend (`lithology = Graphite paraschist`), `code N` only for a class the legend does not
///   name; more than one class when the first covers less than three quarters of the cells.
/// - A weights-of-evidence binary pattern: the side of the cut that raises the score and the
///   share of the cells on it, the cut taken back through the layer's transforms to raw units
///   (`fault_distance ≤ 480 m (70 % of the target)`).
/// - Any other continuous layer: the middle half of the cells' raw values, their interquartile
///   range (`fault_distance 120–480 m`).
///
/// Units follow the value when the layer declares one (GDAL's unit type, a stack's units).
public enum EvidenceWords {
    /// Classes are listed until they cover this share of the target's cells (at most three).
    public static let classCoverage = 0.75

    /// The dominant classes of `codes` (valid raw cell values of a categorical layer).
    public static func classes(_ name: String, codes: [Float], legend: [String: String]?) -> String {
        var counts: [Int32: Int] = [:]
        for v in codes { counts[LayerTerm.code(of: v), default: 0] += 1 }
        let order = counts.sorted { ($0.value, -Int64($0.key)) > ($1.value, -Int64($1.key)) }
        guard !order.isEmpty else { return "\(name): no data" }
        let total = Double(codes.count)
        var shown: [(label: String, share: Double)] = []
        var covered = 0.0
        for (code, n) in order where covered < classCoverage && shown.count < 3 {
            shown.append((legend?[String(code)] ?? "code \(code)", Double(n) / total))
            covered += Double(n) / total
        }
        if shown.count == 1 {
            let label = shown[0].label
            return shown[0].share == 1 ? "\(name) = \(label)" : "\(name) = \(label) (\(percent(shown[0].share)) of the target)"
        }
        return "\(name) = " + shown.map { "\($0.label) (\(percent($0.share)))" }.joined(separator: ", ")
    }

    /// The interquartile range of `values` (valid raw cell values of a continuous layer), or
    /// the one value when the range rounds to it.
    public static func range(_ name: String, values: [Float], unit: String?) -> String {
        guard !values.isEmpty else { return "\(name): no data" }
        let sorted = values.map(Double.init).sorted()
        let low = number(quantile(sorted, 0.25))
        let high = number(quantile(sorted, 0.75))
        let suffix = unit.map { " \($0)" } ?? ""
        if low == high { return "\(name) \(low)\(suffix)" }
        let joined = sorted[0] < 0 || low.hasPrefix("−") ? "\(low) to \(high)" : "\(low)–\(high)"
        return "\(name) \(joined)\(suffix)"
    }

    /// Which way a cell lies from a cut.
    public enum Relation: String, Sendable {
        case below = "<"
        case atMost = "≤"
        case atLeast = "≥"
        case above = ">"

        /// The same cells seen through a decreasing map: `x ≤ t` becomes `g(x) ≥ g(t)`.
        public var turned: Relation {
            switch self {
            case .below: .above
            case .atMost: .atLeast
            case .atLeast: .atMost
            case .above: .below
            }
        }

    }

    /// The side of a weights-of-evidence binary pattern that raises the score (the larger of
    /// its two weights, W+ inside the pattern), and the share of the target's cells on it.
    ///
    /// - Parameters:
    ///   - term: the layer's `.step` term (`x ≥ threshold` adds `above`, other cells `below`).
    ///   - pattern: the selected class row of the layer's weights table, whose `threshold` and
    ///     `direction` name the cut as training chose it (`x ≤ t` ascending, `x ≥ t`
    ///     descending); nil for files without one, whose cut is then read from the term.
    ///   - transforms: the layer's transforms, which the cut is taken back through.
    ///   - transformed: the target's cells' values as the model saw them (transforms applied).
    ///   - raw: the same cells' raw values, described instead when the cut has no single raw value.
    /// - Returns: nil when `term` is no step.
    public static func pattern(
        _ name: String, term: LayerTerm, pattern: WofEClassRow?, transforms: [LayerTransform],
        transformed: [Float], raw: [Float], unit: String?
    ) -> String? {
        guard case .step(let step, let aboveValue, let belowValue) = term else { return nil }
        let total = transformed.count
        guard total > 0 else { return "\(name): no data" }
        let aboveCells = transformed.reduce(0) { $0 + ($1 >= step ? 1 : 0) }
        // The raising side, unless no cell lies on it (then both weights must raise the score).
        var above = aboveValue >= belowValue
        if (above ? aboveCells : total - aboveCells) == 0 { above.toggle() }
        let share = Double(above ? aboveCells : total - aboveCells) / Double(total)
        // The cut as training wrote it: an ascending pattern x ≤ t is the step at t's next float.
        var cut = Double(step)
        var relation: Relation = above ? .atLeast : .below
        if let pattern, let t = pattern.threshold {
            cut = Double(t)
            if pattern.direction == "ascending" { relation = above ? .above : .atMost }
        }
        guard let rawCut = transforms.isEmpty ? RawThreshold(value: cut, increasing: true) : transforms.inverse(cut) else {
            return range(name, values: raw, unit: unit)
        }
        if !rawCut.increasing { relation = relation.turned }
        let suffix = unit.map { " \($0)" } ?? ""
        let words = "\(name) \(relation.rawValue) \(number(rawCut.value))\(suffix)"
        return share < 1 ? "\(words) (\(percent(share)) of the target)" : words
    }

    /// The `q` quantile of sorted values, interpolated linearly between order statistics
    /// (Hyndman & Fan 1996, type 7, as numpy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down))
        guard i + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i])
    }

    /// Three significant digits, no exponent, a minus sign for negatives: 480, 0.0123, 12300, −35.2.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return String(v) }
        guard v != 0 else { return "0" }
        let magnitude = Int(Foundation.floor(Foundation.log10(abs(v))))
        let decimals = 2 - magnitude
        var text: String
        if decimals <= 0 {
            let unit = Foundation.pow(10, Double(-decimals))
            text = String(format: "%.0f", (v / unit).rounded() * unit)
        } else {
            text = String(format: "%.\(decimals)f", v)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
        }
        if text == "-0" { text = "0" }
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }

    /// A share as a whole percentage, never 0 or 100 unless it is: "83 %", "<1 %", ">99 %".
    public static func percent(_ share: Double) -> String {
        let p = share * 100
        if p > 0 && p < 1 { return "<1 %" }
        if p > 99 && p < 100 { return ">99 %" }
        return "\(Int(p.rounded())) %"
    }
}
