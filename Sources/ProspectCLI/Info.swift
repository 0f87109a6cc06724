import ArgumentParser
import Foundation
import ProspectPipeline

extension ProspectCommand {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe rasters and vector files: grid, CRS, bands, nodata, blocks, values; layers and features.",
            discussion: """
                Example:
                  prospect info Rasters/thorium.tif Rasters/lithology.tif Rasters/deposits.gpkg
                """)

        @Argument(help: "Raster or vector files.")
        var files: [String]
        @Flag(help: "Compute exact statistics even for large rasters.")
        var exact = false
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let infos = try files.map { try DatasetInfo.describe($0, exactStatistics: exact) }
                if json {
                    try printJSON(infos)
                    return
                }
                print(infos.map(\.text).joined(separator: "\n"), terminator: "")
            }
        }
    }
}
