import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Targets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank square tiles and delineate target polygons from a map; write RFC 7946 GeoJSON.",
            discussion: """
                Targets are 8-connected areas scoring at or above the threshold (default: the score that bounds the top 5 % of the area), ranked by peak then mean score. GeoJSON is WGS84 lon/lat with counter-clockwise exterior rings; each feature carries rank, score statistics, area, centroid and, when the map's model and inputs exist, the evidence layers contributing most, that evidence in the layers' terms (class names, value ranges and cuts in the layers' units) and a one-line explanation.

                Example:
                  prospect targets map.tif --out targets.geojson \\
                    --tiles-out tiles.geojson --top 10
                """)

        @Argument(help: "The prospectivity map (GeoTIFF written by `prospect score`).")
        var map: String
        @Option(help: "Where to write the target polygons (GeoJSON).")
        var out: String
        @Option(name: .customLong("tiles-out"), help: "Also write the ranked tiles as GeoJSON squares.")
        var tilesOut: String?
        @Option(name: .customLong("tile-size"), help: "Side of the ranking tiles in metres.")
        var tileSize: Double = TargetOptions().tileSize
        @Option(help: "Keep the K best targets and tiles (0 = all).")
        var top: Int = TargetOptions().top
        @Option(help: "Score threshold for target cells.")
        var threshold: Float?
        @Option(
            name: .customLong("top-area"), help: "Without --threshold: percent of the area, highest scores first, that targets may cover.")
        var topArea: Double = TargetOptions().topAreaPercent
        @Option(name: .customLong("min-cells"), help: "Drop connected areas smaller than this many cells.")
        var minCells: Int = TargetOptions().minCells
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
            return options
        }

        func validate() throws {
            try checkOptions { () throws(OptionError) in try options.validate() }
        }

        func run() throws {
            try runReportingErrors {
                let report = try TargetFinder.find(mapPath: map, outputPath: out, tilesOutputPath: tilesOut, options: options)
                if json {
                    try printJSON(report)
                    return
                }
                print(TargetText.render(report))
                print("targets written to \(out)" + (tilesOut.map { ", tiles to \($0)" } ?? ""))
            }
        }
    }
}

enum TargetText {
    static func render(_ r: TargetReport) -> String {
        var out = "\(r.targets.count) targets at score ≥ \(String(format: "%.4g", r.threshold))\n"
        var table = [["rank", "id", "max", "mean", "area km²", "lon", "lat", "main evidence"]]
        for t in r.targets {
            table.append([
                String(t.rank), t.id, format(t.maxScore), format(t.meanScore), format(t.areaKm2, 3),
                format(t.centroidLon, 5), format(t.centroidLat, 5), t.topLayers.joined(separator: ", "),
            ])
        }
        out += Reports.table(table)
        for t in r.targets where !t.explanation.isEmpty { out += "\(t.id): \(t.explanation)\n" }
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
