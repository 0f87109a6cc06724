import Foundation
import ProspectCore

extension ReportPage {
    mutating func modelSection() {
        begin("model", "Model")
        w.raw(
            "<p>\(Markup.escape(Self.methodNames[method] ?? method)), trained by \(Markup.escape(model["tool"].text)) on \(Markup.escape(model["created"].text)).</p>\n"
        )
        let parameters = model["parameters"].object.sorted { $0.key < $1.key }.map { [$0.key, $0.value.text] }
        if !parameters.isEmpty { w.table(caption: "Parameters", header: ["parameter", "value"], rows: parameters) }
        switch method {
        case "wofe": weightsOfEvidence()
        case "logistic": logistic()
        case "rf", "gbt", "lightgbm", "xgboost": trees()
        case "fuzzy", "index": overlay()
        default: break
        }
        let ranking = model["training"]["layerRanking"].array.compactMap(\.string)
        if !ranking.isEmpty { w.raw("<p>Layers by strength of evidence: \(Markup.escape(ranking.joined(separator: " > "))).</p>\n") }
        end()
    }

    mutating func weightsOfEvidence() {
        let weights = model["training"]["weights"].array
        w.raw("<h3>Weights of evidence</h3>\n")
        // The classes the model uses: every class of a categorical layer, the chosen cut of the others.
        let selected = weights.filter { $0["selected"].bool == true }
        w.table(
            caption: "Weights of the classes used (W+ inside the class or pattern, W− outside; C = W+ − W−)",
            header: ["layer", "class", "cells", "deposits", "W+", "s(W+)", "W−", "s(W−)", "C", "s(C)", "studentized C", "note"],
            rows: selected.map { r in
                let x = r["weights"]
                return [
                    r["layer"].text, r["label"].text, r["cells"].text, r["deposits"].text, ReportFormat.fixed(x["wPlus"].double, 4),
                    ReportFormat.fixed(x["sWPlus"].double, 4), ReportFormat.fixed(x["wMinus"].double, 4),
                    ReportFormat.fixed(x["sWMinus"].double, 4),
                    ReportFormat.fixed(x["contrast"].double, 4), ReportFormat.fixed(x["sContrast"].double, 4),
                    ReportFormat.fixed(x["studentizedContrast"].double, 2), x["note"].string ?? "",
                ]
            }, id: "weights-table")
        // Contrast against the cut for each cumulative (continuous) layer, both directions.
        var layers: [String] = []
        for r in weights where r["threshold"].double != nil {
            if let l = r["layer"].string, !layers.contains(l) { layers.append(l) }
        }
        if !layers.isEmpty { w.raw("<div class=\"charts\">\n") }
        defer { if !layers.isEmpty { w.raw("</div>\n") } }
        for (k, layer) in layers.enumerated() {
            let rows = weights.filter { $0["layer"].string == layer && $0["threshold"].double != nil }
            var series: [SVGChart.Series] = []
            var data: [[String]] = []
            for (direction, color, dash) in [("ascending", "#3b528b", nil as String?), ("descending", "#d95f02", "6 3")] {
                let points = rows.filter { $0["direction"].string == direction && $0["weights"]["defined"].bool != false }
                    .compactMap { r -> (x: Double, y: Double)? in
                        guard let t = r["threshold"].double, let c = r["weights"]["contrast"].double, c.isFinite else { return nil }
                        return (t, c)
                    }.sorted { $0.x < $1.x }
                guard !points.isEmpty else { continue }
                let name = direction == "ascending" ? "pattern: values ≤ cut" : "pattern: values ≥ cut"
                series.append(.init(name: name, points: points, color: color, dash: dash, markers: true))
                for r in rows where r["direction"].string == direction {
                    data.append([
                        name, ReportFormat.number(r["threshold"].double ?? .nan), r["deposits"].text,
                        ReportFormat.fixed(r["weights"]["contrast"].double, 4),
                        ReportFormat.fixed(r["weights"]["sContrast"].double, 4),
                        ReportFormat.fixed(r["weights"]["studentizedContrast"].double, 2),
                        r["selected"].bool == true ? "chosen" : "",
                    ])
                }
            }
            guard !series.isEmpty else { continue }
            let xs = series.flatMap { $0.points.map(\.x) }
            let ys = series.flatMap { $0.points.map(\.y) }
            let units = unitsOf(layer)
            var chart = SVGChart(
                id: htmlID("chart-contrast", layer, k), title: "Contrast by cut: \(layer)",
                description:
                    "Contrast C = W+ − W− of \(layer) for each cut, for the pattern below and above it; the chosen cut has the largest studentized contrast among the cuts meeting the minimum.",
                x: .init(title: "cut on \(layer)" + (units.isEmpty ? "" : " (\(units))"), low: xs.min()!, high: xs.max()!),
                y: .init(title: "contrast C (logit units)", low: min(0, ys.min()!), high: max(0.5, ys.max()!)), series: series)
            if let chosen = rows.first(where: { $0["selected"].bool == true }), let t = chosen["threshold"].double,
                let c = chosen["weights"]["contrast"].double
            {
                chart.notes = [.init(x: t, y: c, label: "chosen: \(chosen["label"].text)")]
            }
            w.chart(
                chart.svg, caption: "Contrast against the cut on \(layer).",
                header: ["pattern", "cut", "deposits in pattern", "C", "s(C)", "studentized C", ""], rows: data)
            charts += 1
        }
        // Conditional independence.
        let ci = model["training"]["conditionalIndependence"]
        if !ci.isNull {
            w.raw("<h3>Conditional independence</h3>\n")
            let verdict = ci["independentAt95"].bool == true ? "not rejected at 95 %" : "rejected at 95 %"
            w.raw(
                "<p>Agterberg &amp; Cheng (2002) test: the model expects T = \(ReportFormat.fixed(ci["expected"].double, 2)) deposits (s(T) = \(ReportFormat.fixed(ci["standardDeviation"].double, 2))) against n = \(ci["observed"].text) observed; z = \(ReportFormat.fixed(ci["z"].double, 2)), n/T = \(ReportFormat.fixed(ci["ratio"].double, 3)). Conditional independence is \(verdict)\(ci["independentAt95"].bool == true ? "" : ": the posterior probabilities are likely too high").</p>\n"
            )
            let pairs = model["training"]["pairwiseIndependence"].array
            if !pairs.isEmpty {
                w.table(
                    caption: "Pairwise tests of the layers' patterns on the deposits (χ²)",
                    header: ["layer A", "layer B", "χ²", "degrees of freedom", "p", "dependent at 95 %", "small expected counts"],
                    rows: pairs.map { p in
                        [
                            p["layerA"].text, p["layerB"].text, ReportFormat.fixed(p["chiSquare"].double, 3), p["degreesOfFreedom"].text,
                            ReportFormat.fixed(p["pValue"].double, 4), p["dependentAt95"].text, p["smallExpected"].text,
                        ]
                    }, id: "pairwise-table")
            }
        }
    }

