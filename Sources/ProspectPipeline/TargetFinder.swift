import Foundation
import ProspectCore
import ProspectGDAL

/// How targets are ordered.
public enum TargetRanking: String, Sendable, Codable, CaseIterable {
    /// The deposits the target's probabilities expect (Σ p over its cells).
    case expected
    /// The target's highest score.
    case peak
    /// The target's mean score.
    case mean
}

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
    /// Targets smaller than this many km² are dropped (nil: none).
    public var minAreaKm2: Double?
    /// Targets larger than this many km² are split at their saddles (nil: never).
    public var maxAreaKm2: Double?
    /// The order of the targets; `expected` falls back to `peak` for maps without probabilities.
    public var rankBy: TargetRanking = .expected
    public init() {}
}

/// Known deposits to count in each target: points, which of them (`selection`), and their
/// CRS when their file declares none.
public struct TargetDeposits: Sendable {
    public var source: VectorSource
    public var selection: DepositSelection
    public var assumedCRS: String?
    public init(source: VectorSource, selection: DepositSelection = DepositSelection(), assumedCRS: String? = nil) {
        self.source = source
        self.selection = selection
        self.assumedCRS = assumedCRS
    }
}

/// One delineated target: a connected area of cells scoring at or above the threshold, or a
/// piece of one split at its saddles.
public struct Target: Sendable, Codable {
    public var rank: Int
    public var id: String
    public var cells: Int
    public var areaKm2: Double
    public var meanScore: Double
    public var maxScore: Double
    /// The centre of the target's cells (it may lie outside a curved target).
    public var centroidX: Double, centroidY: Double
    public var centroidLon: Double, centroidLat: Double
    /// A point inside the target (GEOS PointOnSurface), in the map's CRS and in WGS 84.
    public var labelX: Double, labelY: Double
    public var labelLon: Double, labelLat: Double
    /// Σ p over the target's cells as `prospect validate` sums a map; nil when the map holds
    /// no probabilities.
    public var expectedDeposits: Double?
    /// Deposit points inside the target; nil without deposits.
    public var knownDeposits: Int?
    public var knownDepositIDs: [String]?
    /// Kilometres from the target's edge to the nearest deposit outside it, 0 with one inside;
    /// nil without deposits (or none on the map).
    public var nearestKnownKm: Double?
    /// True when no known deposit lies inside; nil without deposits.
    public var greenfield: Bool?
    /// The mean of the map's uncertainty band over the target, when it has one.
    public var uncertaintyMean: Double?
    /// The target's cell of the prospectivity–uncertainty matrix, when the map has that band.
    public var uncertaintyClass: String?
    /// The connected area the target comes from (numbered by first cell, row-major), shared by
    /// the pieces of a split area; `pieces` is how many pieces it was split into (1: not split).
    public var component: Int
    public var pieces: Int
    /// Parts of the polygon (more than one when cells touch only at corners).
    public var parts: Int
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

    enum CodingKeys: String, CodingKey {
        case rank, id, cells, areaKm2, meanScore, maxScore, centroidX, centroidY, centroidLon, centroidLat
        case labelX = "label_x"
        case labelY = "label_y"
        case labelLon = "label_lon"
        case labelLat = "label_lat"
        case expectedDeposits = "expected_deposits"
        case knownDeposits = "known_deposits"
        case knownDepositIDs = "known_deposit_ids"
        case nearestKnownKm = "nearest_known_km"
        case greenfield
        case uncertaintyMean = "uncertainty_mean"
        case uncertaintyClass = "class"
        case component, pieces, parts, contributions, evidence, explanation, explainedBaseline, explainedMean
    }

