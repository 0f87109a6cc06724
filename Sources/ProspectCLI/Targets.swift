import ArgumentParser
import Foundation
import ProspectPipeline

extension TargetRanking: ExpressibleByArgument {}

extension ProspectCommand {
    struct Targets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delineate, describe and rank target polygons from a map, and rank square tiles.",
            discussion: """
                Targets are 8-connected areas scoring at or above the threshold (default: the score that bounds the top 5 % of the area), as valid polygons (a multipolygon where cells touch only at corners). Each carries its expected deposits (the sum of its probabilities, as `prospect validate` sums a map; null for fuzzy and index maps), area, peak and mean score, a point inside it (label_lon/label_lat) and, with --deposits, the known deposits inside, their ids, the distance to the nearest one outside and whether it is greenfield. A map with an uncertainty band (score --uncertainty) adds the mean uncertainty and a class of the prospectivity–uncertainty matrix (against the medians over all the targets found). Targets are ranked by expected deposits (--rank-by), then peak and mean score. When the map's model and inputs exist, each names the evidence layers contributing most, that evidence in the layers' terms (class names, value ranges and cuts in the layers' units) and a one-line explanation. The format follows --out's extension: .geojson/.json (RFC 7946, WGS84), .gpkg or .fgb (the map's CRS).

                Example:
                  prospect targets map.tif --out targets.geojson --deposits deposits.gpkg \\
                    --csv targets.csv --tiles-out tiles.geojson --top 10 --max-area-km2 5
                """)

        @Argument(help: "The prospectivity map (GeoTIFF written by `prospect score`).")
        var map: String
        @Option(help: "Where to write the target polygons: .geojson (or .json), .gpkg or .fgb.")
        var out: String
        @Option(name: .customLong("tiles-out"), help: "Also write the ranked tiles as squares (.geojson, .gpkg or .fgb).")
        var tilesOut: String?
        @Option(help: "Also write the targets' properties as CSV (the same columns).")
        var csv: String?
        @Option(help: "Known deposits to count in each target: points, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns).")
        var deposits: String?
        @OptionGroup var depositsCRS: DepositsCRS
        @OptionGroup var depositSelection: DepositSelectionArguments
        @Option(name: .customLong("tile-size"), help: "Side of the ranking tiles in metres.")
        var tileSize: Double = TargetOptions().tileSize
        @Option(help: "Keep the K best targets and tiles (0 = all).")
        var top: Int = TargetOptions().top
        @Option(help: "Score threshold for target cells.")
        var threshold: Float?
        @Option(
            name: .customLong("top-area"), help: "Without --threshold: percent of the area, highest scores first, that targets may cover.")
        var topArea: Double = TargetOptions().topAreaPercent
        @Option(name: .customLong("min-cells"), help: "Drop targets smaller than this many cells.")
        var minCells: Int = TargetOptions().minCells
        @Option(name: .customLong("min-area-km2"), help: "Drop targets smaller than this many km².")
        var minArea: Double?
        @Option(
            name: .customLong("max-area-km2"),
            help: "Split targets larger than this many km² at their saddles (a piece stays larger only when it has a single peak).")
        var maxArea: Double?
        @Option(
            name: .customLong("rank-by"),
            help: "Order targets by expected deposits, peak or mean score (expected falls back to peak for maps without probabilities).")
        var rankBy: TargetRanking = TargetOptions().rankBy
        @Flag(help: "Print the targets and tiles as JSON.")
        var json = false

        /// The flags as target options.
        var options: TargetOptions {
            var options = TargetOptions()
            options.tileSize = tileSize
            options.top = top
            options.threshold = threshold
            options.topAreaPercent = topArea
            options.minCells = minCells
            options.minAreaKm2 = minArea
            options.maxAreaKm2 = maxArea
            options.rankBy = rankBy
            return options
        }

        func validate() throws {
            try checkOptions { () throws(OptionError) in try options.validate() }
        }

        func run() throws {
            try runReportingErrors {
                let known = deposits.map {
                    TargetDeposits(
                        source: VectorSource(argument: $0), selection: depositSelection.selection, assumedCRS: depositsCRS.assumeCRS)
                }
                let report = try TargetFinder.find(
                    mapPath: map, outputPath: out, tilesOutputPath: tilesOut, csvPath: csv, deposits: known, options: options)
                for w in report.warnings { FileHandle.standardError.write("prospect: warning: \(w)\n".data(using: .utf8)!) }
                if json {
                    try printJSON(report)
                    return
                }
                print(TargetText.render(report))
                print("targets written to \(out)" + (csv.map { ", \($0)" } ?? "") + (tilesOut.map { ", tiles to \($0)" } ?? ""))
            }
        }
    }
}

enum TargetText {
    static func render(_ r: TargetReport) -> String {
        var out = "\(r.targets.count) targets at score ≥ \(String(format: "%.4g", r.threshold)), ranked by \(r.rankedBy.rawValue)"
        out += r.split > 0 ? " (\(r.split) areas split at their saddles)\n" : "\n"
        if let note = r.rankingNote { out += note + "\n" }
        let hasExpected = r.targets.contains { $0.expectedDeposits != nil }
        var header = ["rank", "id", "expected", "max", "mean", "area km²"]
        if r.deposits != nil { header += ["known", "nearest km"] }
        if r.uncertaintyMatrix != nil { header += ["uncertainty", "class"] }
        header += ["lon", "lat", "main evidence"]
        var table = [header]
        for t in r.targets {
            var row = [
                String(t.rank), t.id, t.expectedDeposits.map { format($0, 3) } ?? "–", format(t.maxScore), format(t.meanScore),
                format(t.areaKm2, 3),
            ]
            if r.deposits != nil {
                row += [t.knownDeposits.map(String.init) ?? "–", t.nearestKnownKm.map { format($0, 2) } ?? "–"]
            }
            if r.uncertaintyMatrix != nil {
                row += [t.uncertaintyMean.map { format($0) } ?? "–", t.uncertaintyClass ?? "–"]
            }
            row += [format(t.labelLon, 5), format(t.labelLat, 5), t.topLayers.joined(separator: ", ")]
            table.append(row)
        }
        out += Reports.table(table)
        for t in r.targets where !t.explanation.isEmpty { out += "\(t.id): \(t.explanation)\n" }
        out += hasExpected ? "expected: \(r.expectedDepositsBasis)\n" : "expected deposits: \(r.expectedDepositsBasis)\n"
        if r.deposits == nil { out += "known deposits not counted: give --deposits to count them\n" }
        if let m = r.uncertaintyMatrix {
            out += String(
                format: "class: mean score against %.4g and mean %@ against %.4g (the medians over all %d targets found)\n",
                m.scoreMedian, m.band, m.uncertaintyMedian, r.found)
        }
        out += "lon, lat: a point inside each target\n"
        if !r.explained { out += "(layer contributions not computed: \(r.unexplainedReason ?? "unknown reason"))\n" }
        out += "\ntop tiles by mean score:\n"
        var tiles = [["rank", "tile", "mean", "max", "km² above", "lon", "lat"]]
        for t in r.tiles {
            tiles.append([
                String(t.rank), "\(t.column),\(t.row)", format(t.meanScore), format(t.maxScore), format(t.areaAboveKm2, 3),
                format(t.centroidLon, 5), format(t.centroidLat, 5),
            ])
        }
        return out + Reports.table(tiles)
    }
}
