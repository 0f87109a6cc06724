import Foundation
import ProspectCore
import ProspectGDAL

/// The report's body, section by section.
struct ReportPage {
    var inputs: ReportInputs
    var model: ReportJSON
    var validation: ReportJSON?
    var cv: ReportJSON?
    var log: [String]
    var metadata: [String: String]
    var grid: Grid
    var quicklook: Quicklook
    var targets: ReportJSON?
    var sections: [String] = []
    var charts = 0
    var w = HTMLWriter()

    init(
        inputs: ReportInputs, model: ReportJSON, validation: ReportJSON?, cv: ReportJSON?, log: [String], metadata: [String: String],
        grid: Grid, quicklook: Quicklook, targets: ReportJSON?
    ) {
        self.inputs = inputs
        self.model = model
        self.validation = validation
        self.cv = cv
        self.log = log
        self.metadata = metadata
        self.grid = grid
        self.quicklook = quicklook
        self.targets = targets
    }

    var method: String { model["method"].string ?? "unknown" }
    var knowledgeDriven: Bool { method == "fuzzy" || method == "index" }

    static let methodNames = [
        "wofe": "weights of evidence", "logistic": "logistic regression", "rf": "random forest", "gbt": "gradient-boosted trees",
        "fuzzy": "fuzzy overlay", "index": "index overlay", "lightgbm": "imported LightGBM model", "xgboost": "imported XGBoost model",
    ]

    mutating func begin(_ id: String, _ title: String) {
        sections.append(id)
        w.raw("<section id=\"\(id)\">\n<h2>\(Markup.escape(title))</h2>\n")
    }
    mutating func end() { w.raw("</section>\n") }

    /// A badge saying whether a number is fit or prediction.
    static func fit(_ what: String = "fit: training deposits") -> String { "<span class=\"kind fit\">\(Markup.escape(what))</span>" }
    static func prediction(_ what: String = "prediction: deposits the model never saw") -> String {
        "<span class=\"kind prediction\">\(Markup.escape(what))</span>"
    }

    mutating func body(figurePNG: Data, mapPNG: Data) -> String {
        let created = model["created"].string ?? metadata["PROSPECT_CREATED"] ?? ""
        w.raw(
            "<p class=\"subtitle\">\(Markup.escape(Self.methodNames[method] ?? method)) · map \(Markup.escape(inputs.mapPath)) · model created \(Markup.escape(created)) · \(Markup.escape(ProspectVersion.tool))</p>\n"
        )
        w.raw(
            "<nav aria-label=\"Sections\"><ul><li><a href=\"#summary\">Summary</a></li><li><a href=\"#map-section\">Map</a></li><li><a href=\"#targets\">Targets</a></li><li><a href=\"#validation\">Validation</a></li><li><a href=\"#model\">Model</a></li><li><a href=\"#provenance\">Provenance</a></li></ul></nav>\n"
        )
        summary()
        mapSection(figurePNG: figurePNG, mapPNG: mapPNG)
        targetsSection()
        validationSection()
        modelSection()
        provenanceSection()
        return w.out
    }

    // MARK: Summary

    mutating func summary() {
        begin("summary", "Summary")
        let t = model["training"]
        var facts: [(String, String)] = [("Method", Self.methodNames[method] ?? method)]
        facts.append(("Evidence layers", model["layers"].array.compactMap { $0["name"].string }.joined(separator: ", ")))
        if let used = t["depositsUsed"].int, let given = t["depositsGiven"].int {
            facts.append(
                (
                    "Deposits",
                    "\(used) of \(given) used" + (knowledgeDriven ? " (for validation only: they did not shape the model)" : " to train")
                ))
        }
        if let v = validation, let auc = v["auc"].double {
            facts.append(
                ("ROC AUC, " + (knowledgeDriven ? "on the deposits" : "fit on the training deposits"), ReportFormat.fixed(auc, 4)))
        }
        if let v = validation, let auc = v["validation_auc"].double {
            facts.append(("ROC AUC, prediction on the validation deposits", ReportFormat.fixed(auc, 4)))
        }
        if let c = cv, let pooled = c["pooled_auc"].double {
            var text = ReportFormat.fixed(pooled, 4) + " pooled out of fold"
            if let mean = c["mean_auc"].double {
                text += "; \(ReportFormat.fixed(mean, 3)) ± \(ReportFormat.fixed(c["sd_auc"].double, 3)) over folds"
            }
            facts.append(("ROC AUC, prediction by cross-validation (deposits each model never saw)", text))
        }
        if let held = t["trees"]["heldOutAUC"].double {
            facts.append(("ROC AUC, prediction on the deposits held out of training", ReportFormat.fixed(held, 4)))
        }
        if let v = validation {
            let expected = v["expected_deposits"].double.map { ReportFormat.fixed($0, 1) } ?? "none"
            facts.append(
                ("Expected against known deposits", "\(expected) expected; \(v["known_deposits"].int.map(String.init) ?? "–") known"))
        }
        let features = targets?["features"].array ?? []
        facts.append(("Targets", features.isEmpty ? "none given" : "\(features.count)"))
        w.facts(facts)
        w.raw(
            "<p>Numbers marked \(Self.fit("fit")) measure how the map agrees with the deposits that trained it; numbers marked \(Self.prediction("prediction")) measure deposits the model never saw, which is what a new target will be.</p>\n"
        )
        let warnings = self.warnings
        if !warnings.isEmpty {
            w.raw("<h3>Warnings</h3>\n")
            for line in warnings { w.raw("<p class=\"warning\">\(Markup.escape(line))</p>\n") }
        }
        end()
    }

