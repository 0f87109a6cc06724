import Foundation
import ProspectCore

extension ReportPage {
    /// A curve of a validation file: (area %, deposit %, score?) per point.
    typealias Curve = [(area: Double, deposit: Double, score: Double?)]

    static func curve(_ j: ReportJSON, area: String = "areaPercent", deposit: String = "depositPercent") -> Curve {
        j.array.compactMap { p in
            guard let a = p[area].double, let d = p[deposit].double else { return nil }
            return (a, d, p["score"].double)
        }
    }

    /// The staircase through a success-rate curve's points, from (0, 0) to (100, 100): the cells
    /// above a deposit's score come in before the deposits at it.
    static func staircase(_ c: Curve, scale: Double = 1) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = [(0, 0)]
        var last = 0.0
        for p in c {
            points.append((p.area / scale, last / scale))
            points.append((p.area / scale, p.deposit / scale))
            last = p.deposit
        }
        points.append((100 / scale, last / scale))
        points.append((100 / scale, 100 / scale))
        return points
    }

    mutating func validationSection() {
        begin("validation", "Validation")
        let fitCurve = validation.map { Self.curve($0["curve"]) } ?? []
        let predictionCurve = validation.map { Self.curve($0["prediction_curve"]) } ?? []
        let cvCurve = cv.map { Self.curve($0["curve"], area: "area_percent", deposit: "deposit_percent") } ?? []
        guard !fitCurve.isEmpty || !cvCurve.isEmpty else {
            w.raw("<p>No validation: the run had no deposits, or no validation.json was given.</p>\n")
            end()
            return
        }
        let fitName = knowledgeDriven ? "deposits (did not shape the model)" : "fit: training deposits"
        let fitLabel = knowledgeDriven ? Self.prediction("prediction: the deposits did not shape this model") : Self.fit()
        w.raw(
            "<p>Background: every valid cell of the map, deposit cells included (the success-rate convention), so the ROC curve is the success-rate curve in fractions. Curves marked \(Self.fit("fit")) use the deposits that trained the model; \(Self.prediction("prediction")) curves use deposits the model never saw (cross-validation folds, or validation deposits).</p>\n"
        )
        // ROC.
        var series: [SVGChart.Series] = []
        var rows: [[String]] = []
        if !fitCurve.isEmpty {
            let auc = validation?["auc"].double
            series.append(
                .init(name: "\(fitName), AUC \(ReportFormat.fixed(auc, 3))", points: Self.staircase(fitCurve, scale: 100), color: "#d95f02")
            )
            for p in fitCurve { rows.append([fitName, ReportFormat.fixed(p.area / 100, 5), ReportFormat.fixed(p.deposit / 100, 4)]) }
        }
        if !cvCurve.isEmpty {
            let auc = cv?["pooled_auc"].double
            series.append(
                .init(
                    name: "prediction: cross-validated, AUC \(ReportFormat.fixed(auc, 3))", points: Self.staircase(cvCurve, scale: 100),
                    color: "#1b9e77", dash: "6 3"))
            for p in cvCurve {
                rows.append(["prediction: cross-validated", ReportFormat.fixed(p.area / 100, 5), ReportFormat.fixed(p.deposit / 100, 4)])
            }
        }
        if !predictionCurve.isEmpty {
            let auc = validation?["validation_auc"].double
            series.append(
                .init(
                    name: "prediction: validation deposits, AUC \(ReportFormat.fixed(auc, 3))",
                    points: Self.staircase(predictionCurve, scale: 100),
                    color: "#7570b3", dash: "2 2"))
            for p in predictionCurve {
                rows.append([
                    "prediction: validation deposits", ReportFormat.fixed(p.area / 100, 5), ReportFormat.fixed(p.deposit / 100, 4),
                ])
            }
        }
        var roc = SVGChart(
            id: "chart-roc", title: "ROC curve",
            description:
                "ROC curve: the share of deposits against the share of valid cells scoring at or above each threshold; the dashed diagonal is a random map. "
                + series.map(\.name).joined(separator: "; "),
            x: .init(title: "false-positive rate: share of valid cells at or above the threshold", low: 0, high: 1),
            y: .init(title: "true-positive rate: share of deposits", low: 0, high: 1), series: series)
        roc.guides = [[(0, 0), (1, 1)]]
        w.raw("<h3>ROC curve</h3>\n")
        w.chart(
            roc.svg, caption: "ROC curves; the area under each is its AUC.",
            header: ["curve", "false-positive rate", "true-positive rate"], rows: rows)
        charts += 1

        // Success and prediction rates, with the fixed areas.
        var rate: [SVGChart.Series] = []
        var rateRows: [[String]] = []
        func add(_ c: Curve, _ name: String, _ color: String, _ dash: String?) {
            guard !c.isEmpty else { return }
            // Log x axis from 0.01 %: the highest-scoring part of the map, where targets are.
            let stairs = Self.staircase(c).filter { $0.x > 0 }.map { (x: max($0.x, 0.01), y: $0.y) }
            rate.append(.init(name: name, points: stairs, color: color, dash: dash))
            for p in c { rateRows.append([name, ReportFormat.fixed(p.area, 4), ReportFormat.fixed(p.deposit, 2)]) }
        }
        add(fitCurve, knowledgeDriven ? "deposits (did not shape the model)" : "success rate (fit)", "#d95f02", nil)
        add(cvCurve, "prediction rate (cross-validated)", "#1b9e77", "6 3")
        add(predictionCurve, "prediction rate (validation deposits)", "#7570b3", "2 2")
        var rateChart = SVGChart(
            id: "chart-rates", title: "Success and prediction rates",
            description:
                "Percent of deposits captured against percent of the area, highest scores first, on a log area axis. "
                + rate.map(\.name).joined(separator: "; "),
            x: .init(title: "area at or above the threshold (% of valid cells, log scale)", low: 0.01, high: 100, log: true),
            y: .init(title: "deposits captured (%)", low: 0, high: 100), series: rate)
        rateChart.guides = [
            (0...40).map { k in
                let a = pow(10, -2 + Double(k) / 10)
                return (a, a)
            }
        ]
        w.raw("<h3>Success and prediction rates</h3>\n")
        w.chart(
            rateChart.svg, caption: "Deposits captured as the area grows from the highest scores; the dashed line is a random map.",
            header: ["curve", "area %", "deposits %"], rows: rateRows)
        charts += 1

        if let v = validation { paPlot(v, fitCurve: fitCurve) }
        captureTable()
        foldsTable()
        expectedTable()
        w.raw(
            "<p>\(fitLabel) The training deposits measure fit; only cross-validation and independent validation deposits measure prediction.</p>\n"
        )
        end()
    }

    /// The prediction–area plot (Yousefi & Carranza 2015): against the score threshold, the
    /// percent of deposits at or above it and the percent of the area below it; they cross where
    /// the map captures the most deposits in the least area.
    mutating func paPlot(_ v: ReportJSON, fitCurve: Curve) {
        w.raw("<h3>Prediction–area plot</h3>\n")
        let scored = fitCurve.compactMap { p in p.score.map { (area: p.area, deposit: p.deposit, score: $0) } }
        guard !scored.isEmpty else {
            w.raw(
                "<p>The validation file's curve carries no scores (written by an earlier version), so the plot cannot be drawn; the intersection is in the table below.</p>\n"
            )
            return
        }
        let ordered = scored.sorted { $0.score < $1.score }
        let lowScore = ordered.first!.score
        let highScore = max(ordered.last!.score, quicklook.high)
        let log = lowScore > 0 && highScore / lowScore >= 100
        let deposits = ordered.map { (x: $0.score, y: $0.deposit) }
        let area = ordered.map { (x: $0.score, y: 100 - $0.area) }
        var chart = SVGChart(
            id: "chart-pa", title: "Prediction–area plot",
            description:
                "Against the score threshold: the percent of deposits at or above it (rising as the threshold falls) and the percent of the area below it; they cross at the intersection.",
            x: .init(
                title: "score threshold" + (log ? " (log scale)" : ""), low: log ? lowScore : min(0, lowScore), high: highScore, log: log),
            y: .init(title: "percent", low: 0, high: 100),
            series: [
                .init(
                    name: "deposits at or above (%), " + (knowledgeDriven ? "deposits" : "fit"), points: deposits, color: "#d95f02",
                    markers: true),
                .init(name: "area below (%)", points: area, color: "#3b528b", markers: true),
            ])
        if let a = v["pa_intersection_area_percent"].double, let d = v["pa_intersection_deposit_percent"].double {
            // The threshold at the intersection: interpolated between the curve's scores by area.
            let byArea = scored.sorted { $0.area < $1.area }
            var threshold = byArea.last!.score
            for (p, q) in zip(byArea, byArea.dropFirst()) where p.area <= a && q.area >= a {
                let t = q.area > p.area ? (a - p.area) / (q.area - p.area) : 0
                threshold =
                    log
                    ? exp(Foundation.log(p.score) + t * (Foundation.log(q.score) - Foundation.log(p.score)))
                    : p.score + t * (q.score - p.score)
                break
            }
            chart.notes = [
                .init(
                    x: threshold, y: d,
                    label: "intersection: \(ReportFormat.fixed(a, 1)) % of the area, \(ReportFormat.fixed(d, 1)) % of deposits")
            ]
        }
        let rows = ordered.map { [ReportFormat.number($0.score), ReportFormat.fixed($0.deposit, 2), ReportFormat.fixed(100 - $0.area, 3)] }
        w.chart(
            chart.svg,
            caption:
                "Normalized density at the intersection: \(ReportFormat.fixed(v["pa_normalized_density"].double, 2)) (deposit percent / area percent).",
            header: ["score threshold", "deposits at or above (%)", "area below (%)"], rows: rows)
        charts += 1
    }

    mutating func captureTable() {
        var rows: [[String]] = []
        let keys = ["1", "5", "10", "20"]
        if let c = validation?["capture"], !c.isNull {
            rows.append(
                [knowledgeDriven ? "deposits (did not shape the model)" : "fit: training deposits"]
                    + keys.map { ReportFormat.percent(c[$0].double) })
        }
        if let c = validation?["validation_capture"], !c.isNull {
            rows.append(["prediction: validation deposits"] + keys.map { ReportFormat.percent(c[$0].double) })
        }
        if let t = cv?["table"].array, !t.isEmpty {
            let at = Dictionary(
                t.compactMap { p in p["area_percent"].double.map { ($0, p["deposit_percent"].double) } }, uniquingKeysWith: { a, _ in a })
            rows.append(["prediction: cross-validated"] + keys.map { ReportFormat.percent(at[Double($0)!] ?? nil) })
        }
        guard !rows.isEmpty else { return }
        w.raw("<h3>Capture at fixed areas</h3>\n")
        w.table(
            caption: "Percent of deposits within the top percent of the area",
            header: ["deposits", "top 1 %", "top 5 %", "top 10 %", "top 20 %"], rows: rows, id: "capture-table")
    }

    mutating func foldsTable() {
        guard let c = cv, !c["folds"].array.isEmpty else { return }
        w.raw("<h3>Cross-validation folds \(Self.prediction())</h3>\n")
        let scheme = c["scheme"].string == "blocks" ? "spatial blocks of \(c["block_km"].text) km" : "random cells"
        w.raw(
            "<p>\(c["folds"].array.count) folds of \(Markup.escape(scheme))\(c["block_reason"].string.map { " (" + Markup.escape($0) + ")" } ?? ""). Each fold's model was trained on the other folds' deposits (fit) and scored on its own held-out deposits (prediction).</p>\n"
        )
        var rows = c["folds"].array.map { f in
            [
                f["fold"].text, f["training_deposits"].text, f["deposits"].text, f["cells"].text,
                ReportFormat.fixed(f["area_km2"].double, 1),
                f["blocks"].text, f["auc"].isNull ? "none (no deposit)" : ReportFormat.fixed(f["auc"].double, 4),
            ]
        }
        rows.append([
            "mean ± sd", "", "", "", "", "",
            "\(ReportFormat.fixed(c["mean_auc"].double, 4)) ± \(ReportFormat.fixed(c["sd_auc"].double, 4))",
        ])
        rows.append(["pooled out of fold", "", c["deposits"].text, c["cells"].text, "", "", ReportFormat.fixed(c["pooled_auc"].double, 4)])
        w.table(
            caption: "Folds",
            header: [
                "fold", "training deposits (fit)", "held-out deposits (prediction)", "held-out cells", "area km²", "blocks",
                "ROC AUC on held-out deposits (prediction)",
            ], rows: rows, id: "folds-table")
    }

    mutating func expectedTable() {
        guard let v = validation else { return }
        w.raw("<h3>Expected and known deposits</h3>\n")
        var rows = [
            [
                "expected deposits (the map's probabilities summed)",
                v["expected_deposits"].isNull ? "none" : ReportFormat.fixed(v["expected_deposits"].double, 1),
            ],
            ["known deposit cells", v["known_deposits"].text],
            ["how expected deposits were summed", v["expected_deposits_basis"].text],
        ]
        if let t = model["training"]["expectedDeposits"].double {
            rows.append(["expected over the training area, when trained", ReportFormat.fixed(t, 1)])
        }
        w.table(header: ["", ""], rows: rows, id: "expected-table")
    }
}
