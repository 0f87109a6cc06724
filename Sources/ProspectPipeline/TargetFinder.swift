import Foundation
import ProspectCore
import ProspectGDAL

/// Options for delineating and ranking targets.
public struct TargetOptions: Sendable {
    /// Side of the square ranking tiles, in map units (metres).
    public var tileSize: Double = 1000
    /// Keep this many targets (0 = all).
    public var top: Int = 10
    /// Score threshold for target cells; nil = the score bounding the top `topAreaPercent` of area.
    public var threshold: Float?
    public var topAreaPercent: Double = 5
    /// Connected areas smaller than this many cells are dropped.
    public var minCells: Int = 4
    public init() {}
}

/// One delineated target: a connected area of cells scoring at or above the threshold.
public struct Target: Sendable, Codable {
    public var rank: Int
    public var id: String
    public var cells: Int
    public var areaKm2: Double
    public var meanScore: Double
    public var maxScore: Double
    public var centroidX: Double, centroidY: Double
    public var centroidLon: Double, centroidLat: Double
    /// Mean logit contribution of each layer over the target's cells, strongest first.
    public var contributions: [LayerContribution]
    /// The main evidence in the layers' terms, and the one-line explanation (`TargetExplanation`).
    public var evidence: [String] = []
    public var explanation: String = ""
    /// Where the contributions start and the target's mean output, in their unit: the
    /// contributions add up to `explainedMean − explainedBaseline`.
    public var explainedBaseline: Double?
    public var explainedMean: Double?
    public var topLayers: [String] { contributions.filter { $0.logit > 0 }.prefix(3).map(\.layer) }
}

public struct LayerContribution: Sendable, Codable {
    public var layer: String
    public var logit: Double
}

/// A ranked square tile.
public struct RankedTile: Sendable, Codable {
    public var rank: Int
    public var column: Int, row: Int
    public var meanScore: Double
    public var maxScore: Double
    public var areaAboveKm2: Double
    public var centroidLon: Double, centroidLat: Double
}

public struct TargetReport: Sendable, Codable {
    public var map: String
    public var threshold: Double
    public var targets: [Target]
    public var tiles: [RankedTile]
    public var explained: Bool
    /// Why contributions could not be computed, when they could not.
    public var unexplainedReason: String?
}