    /// Warnings from the run's log, the validation and the model's training.
    var warnings: [String] {
        var out: [String] = []
        for line in log {
            if let r = line.range(of: "warning: ") { out.append(String(line[r.upperBound...])) }
        }
        for v in validation?["warnings"].array ?? [] { if let s = v.string, !out.contains(s) { out.append(s) } }
        return out
    }

    // MARK: Map

    mutating func mapSection(figurePNG: Data, mapPNG: Data) {
        begin("map-section", "Map")
        let q = quicklook
        w.raw(
            "<p>\(Markup.escape(q.valueName.prefix(1).uppercased() + q.valueName.dropFirst())); colours \(Markup.escape(q.rampText)). Targets are outlined and numbered by rank (click one for its properties); deposits are red dots. CRS \(Markup.escape(q.crs)); coordinates in its units.</p>\n"
        )
        w.raw("<figure id=\"map-figure\">\n<div id=\"map\" role=\"region\" aria-label=\"Interactive map: pan and zoom\"></div>\n")
        w.raw(
            "<img id=\"staticmap\" src=\"data:image/png;base64,\(figurePNG.base64EncodedString())\" width=\"\(q.figure.width)\" height=\"\(q.figure.height)\" alt=\"The map in \(Markup.escape(Quicklook.ramp.name)) colours with \(q.targetCount) targets outlined and numbered and \(q.depositCount) deposits as red dots, its legend, scale bar and CRS\">\n"
        )
        w.raw("<noscript><p>JavaScript is off: the static map above shows the same map, targets and deposits.</p></noscript>\n")
        w.raw(colorBar())
        w.raw("</figure>\n")
        // The data the script reads.
        let e = q.extent
        let mapData =
            "{\"image\":\"data:image/png;base64,\(mapPNG.base64EncodedString())\",\"bounds\":[[\(e.minY),\(e.minX)],[\(e.maxY),\(e.maxX)]],\"crs\":\(Self.json(q.crs)),\"metres\":\(q.metresPerUnit == 1)}"
        w.raw("<script type=\"application/json\" id=\"map-data\">\(Self.scriptSafe(mapData))</script>\n")
        w.raw(
            "<script type=\"application/json\" id=\"targets-data\">\(Self.scriptSafe(q.targetsGeoJSON ?? "{\"type\":\"FeatureCollection\",\"features\":[]}"))</script>\n"
        )
        w.raw(
            "<script type=\"application/json\" id=\"deposits-data\">\(Self.scriptSafe(q.depositsGeoJSON ?? "{\"type\":\"FeatureCollection\",\"features\":[]}"))</script>\n"
        )
        end()
    }

    /// The ramp as an SVG colour bar with its values, under the interactive map.
    func colorBar() -> String {
        let q = quicklook
        let axis = SVGChart.Axis(title: "", low: q.low, high: q.high, log: q.stretch == .log)
        let ticks = q.stretch == .log ? NiceTicks.logTicks(low: q.low, high: q.high) : NiceTicks.ticks(low: q.low, high: q.high, count: 4)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        var stops = ""
        for (k, c) in Quicklook.ramp.stops.enumerated() {
            stops += "<stop offset=\"\(Double(k) / Double(Quicklook.ramp.stops.count - 1))\" stop-color=\"\(c.hex)\"/>"
        }
        var s =
            "<svg class=\"colorbar\" role=\"img\" aria-labelledby=\"colorbar-title\" viewBox=\"0 0 520 56\" width=\"520\" height=\"56\"><title id=\"colorbar-title\">Colour ramp: \(Markup.escape(q.rampText))</title><defs><linearGradient id=\"ramp\">\(stops)</linearGradient></defs><rect x=\"10\" y=\"6\" width=\"500\" height=\"18\" fill=\"url(#ramp)\" stroke=\"#333\"/>"
        for t in ticks {
            let x = 10 + 500 * SVGChart.fraction(t, axis)
            let label = q.stretch == .log ? String(format: "%g", t) : NiceTicks.label(t, step: step)
            s +=
                "<line x1=\"\(x)\" y1=\"24\" x2=\"\(x)\" y2=\"30\" stroke=\"#333\"/><text x=\"\(x)\" y=\"44\" text-anchor=\"middle\" font-size=\"11\">\(Markup.escape(label))</text>"
        }
        return s + "</svg>\n"
    }

    static func json(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// JSON safe inside `<script>`: "<" written as \u003c, so no "</script>" can end it early.
    static func scriptSafe(_ json: String) -> String { json.replacingOccurrences(of: "<", with: "\\u003c") }

    // MARK: Targets

    mutating func targetsSection() {
        begin("targets", "Targets")
        guard let features = targets?["features"].array, !features.isEmpty else {
            w.raw("<p>No targets were given.</p>\n")
            end()
            return
        }
        let first = features[0]["properties"]
        if let ranked = first["ranked_by"].string, let threshold = first["threshold"].double {
            w.raw(
                "<p>\(features.count) targets: areas scoring at or above \(Markup.escape(ReportFormat.number(threshold))), ranked by \(Markup.escape(ranked)). Expected deposits are the sum of the target's probabilities; known deposits are those inside it. Coordinates: a point inside each target (WGS 84).</p>\n"
            )
        }
        var rows: [[String]] = []
        for f in features {
            let p = f["properties"]
            rows.append([
                p["rank"].text, p["id"].text, p["expected_deposits"].isNull ? "–" : ReportFormat.fixed(p["expected_deposits"].double, 2),
                ReportFormat.fixed(p["area_km2"].double, 3), ReportFormat.fixed(p["score_max"].double, 4),
                p["known_deposits"].text, p["greenfield"].text,
                p["evidence"].array.isEmpty ? p["top_layers"].text : p["evidence"].text,
                ReportFormat.fixed(p["label_lon"].double, 5), ReportFormat.fixed(p["label_lat"].double, 5),
            ])
        }
        w.table(
            caption: "Targets by rank",
            header: [
                "rank", "id", "expected deposits", "area km²", "peak score", "known deposits", "greenfield", "main evidence", "lon",
                "lat",
            ], rows: rows, id: "targets-table")
        let explained = features.compactMap { f -> (String, String)? in
            guard let id = f["properties"]["id"].string, let e = f["properties"]["explanation"].string, !e.isEmpty else { return nil }
            return (id, e)
        }
        if !explained.isEmpty {
            w.raw("<details><summary>Each target's evidence in words</summary>\n")
            w.facts(explained)
            w.raw("</details>\n")
        }
        end()
    }

    // MARK: Provenance

    mutating func provenanceSection() {
        begin("provenance", "Provenance")
        var facts: [(String, String)] = []
        if let study = inputs.studyPath { facts.append(("Study file", study)) }
        if let command = inputs.command { facts.append(("Command", command)) }
        facts.append(("Map", inputs.mapPath))
        facts.append(("Model", inputs.modelPath))
        if let d = inputs.deposits {
            facts.append(("Deposits", DisplayPath.of(d) + (inputs.depositSelection.filter.map { " where \($0)" } ?? "")))
        }
        if let t = inputs.targetsPath { facts.append(("Targets", t)) }
        if let v = inputs.validationPath { facts.append(("Validation", v)) }
        if let c = inputs.cvPath { facts.append(("Cross-validation", c)) }
        let g = grid
        facts.append(
            (
                "Grid",
                "\(g.columns) × \(g.rows) cells of \(ReportFormat.number(g.transform.cellWidth)) × \(ReportFormat.number(abs(g.transform.cellHeight))), extent \(ReportFormat.number(g.extent.minX)), \(ReportFormat.number(g.extent.minY)) to \(ReportFormat.number(g.extent.maxX)), \(ReportFormat.number(g.extent.maxY))"
            ))
        facts.append(("CRS", quicklook.crs))
        facts.append(("Map written by", metadata["PROSPECT_VERSION"] ?? "–"))
        facts.append(("Map created", metadata["PROSPECT_CREATED"] ?? "–"))
        facts.append(("Report written by", "\(ProspectVersion.tool) with GDAL \(GDAL.version)"))
        w.facts(facts)
        // The evidence layers and where they came from.
        var sources: [String: String] = [:]
        if let stack = inputs.stackPath.flatMap(ReportJSON.load) {
            for l in stack["layers"].array {
                if let n = l["name"].string {
                    sources[n] = [l["source"].text, l["method"].text, l["units"].string ?? ""].joined(separator: " · ")
                }
            }
        }
        var rows: [[String]] = []
        for l in model["layers"].array {
            let name = l["name"].text
            rows.append([
                name, l["kind"].text, l["path"].text, sources[name] ?? "–",
                l["transforms"].array.isEmpty ? "–" : l["transforms"].array.map(\.text).joined(separator: " → "),
            ])
        }
        w.table(
            caption: "Evidence layers", header: ["layer", "kind", "path (in the model)", "source · how prepared · units", "transforms"],
            rows: rows)
        // Timings from the log.
        let timed = log.compactMap { line -> [String]? in
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
            let stamp = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
            let text = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard !text.hasPrefix("warning") else { return nil }
            return [stamp, String(text)]
        }
        if !timed.isEmpty {
            w.raw("<details><summary>The run's log (\(timed.count) lines, time since the start)</summary>\n")
            w.table(header: ["time", "step"], rows: timed)
            w.raw("</details>\n")
        }
        end()
    }

    /// Opens every table's details before printing, runs Leaflet on the map's own plane
    /// (L.CRS.Simple: y northing, x easting), and turns each target's properties into a table
    /// built with text nodes (no property is parsed as HTML).
    static let mapScript = """
        (function () {
          var root = document.documentElement;
          root.classList.remove('no-js');
          root.classList.add('js');
          window.addEventListener('beforeprint', function () {
            document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); });
          });
          if (typeof L === 'undefined') { root.classList.remove('js'); return; }
          var data = JSON.parse(document.getElementById('map-data').textContent);
          var targets = JSON.parse(document.getElementById('targets-data').textContent);
          var deposits = JSON.parse(document.getElementById('deposits-data').textContent);
          var map = L.map('map', { crs: L.CRS.Simple, minZoom: -20, maxZoom: 10, zoomSnap: 0.25, attributionControl: false });
          var bounds = L.latLngBounds(data.bounds);
          L.imageOverlay(data.image, bounds, { alt: 'The map' }).addTo(map);
          var toLatLng = function (c) { return L.latLng(c[1], c[0]); };
          function table(properties) {
            var t = document.createElement('table');
            Object.keys(properties).forEach(function (k) {
              var v = properties[k];
              if (v === null || typeof v === 'object' && !Array.isArray(v)) return;
              var tr = document.createElement('tr');
              var th = document.createElement('th'); th.textContent = k;
              var td = document.createElement('td'); td.textContent = Array.isArray(v) ? v.join('; ') : String(v);
              tr.appendChild(th); tr.appendChild(td); t.appendChild(tr);
            });
            return t;
          }
          L.geoJSON(targets, {
            coordsToLatLng: toLatLng,
            style: function () { return { color: '#ffffff', weight: 2, fillOpacity: 0.05, fillColor: '#ffffff' }; },
            onEachFeature: function (f, layer) {
              layer.bindPopup(function () { return table(f.properties || {}); }, { maxWidth: 420, maxHeight: 360 });
              if (f.properties && f.properties.rank !== undefined) {
                layer.bindTooltip(String(f.properties.rank), { permanent: true, direction: 'center', className: 'rank-label' });
              }
            }
          }).addTo(map);
          L.geoJSON(deposits, {
            coordsToLatLng: toLatLng,
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, { radius: 4, color: '#ffffff', weight: 1, fillColor: '#e41a1c', fillOpacity: 1 });
            },
            onEachFeature: function (f, layer) { if (f.properties && f.properties.id !== undefined) layer.bindTooltip(String(f.properties.id)); }
          }).addTo(map);
          map.fitBounds(bounds);
          if (data.metres) L.control.scale({ imperial: false }).addTo(map);
        })();
        """
}