    func unitsOf(_ layer: String) -> String {
        guard let stack = inputs.stackPath.flatMap(ReportJSON.load) else { return "" }
        return stack["layers"].array.first { $0["name"].string == layer }?["units"].string ?? ""
    }

    mutating func logistic() {
        let t = model["training"]
        let coefficients = t["coefficients"].array
        w.raw("<h3>Logistic regression</h3>\n")
        w.raw(
            "<p>Intercept \(ReportFormat.fixed(model["model"]["intercept"].double, 4)) (standard error \(ReportFormat.fixed(t["interceptStandardError"].double, 4))); \(t["converged"].bool == true ? "converged" : "did not converge") in \(t["iterations"].text) iterations on \(t["backgroundCells"].text) background cells.</p>\n"
        )
        w.table(
            caption: "Coefficients (standard errors from the penalized Hessian)",
            header: ["layer", "term", "coefficient", "standard error", "z", "standardized (per standard deviation)"],
            rows: coefficients.map { c in
                [
                    c["layer"].text, c["term"].text, ReportFormat.number(c["coefficient"].double ?? .nan),
                    ReportFormat.number(c["standardError"].double ?? .nan), ReportFormat.fixed(c["z"].double, 2),
                    ReportFormat.fixed(c["standardized"].double, 4),
                ]
            }, id: "coefficients-table")
        let bars = coefficients.compactMap { c -> SVGBarChart.Bar? in
            guard let s = c["standardized"].double, let z = c["z"].double else { return nil }
            let label = c["term"].string.map { $0 == "slope" ? c["layer"].text : "\(c["layer"].text) \($0)" } ?? c["layer"].text
            return .init(label: label, value: s, error: z != 0 ? abs(s / z) : nil)
        }
        guard !bars.isEmpty else { return }
        let chart = SVGBarChart(
            id: "chart-coefficients", title: "Standardized coefficients",
            description: "Each term's coefficient per standard deviation of its layer, with ± one standard error.",
            axisTitle: "logit change per standard deviation", bars: bars)
        w.chart(
            chart.svg, caption: "Standardized coefficients with ± one standard error.",
            header: ["term", "standardized", "± standard error"],
            rows: bars.map { [$0.label, ReportFormat.fixed($0.value, 4), ReportFormat.fixed($0.error, 4)] })
        charts += 1
    }