/// Ranks tiles and delineates target polygons from a prospectivity map.
///
/// Targets are 8-connected areas of cells at or above the threshold, polygonized by GDAL and
/// written as RFC 7946 GeoJSON. They are ranked by peak score, then mean score. When the map
/// carries its model (Prospect writes it into the GeoTIFF metadata) and the evidence files are
/// still there, each target is explained by `TargetExplainer`: each layer's mean contribution
/// over the target's cells and the main evidence in words. The map is held in memory (4 bytes
/// a cell).
///
/// Nothing is written when an output would overwrite the map, one of its evidence layers or
/// the other output. Targets and tiles are one set: both are written under temporary names
/// and checked, and only then do they replace the earlier files.
public enum TargetFinder {
    public static func find(
        mapPath: String, outputPath: String, tilesOutputPath: String? = nil,
        options: TargetOptions = TargetOptions()
    ) throws -> TargetReport {
        try options.validate()
        let map = try ScoreMap.read(mapPath)
        var paths = OutputGuard()
        paths.input(mapPath, "the map")
        // The evidence layers the map names are read to explain the targets.
        for layer in (map.metadata["PROSPECT_INPUTS"] ?? "").split(separator: "\n") {
            paths.input(String(layer), "an evidence layer of the map's model")
        }
        paths.output(outputPath, "--out", format: .geoJSON)
        if let tilesOutputPath { paths.output(tilesOutputPath, "--tiles-out", format: .geoJSON) }
        try paths.claim()
        let grid = map.grid
        let tileCells = try options.tileCells(on: grid)
        let threshold = options.threshold ?? quantileThreshold(map, topPercent: options.topAreaPercent)
        var (labels, stats) = map.values.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: grid.columns, rows: grid.rows, threshold: threshold, isValid: map.isValid)
        }
        var kept = stats.filter { $0.cells >= options.minCells }
        kept.sort { ($0.max, $0.mean, -$0.label) > ($1.max, $1.mean, -$1.label) }
        if options.top > 0 { kept = Array(kept.prefix(options.top)) }
        let keptLabels = Set(kept.map(\.label))
        // Drop the components not kept, in place (kept ones keep their labels).
        let largest = Int(stats.map(\.label).max() ?? 0)
        var keep = [Bool](repeating: false, count: largest + 1)
        for l in keptLabels { keep[Int(l)] = true }
        for i in labels.indices where labels[i] != 0 && !keep[Int(labels[i])] { labels[i] = 0 }
        let polygons = try GDALAlgorithms.polygonize(labels: labels, grid: grid)
        let crs = grid.crsWKT.isEmpty ? nil : try SpatialReference(wkt: grid.crsWKT)
        let toWGS84 = try crs.map { try CoordinateTransformer(from: $0, to: SpatialReference(epsg: 4326), file: mapPath) }
        var explainer: TargetExplainer?
        var unexplained: String?
        do { explainer = try TargetExplainer(metadata: map.metadata, grid: grid) } catch { unexplained = "\(error)" }
        let cellKm2 = try CellArea.km2(of: grid, file: mapPath).area

        var targets: [Target] = []
        for (i, s) in kept.enumerated() {
            let cx = s.sumColumn / Double(s.cells)
            let cy = s.sumRow / Double(s.cells)
            let (x, y) = grid.transform.map(column: cx, row: cy)
            let ll = try toWGS84?.transform([(x, y)]).first ?? (x: .nan, y: .nan)
            let window = Window(column: s.minColumn, row: s.minRow, columns: s.maxColumn - s.minColumn + 1, rows: s.maxRow - s.minRow + 1)
            let explained = try explainer?.explain(window: window) { labels[$1 * grid.columns + $0] == s.label }
            targets.append(
                Target(
                    rank: i + 1, id: String(format: "T%03d", i + 1), cells: s.cells,
                    areaKm2: Double(s.cells) * cellKm2, meanScore: s.mean, maxScore: Double(s.max),
                    centroidX: x, centroidY: y, centroidLon: ll.x, centroidLat: ll.y,
                    contributions: explained?.contributions ?? [], evidence: explained?.evidence ?? [],
                    explanation: explained?.explanation ?? "", explainedBaseline: explained?.baseline,
                    explainedMean: explained?.meanOutput))
        }
        // Tiles.
        let tileStats = map.values.withUnsafeBufferPointer {
            TileRanking.tiles(
                scores: $0, columns: grid.columns, rows: grid.rows, tileCells: tileCells, threshold: threshold, isValid: map.isValid)
        }
        let shownTiles = options.top > 0 ? Array(tileStats.prefix(options.top)) : tileStats
        var tiles: [RankedTile] = []
        for (i, t) in shownTiles.enumerated() {
            let (x, y) = grid.transform.map(
                column: Double(t.window.column) + Double(t.window.columns) / 2,
                row: Double(t.window.row) + Double(t.window.rows) / 2)
            let ll = try toWGS84?.transform([(x, y)]).first ?? (x: .nan, y: .nan)
            tiles.append(
                RankedTile(
                    rank: i + 1, column: t.tileColumn, row: t.tileRow, meanScore: t.mean, maxScore: Double(t.max),
                    areaAboveKm2: Double(t.cellsAboveThreshold) * cellKm2, centroidLon: ll.x, centroidLat: ll.y))
        }
        guard let crs else { throw PipelineError(mapPath, "has no CRS, so targets cannot be placed in longitude/latitude") }

        // GeoJSON: one feature per polygon part of each kept target.
        let rankOf = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($0.element.label, $0.offset) })
        var features: [GeoJSONFeature] = []
        let provenance = map.metadata["PROSPECT_MODEL"] ?? ""
        for polygon in polygons.sorted(by: { (rankOf[$0.label] ?? 0) < (rankOf[$1.label] ?? 0) }) {
            guard let r = rankOf[polygon.label] else { continue }
            let t = targets[r]
            var props: [(String, GeoJSONValue)] = [
                ("rank", .int(t.rank)), ("id", .string(t.id)),
                ("score_max", .double(t.maxScore)), ("score_mean", .double(t.meanScore)),
                ("area_km2", .double(t.areaKm2)), ("cells", .int(t.cells)),
                ("centroid_lon", .double(t.centroidLon)), ("centroid_lat", .double(t.centroidLat)),
                ("threshold", .double(Double(threshold))),
                ("top_layers", .string(t.topLayers.joined(separator: ", "))),
                ("evidence", .strings(t.evidence)), ("explanation", .string(t.explanation)),
            ]
            if let base = t.explainedBaseline, let mean = t.explainedMean {
                props += [("explained_baseline", .double(base)), ("explained_mean", .double(mean))]
            }
            for c in t.contributions { props.append(("logit_\(c.layer)", .double(c.logit))) }
            props += [("source_map", .string(mapPath)), ("model", .string(provenance)), ("tool", .string(ProspectVersion.tool))]
            features.append(GeoJSONFeature(rings: polygon.rings, properties: props))
        }
        // Targets and tiles are one set: both are written and checked, then both renamed.
        var staged = [try GeoJSONWriter.stage(path: outputPath, layerName: "targets", features: features, crs: crs)]
        if let tilesOutputPath {
            var tileFeatures: [GeoJSONFeature] = []
            for (t, s) in zip(tiles, shownTiles) {
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
            staged.append(try GeoJSONWriter.stage(path: tilesOutputPath, layerName: "tiles", features: tileFeatures, crs: crs))
        }
        for file in staged { try file.commit() }
        return TargetReport(
            map: mapPath, threshold: Double(threshold), targets: targets, tiles: tiles,
            explained: explainer != nil, unexplainedReason: unexplained)
    }

    /// The score at or above which lie the top `topPercent` of valid cells.
    static func quantileThreshold(_ map: ScoreMap, topPercent: Double) -> Float {
        let valid = map.values.reduce(into: 0) { n, v in if map.isValid(v) { n += 1 } }
        let k = max(1, min(valid, Int((Double(valid) * topPercent / 100).rounded(.up))))
        return map.values.withUnsafeBufferPointer { Selection.kthLargest($0, k: k, isValid: map.isValid) }!
    }
}