    /// Encodes every key, absent values as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode(cells, forKey: .cells)
        try c.encode(areaKm2, forKey: .areaKm2)
        try c.encode(meanScore, forKey: .meanScore)
        try c.encode(maxScore, forKey: .maxScore)
        try c.encode(centroidX, forKey: .centroidX)
        try c.encode(centroidY, forKey: .centroidY)
        try c.encode(centroidLon, forKey: .centroidLon)
        try c.encode(centroidLat, forKey: .centroidLat)
        try c.encode(labelX, forKey: .labelX)
        try c.encode(labelY, forKey: .labelY)
        try c.encode(labelLon, forKey: .labelLon)
        try c.encode(labelLat, forKey: .labelLat)
        try c.encode(expectedDeposits, forKey: .expectedDeposits)
        try c.encode(knownDeposits, forKey: .knownDeposits)
        try c.encode(knownDepositIDs, forKey: .knownDepositIDs)
        try c.encode(nearestKnownKm, forKey: .nearestKnownKm)
        try c.encode(greenfield, forKey: .greenfield)
        try c.encode(uncertaintyMean, forKey: .uncertaintyMean)
        try c.encode(uncertaintyClass, forKey: .uncertaintyClass)
        try c.encode(component, forKey: .component)
        try c.encode(pieces, forKey: .pieces)
        try c.encode(parts, forKey: .parts)
        try c.encode(contributions, forKey: .contributions)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(explainedBaseline, forKey: .explainedBaseline)
        try c.encode(explainedMean, forKey: .explainedMean)
    }
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

/// The thresholds of the prospectivity–uncertainty matrix: the medians, over every target found
/// (after the size filters, before `--top`), of their mean score and of their mean uncertainty.
public struct UncertaintyMatrix: Sendable, Codable {
    /// The band's name (its description: posterior_std, ensemble_spread).
    public var band: String
    public var scoreMedian: Double
    public var uncertaintyMedian: Double

    enum CodingKeys: String, CodingKey {
        case band
        case scoreMedian = "score_median"
        case uncertaintyMedian = "uncertainty_median"
    }

    /// "high prospectivity, low uncertainty" and the like: a target's mean score against the
    /// median of the targets' mean scores, its mean uncertainty against the median of theirs
    /// (at the median: high).
    public func classify(mean: Double, uncertainty: Double) -> String {
        (mean >= scoreMedian ? "high prospectivity, " : "low prospectivity, ")
            + (uncertainty >= uncertaintyMedian ? "high uncertainty" : "low uncertainty")
    }
}

public struct TargetReport: Sendable, Codable {
    public var map: String
    public var threshold: Double
    public var targets: [Target]
    public var tiles: [RankedTile]
    public var explained: Bool
    /// Why contributions could not be computed, when they could not.
    public var unexplainedReason: String?
    /// The order used, and why it is not the one asked for when it is not.
    public var rankedBy: TargetRanking
    public var rankingNote: String?
    /// How expected deposits are summed, or why there are none.
    public var expectedDepositsBasis: String
    /// The deposits counted, as given (nil: none given).
    public var deposits: String?
    /// The prospectivity–uncertainty matrix's thresholds, when the map has an uncertainty band.
    public var uncertaintyMatrix: UncertaintyMatrix?
    /// Connected areas at or above the threshold (before the size filters and --top), how many
    /// were split at their saddles, and the targets found (after the splits and size filters,
    /// before --top).
    public var components: Int
    public var split: Int
    public var found: Int
    /// Features of the deposits' file that gave no usable point, one line per reason.
    public var warnings: [String] = []

    enum CodingKeys: String, CodingKey {
        case map, threshold, targets, tiles, explained, unexplainedReason
        case rankedBy = "ranked_by"
        case rankingNote = "ranking_note"
        case expectedDepositsBasis = "expected_deposits_basis"
        case deposits
        case uncertaintyMatrix = "uncertainty_matrix"
        case components, split, found, warnings
    }