    mutating func trees() {
        let t = model["training"]["trees"]
        w.raw("<h3>Trees</h3>\n")
        if !t.isNull {
            var facts: [(String, String)] = [
                ("Trees", "\(t["trees"].text) of depth \(t["depth"].text)"),
                (
                    "Sample",
                    "\(t["depositCells"].text) deposit cells against \(t["backgroundCells"].text) background cells (\(t["background"].text))"
                ),
                ("ROC AUC, fit (\(t["aucKind"].text))", ReportFormat.fixed(t["auc"].double, 4)),
            ]
            if let held = t["heldOutAUC"].double {
                facts.append(
                    (
                        "ROC AUC, prediction (held out)",
                        "\(ReportFormat.fixed(held, 4)) on \(t["heldOutDepositCells"].text) deposit and \(t["heldOutBackgroundCells"].text) background cells"
                    ))
            }
            w.facts(facts)
        }
        let importance = t["importance"].array
        guard !importance.isEmpty else { return }
        let bars = importance.compactMap { i -> SVGBarChart.Bar? in i["share"].double.map { .init(label: i["layer"].text, value: 100 * $0) }
        }
        let chart = SVGBarChart(
            id: "chart-importance", title: "Feature importance",
            description: "Each layer's share of the trees' total split gain, in percent.", axisTitle: "share of split gain (%)", bars: bars)
        w.chart(
            chart.svg, caption: "Feature importance: share of the split gain.", header: ["layer", "share (%)", "gain"],
            rows: importance.map {
                [
                    $0["layer"].text, ReportFormat.fixed(($0["share"].double ?? .nan) * 100, 2),
                    ReportFormat.number($0["gain"].double ?? .nan),
                ]
            })
        charts += 1
    }

    mutating func overlay() {
        w.raw("<h3>Overlay</h3>\n")
        if let f = model["fuzzy"]["expression"].string {
            w.raw("<p>Fuzzy expression: <code>\(Markup.escape(f))</code></p>\n")
        }
        let index = model["index"]
        if !index.isNull {
            let weights = index["weights"].object.sorted { $0.key < $1.key }
            let total = weights.compactMap { $0.value.double }.reduce(0, +)
            w.table(
                caption: "Index overlay weights", header: ["layer", "weight", "share"],
                rows: weights.map { [$0.key, $0.value.text, ReportFormat.percent(total > 0 ? 100 * ($0.value.double ?? 0) / total : nil)] })
        }
        let scores = (model["fuzzy"]["classScores"].isNull ? index["classScores"] : model["fuzzy"]["classScores"]).object
        for (layer, table) in scores.sorted(by: { $0.key < $1.key }) {
            let legend = model["layers"].array.first { $0["name"].string == layer }?["legend"]
            w.table(
                caption: "Class scores of \(layer) (other classes 0)", header: ["code", "class", "score"],
                rows: table.object.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map {
                    [$0.key, legend?[$0.key].string ?? "", $0.value.text]
                })
        }
        var rows: [[String]] = []
        for l in model["layers"].array where !l["transforms"].array.isEmpty {
            rows.append([l["name"].text, l["transforms"].array.map(\.text).joined(separator: " → ")])
        }
        if !rows.isEmpty { w.table(caption: "Memberships (transforms)", header: ["layer", "transforms"], rows: rows) }
        if let auc = model["training"]["depositAUC"].double {
            w.raw(
                "<p>ROC AUC on the deposits \(ReportFormat.fixed(auc, 4)) \(Self.prediction("prediction: the deposits did not shape this model"))</p>\n"
            )
        }
    }
}
