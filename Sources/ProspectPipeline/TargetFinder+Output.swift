import Foundation
import ProspectCore
import ProspectGDAL

/// Writes the targets (and tiles, and the CSV beside them) as one set.
enum TargetOutput {
    /// The properties of one target, in column order; the CSV has the same columns.
    static func properties(
        _ t: Target, report: TargetReport, provenance: [String: String]
    ) -> [(String, GeoJSONValue)] {
        func number(_ v: Double?) -> GeoJSONValue { v.map { .double($0) } ?? .null(.real) }
        var p: [(String, GeoJSONValue)] = [
            ("rank", .int(t.rank)), ("id", .string(t.id)),
            ("expected_deposits", number(t.expectedDeposits)),
            ("area_km2", .double(t.areaKm2)), ("cells", .int(t.cells)),
            ("score_max", .double(t.maxScore)), ("score_mean", .double(t.meanScore)),
            ("known_deposits", t.knownDeposits.map { .int($0) } ?? .null(.integer)),
            ("known_deposit_ids", t.knownDepositIDs.map { .string($0.joined(separator: ", ")) } ?? .null(.string)),
            ("nearest_known_km", number(t.nearestKnownKm)),
            ("greenfield", t.greenfield.map { .bool($0) } ?? .null(.boolean)),
            ("label_lon", .double(t.labelLon)), ("label_lat", .double(t.labelLat)),
        ]
        if let m = report.uncertaintyMatrix {
            p += [
                ("uncertainty_mean", number(t.uncertaintyMean)),
                ("class", t.uncertaintyClass.map { .string($0) } ?? .null(.string)),
                ("class_score_median", .double(m.scoreMedian)),
                ("class_uncertainty_median", .double(m.uncertaintyMedian)),
                ("uncertainty_band", .string(m.band)),
            ]
        }
        p += [
            ("component", .int(t.component)), ("pieces", .int(t.pieces)), ("parts", .int(t.parts)),
            ("centroid_lon", .double(t.centroidLon)), ("centroid_lat", .double(t.centroidLat)),
            ("threshold", .double(report.threshold)), ("ranked_by", .string(report.rankedBy.rawValue)),
            ("top_layers", .string(t.topLayers.joined(separator: ", "))),
            ("evidence", .strings(t.evidence)), ("explanation", .string(t.explanation)),
            ("explained_baseline", number(t.explainedBaseline)), ("explained_mean", number(t.explainedMean)),
        ]
        for c in t.contributions { p.append(("logit_\(c.layer)", .double(c.logit))) }
        p += [
            ("source_map", .string(report.map)), ("model", .string(provenance["PROSPECT_MODEL"] ?? "")),
            ("tool", .string(ProspectVersion.tool)),
        ]
        return p
    }

    static func write(
        report: TargetReport, shapes: [[[[PolygonGeometry.Point]]]], tiles: [TileStat], grid: Grid, crs: SpatialReference,
        provenance: [String: String], outputPath: String, tilesOutputPath: String?, csvPath: String?
    ) throws {
        let rows = report.targets.map { properties($0, report: report, provenance: provenance) }
        let features = zip(shapes, rows).map { GeoJSONFeature(polygons: $0.0, properties: $0.1) }
        // Targets, tiles and the CSV are one set: all are written and checked, then all renamed.
        var staged = [try VectorFormat(path: outputPath)!.stage(path: outputPath, layerName: "targets", features: features, crs: crs)]
        if let tilesOutputPath {
            var tileFeatures: [GeoJSONFeature] = []
            for (t, s) in zip(report.tiles, tiles) {
                let w = s.window
                let corners = [
                    (0.0, 0.0), (0.0, Double(w.rows)), (Double(w.columns), Double(w.rows)), (Double(w.columns), 0.0), (0.0, 0.0),
                ]
                let ring = corners.map { grid.transform.map(column: Double(w.column) + $0.0, row: Double(w.row) + $0.1) }
                tileFeatures.append(
                    GeoJSONFeature(
                        rings: [ring],
                        properties: [
                            ("rank", .int(t.rank)), ("score_mean", .double(t.meanScore)), ("score_max", .double(t.maxScore)),
                            ("area_above_km2", .double(t.areaAboveKm2)), ("tile_column", .int(t.column)), ("tile_row", .int(t.row)),
                            ("tool", .string(ProspectVersion.tool)),
                        ]))
            }
            staged.append(
                try VectorFormat(path: tilesOutputPath)!.stage(path: tilesOutputPath, layerName: "tiles", features: tileFeatures, crs: crs))
        }
        var csv: AtomicOutput?
        if let csvPath {
            let output = try AtomicOutput(csvPath)
            do { try Data(table(rows).utf8).write(to: URL(fileURLWithPath: output.temporaryPath)) } catch {
                throw PipelineError(csvPath, "cannot write: \(error.localizedDescription)")
            }
            csv = output
        }
        try csv?.flush()
        for file in staged { try file.commit() }
        try csv?.moveIntoPlace()
    }

    /// The rows as CSV: a header of every column in first-seen order, then one line per
    /// target; nulls are empty, text quoted when it holds a comma, a quote or a line break.
    static func table(_ rows: [[(String, GeoJSONValue)]]) -> String {
        var columns: [String] = []
        var seen = Set<String>()
        for row in rows { for (k, _) in row where seen.insert(k).inserted { columns.append(k) } }
        func quoted(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func field(_ v: GeoJSONValue?) -> String {
            switch v {
            case .int(let i): String(i)
            case .double(let d): d.isFinite ? String(d) : ""
            case .bool(let b): b ? "true" : "false"
            case .string(let s): quoted(s)
            case .strings(let list): quoted(list.joined(separator: "; "))
            case .null, nil: ""
            }
        }
        var out = columns.joined(separator: ",") + "\n"
        for row in rows {
            let values = Dictionary(row, uniquingKeysWith: { a, _ in a })
            out += columns.map { field(values[$0]) }.joined(separator: ",") + "\n"
        }
        return out
    }
}