    /// Encodes every key, absent values as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(map, forKey: .map)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(targets, forKey: .targets)
        try c.encode(tiles, forKey: .tiles)
        try c.encode(explained, forKey: .explained)
        try c.encode(unexplainedReason, forKey: .unexplainedReason)
        try c.encode(rankedBy, forKey: .rankedBy)
        try c.encode(rankingNote, forKey: .rankingNote)
        try c.encode(expectedDepositsBasis, forKey: .expectedDepositsBasis)
        try c.encode(deposits, forKey: .deposits)
        try c.encode(uncertaintyMatrix, forKey: .uncertaintyMatrix)
        try c.encode(components, forKey: .components)
        try c.encode(split, forKey: .split)
        try c.encode(found, forKey: .found)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// Ranks tiles and delineates target polygons from a prospectivity map.
///
/// Targets are 8-connected areas of valid cells at or above the threshold, found in one
/// streaming pass (`ComponentScanner`: two rows of labels, statistics per open component);
/// areas larger than `maxAreaKm2` are split at their saddles (`SaddleSplit`, on the area's
/// bounding window); the targets are ranked (expected deposits, then peak, mean and first
/// cell) and their polygons traced from the cells' edges in a second streaming pass
/// (`CellRingTracer`: OGC-valid by construction, checked with GEOS and repaired by it if ever
/// not). The threshold, when derived from `topAreaPercent`, takes two more passes
/// (`StreamingSelection`). Memory: a strip of rows, the union–find (4 bytes per provisional
/// label), the open components, the edges of the targets kept; a split holds its area's
/// bounding window (12 bytes a cell), and contributions read each target's bounding window of
/// every evidence layer.
///
/// Each target carries its expected deposits (Σ p as `prospect validate` sums a map:
/// `ExpectedDepositsRule`), area, scores, a point inside it, and with `deposits` the known
/// deposits inside, their ids, the distance to the nearest one outside and whether it is
/// greenfield; with an uncertainty band (posterior_std, ensemble_spread) its mean and its cell
/// of the prospectivity–uncertainty matrix (against the medians over all the targets found). When the map carries its model (Prospect writes it
/// into the GeoTIFF metadata) and the evidence files are still there, each target lists the
/// layers contributing most to its score (`TargetExplainer`).
///
/// Nothing is written when an output would overwrite the map, one of its evidence layers, the
/// deposits or another output. Targets, tiles and the CSV are one set: all are written under
/// temporary names and checked, and only then do they replace the earlier files.
public enum TargetFinder {
    /// The band descriptions taken as uncertainty.
    static let uncertaintyBands = ["posterior_std", "ensemble_spread"]

