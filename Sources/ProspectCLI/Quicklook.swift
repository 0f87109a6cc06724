import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ColorRamp.Stretch: ExpressibleByArgument {}

extension ProspectCommand {
    struct QuicklookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quicklook",
            abstract: "Draw a map as a PNG: viridis colours, targets and deposits over it, a legend, a scale bar and the CRS.",
            discussion: """
                Band 1 of the map is resampled by GDAL to --width pixels (each pixel the mean of the cells under it) and coloured with viridis (perceptually uniform) from the map's minimum to its maximum, both written in the legend; nodata is transparent. --stretch log spreads the colours evenly in log10 of the value instead, and the legend says so. Targets (prospect targets' polygons, any format and CRS) are outlined and numbered by rank; deposits are red dots. The legend names what the values are (from the model the map embeds), the scale bar is in m or km, and the CRS is named.

                Example:
                  prospect quicklook prospectivity.tif --out map.png --targets targets.geojson \\
                    --deposits Rasters/deposits.gpkg
                """)

        @Argument(help: "The map (a GeoTIFF written by `prospect score`, or any raster GDAL reads).")
        var map: String
        @Option(help: "The PNG to write.")
        var out: String
        @Option(help: "Deposit points to mark, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns).")
        var deposits: String?
        @OptionGroup var depositsCRS: DepositsCRS
        @OptionGroup var depositSelection: DepositSelectionArguments
        @Option(help: "Target polygons to outline and number (prospect targets' output).")
        var targets: String?
        @Option(help: "Width of the map in pixels (64–8192).")
        var width = 1200
        @Option(help: "How values spread over the colours: linear or log.")
        var stretch: ColorRamp.Stretch = .linear

        var request: QuicklookRequest {
            var r = QuicklookRequest(mapPath: map)
            r.width = width
            r.targets = targets.map { VectorSource(argument: $0) }
            r.deposits = deposits.map { VectorSource(argument: $0) }
            r.depositsCRS = depositsCRS.assumeCRS
            r.depositSelection = depositSelection.selection
            r.stretch = stretch
            return r
        }

        func validate() throws {
            try checkOptions { () throws(OptionError) in try request.validate() }
        }

        func run() throws {
            try runReportingErrors {
                var guardPaths = OutputGuard()
                guardPaths.input(map, "the map")
                if let deposits { guardPaths.input(VectorSource(argument: deposits).path, "the deposits") }
                if let targets { guardPaths.input(VectorSource(argument: targets).path, "the targets") }
                guardPaths.output(out, "--out", format: .png)
                try guardPaths.claim()
                let q = try Quicklook.write(request, to: out)
                var line = "\(out): \(q.figure.width) × \(q.figure.height) pixels, \(q.rampText)"
                if q.targetCount > 0 { line += ", \(q.targetCount) targets" }
                if q.depositCount > 0 { line += ", \(q.depositCount) deposits" }
                print(line + "; CRS \(q.crs)")
            }
        }
    }
}