    public static func find(
        mapPath: String, outputPath: String, tilesOutputPath: String? = nil, csvPath: String? = nil,
        deposits: TargetDeposits? = nil, options: TargetOptions = TargetOptions()
    ) throws -> TargetReport {
        try options.validate()
        GDAL.initialize()
        let map = try MapStrips(path: mapPath)
        let grid = map.grid
        var paths = OutputGuard()
        paths.input(mapPath, "the map")
        // The evidence layers the map names are read to explain the targets.
        for layer in (map.metadata["PROSPECT_INPUTS"] ?? "").split(separator: "\n") {
            paths.input(String(layer), "an evidence layer of the map's model")
        }
        if let deposits { paths.input(deposits.source.path, "the deposits") }
        paths.output(outputPath, "--out", format: .vector)
        if let tilesOutputPath { paths.output(tilesOutputPath, "--tiles-out", format: .vector) }
        if let csvPath { paths.output(csvPath, "--csv", format: .csv) }
        try paths.claim()
        let tileCells = try options.tileCells(on: grid)
        guard !grid.crsWKT.isEmpty else { throw PipelineError(mapPath, "has no CRS, so targets cannot be placed in longitude/latitude") }
        let crs = try SpatialReference(wkt: grid.crsWKT)
        let toWGS84 = try CoordinateTransformer(from: crs, to: SpatialReference(epsg: 4326), file: mapPath)
        let cellKm2 = try CellArea.km2(of: grid, file: mapPath).area
        let rule = try ExpectedDepositsRule(metadata: map.metadata, grid: grid, mapPath: mapPath)
        let known = try deposits.map {
            try DepositSet.load(
                $0.source.path, layer: $0.source.layer, grid: grid, assumedCRS: $0.assumedCRS, selection: $0.selection)
        }

        // Passes 1 and 2: tiles, blocks and the threshold (when it comes from an area).
        let survey = try map.survey(threshold: options.threshold, percent: options.topAreaPercent, tileCells: tileCells)
        let threshold = survey.threshold
        // Pass 3: components, deposits inside, and the matrix's histograms.
        var scan = try map.scanComponents(survey: survey, minCells: options.minCells, deposits: known)
        // Splits, filters, ranking.
        var units = try TargetUnits.make(
            scan: &scan, map: map, threshold: threshold, options: options, cellKm2: cellKm2, known: known)
        let matrix = units.matrix(band: map.uncertaintyName)
        let found = units.units.count
        let ranking = units.rank(options.rankBy, expectedAvailable: rule.perCell != nil, top: options.top)
        // Pass 4: the kept areas' polygons.
        try map.tracePolygons(units: &units, scan: scan)

        let explainer: TargetExplainer?
        var unexplained: String?
        do { explainer = try TargetExplainer(metadata: map.metadata, grid: grid) } catch {
            explainer = nil
            unexplained = "\(error)"
        }
        let scale = DistanceScale(grid: grid, crs: crs, cellKm2: cellKm2)
        var targets: [Target] = []
        var shapes: [[[[PolygonGeometry.Point]]]] = []
        for (i, unit) in units.kept.enumerated() {
            let s = unit.summary
            let polygons = unit.polygons.map { $0.map { $0.map { grid.transform.map(column: Double($0.x), row: Double($0.y)) } } }
            let inspected = try PolygonGeometry.inspect(polygons, label: outputPath)
            let inside =
                inspected.pointOnSurface
                ?? grid.transform.map(column: Double(s.peak % grid.columns) + 0.5, row: Double(s.peak / grid.columns) + 0.5)
            let centre = grid.transform.map(column: unit.sumColumn / Double(s.cells), row: unit.sumRow / Double(s.cells))
            let ll = try toWGS84.transform([centre, inside])
            var target = Target(
                rank: i + 1, id: String(format: "T%03d", i + 1), cells: s.cells, areaKm2: Double(s.cells) * cellKm2,
                meanScore: s.mean, maxScore: Double(s.max), centroidX: centre.x, centroidY: centre.y, centroidLon: ll[0].x,
                centroidLat: ll[0].y, labelX: inside.x, labelY: inside.y, labelLon: ll[1].x, labelLat: ll[1].y,
                expectedDeposits: rule.perCell.map { s.sum * $0 }, knownDeposits: nil, knownDepositIDs: nil, nearestKnownKm: nil,
                greenfield: nil, uncertaintyMean: s.uncertaintyMean, uncertaintyClass: nil, component: unit.component,
                pieces: unit.pieces, parts: inspected.polygons.count, contributions: [])
            if let known {
                let ids = unit.deposits.map { known.inside[$0].id }
                target.knownDeposits = ids.count
                target.knownDepositIDs = ids
                target.greenfield = ids.isEmpty
                target.nearestKnownKm =
                    ids.isEmpty ? scale.nearest(from: unit.polygons, to: known.inside.map { (x: $0.x, y: $0.y) }) : 0
            }
            if let matrix, let u = s.uncertaintyMean { target.uncertaintyClass = matrix.classify(mean: s.mean, uncertainty: u) }
            if let explainer {
                let explained = try explain(unit, with: explainer, map: map, threshold: threshold)
                target.contributions = explained.contributions
                target.evidence = explained.evidence
                target.explanation = explained.explanation
                target.explainedBaseline = explained.baseline
                target.explainedMean = explained.meanOutput
            }
            targets.append(target)
            shapes.append(inspected.polygons)
        }
        let tiles = try scan.rankedTiles(top: options.top, grid: grid, cellKm2: cellKm2, toWGS84: toWGS84)

        var report = TargetReport(
            map: mapPath, threshold: Double(threshold), targets: targets, tiles: tiles, explained: explainer != nil,
            unexplainedReason: unexplained, rankedBy: ranking.used, rankingNote: ranking.note, expectedDepositsBasis: rule.basis,
            deposits: deposits?.source.description, uncertaintyMatrix: matrix, components: units.components, split: units.split,
            found: found)
        report.warnings = known?.readWarnings ?? []
        try TargetOutput.write(
            report: report, shapes: shapes, tiles: scan.shownTiles(top: options.top), grid: grid, crs: crs, provenance: map.metadata,
            outputPath: outputPath, tilesOutputPath: tilesOutputPath, csvPath: csvPath)
        return report
    }

    /// One target explained (`TargetExplainer`): its cells picked out of its bounding window.
    static func explain(_ unit: TargetUnit, with explainer: TargetExplainer, map: MapStrips, threshold: Float) throws
        -> TargetExplanation
    {
        let window = unit.summary.window
        let inside = try unit.mask ?? map.componentMask(window: window, first: unit.summary.first, threshold: threshold)
        return try explainer.explain(window: window) { column, row in
            inside[(row - window.row) * window.columns + (column - window.column)]
        }
    }
}

/// Distances in kilometres from a target's edge, in the map's CRS.
struct DistanceScale {
    var grid: Grid
    /// Kilometres per map unit along x and y (for a geographic CRS, at the map's central
    /// latitude: approximate).
    var kmX: Double
    var kmY: Double

    init(grid: Grid, crs: SpatialReference, cellKm2: Double) {
        self.grid = grid
        if crs.isGeographic {
            let e = grid.extent
            let r = 6371.0088
            kmY = Double.pi / 180 * r
            kmX = kmY * cos((e.minY + e.maxY) / 2 * Double.pi / 180)
        } else {
            let k = (cellKm2 / abs(grid.transform.cellWidth * grid.transform.cellHeight)).squareRoot()
            kmX = k
            kmY = k
        }
    }

    /// The distance from the boundary of `polygons` (grid vertices) to the nearest point, in km;
    /// nil without points.
    func nearest(from polygons: [[[GridVertex]]], to points: [(x: Double, y: Double)]) -> Double? {
        guard !points.isEmpty else { return nil }
        var segments: [(Double, Double, Double, Double)] = []
        var box = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        for ring in polygons.joined() {
            let xy = ring.map { v -> (Double, Double) in
                let p = grid.transform.map(column: Double(v.x), row: Double(v.y))
                return (p.x * kmX, p.y * kmY)
            }
            for i in 0..<(xy.count - 1) {
                segments.append((xy[i].0, xy[i].1, xy[i + 1].0, xy[i + 1].1))
                box = (min(box.0, xy[i].0), min(box.1, xy[i].1), max(box.2, xy[i].0), max(box.3, xy[i].1))
            }
        }
        // Nearest points first by their distance to the bounding box, a lower bound.
        let scaled = points.map { (x: $0.x * kmX, y: $0.y * kmY) }
        func boxDistance(_ p: (x: Double, y: Double)) -> Double {
            let dx = max(box.0 - p.x, 0, p.x - box.2)
            let dy = max(box.1 - p.y, 0, p.y - box.3)
            return (dx * dx + dy * dy).squareRoot()
        }
        let order = scaled.indices.sorted { boxDistance(scaled[$0]) < boxDistance(scaled[$1]) }
        var best = Double.infinity
        for i in order {
            let p = scaled[i]
            if boxDistance(p) >= best { break }
            for s in segments {
                let dx = s.2 - s.0
                let dy = s.3 - s.1
                let length2 = dx * dx + dy * dy
                let t = length2 > 0 ? max(0, min(1, ((p.x - s.0) * dx + (p.y - s.1) * dy) / length2)) : 0
                let ex = s.0 + t * dx - p.x
                let ey = s.1 + t * dy - p.y
                best = min(best, (ex * ex + ey * ey).squareRoot())
            }
        }
        return best
    }
}
