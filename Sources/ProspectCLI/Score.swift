import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ScoreOptions.Compression: ExpressibleByArgument {}

extension ProspectCommand {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every cell of the evidence grid with a model; write a tiled GeoTIFF.",
            discussion: """
                Output: posterior probability (weights of evidence) or probability (logistic) as Float32, nodata (-9999) wherever any evidence layer is nodata. Provenance (tool, model, inputs) is stored in the GeoTIFF metadata. Tiles are streamed on all cores in bounded memory.

                Example:
                  prospect score --model model.json --out map.tif --cog
                  prospect score --model model.json --out map2.tif --evidence thorium=other/th.tif
                """)

        @Option(help: "The model file written by `prospect train`.")
        var model: String
        @Option(help: "Where to write the map (GeoTIFF).")
        var out: String
        @Option(help: "Score the layers of this prepared stack (folder or stack.json) instead of the model's paths.")
        var stack: String?
        @Option(name: .customLong("evidence"), help: "Replace a model layer's raster: NAME=PATH (repeatable).")
        var evidence: [String] = []
        @Option(help: "Compression: zstd (fast, encoded on the scoring threads), deflate (readable everywhere), lzw or none.")
        var compress: ScoreOptions.Compression = .zstd
        @Flag(help: "Write a Cloud Optimized GeoTIFF with overviews.")
        var cog = false
        @Flag(help: "Also write the model's uncertainty bands after the score, when it has any (band descriptions name them).")
        var uncertainty = false
        @Flag(help: "Score grids of more than 2^34 cells, or larger than the free disk space, anyway.")
        var allowLarge = false
        @OptionGroup var workers: WorkerThreads
        @OptionGroup var stamp: CreatedTime
        @Flag(help: "Print the run summary as JSON.")
        var json = false

        func validate() throws {
            for e in evidence where LayerArgument.split(e).name == nil { throw ValidationError("--evidence takes NAME=PATH, got \(e)") }
            try checkOptions { () throws(OptionError) in try options.validate() }
            try stamp.validate()
        }

        /// The flags as score options.
        var options: ScoreOptions {
            var options = ScoreOptions()
            options.compression = compress
            options.cog = cog
            options.extraBands = uncertainty
            options.allowLarge = allowLarge
            if let threads = workers.threads { options.threads = threads }
            return options
        }

        func run() throws {
            try runReportingErrors {
                var overrides: [String: String] = [:]
                if let stack {
                    for spec in try StackManifest.layerSpecs(of: stack).specs { overrides[spec.name] = spec.path }
                    let names = try ModelStore.load(model).layers.map(\.name)
                    overrides = overrides.filter { names.contains($0.key) }
                    if let missing = names.first(where: { overrides[$0] == nil }) {
                        throw PipelineError(stack, "the stack has no layer named \(Echo.short(missing)), which model \(model) needs")
                    }
                }
                for e in evidence {
                    let (name, path) = LayerArgument.split(e)
                    overrides[name!] = path
                }
                var options = self.options
                options.created = try stamp.time()
                let report = try Workflows.score(
                    modelPath: model, outputPath: out, overrides: overrides, options: options,
                    otherInputs: stack.map { [OutputGuard.Input(StackManifest.path(for: $0), "the stack's manifest")] } ?? [])
                for w in report.warnings { FileHandle.standardError.write("prospect: warning: \(w)\n".data(using: .utf8)!) }
                if json {
                    // Printed with sorted keys: the order of the members does not show.
                    struct Summary: Encodable {
                        var output: String
                        var cells, validCells, tiles: Int
                        var seconds, cellsPerSecond: Double
                    }
                    try printJSON(
                        Summary(
                            output: out, cells: report.cells, validCells: report.validCells, tiles: report.tiles,
                            seconds: report.seconds, cellsPerSecond: Double(report.cells) / report.seconds))
                } else {
                    print(
                        "scored \(report.cells) cells (\(report.validCells) with data) in \(format(report.seconds, 3)) s "
                            + "(\(format(Double(report.cells) / report.seconds / 1e6, 1)) M cells/s, \(report.tiles) tiles) → \(out)")
                }
            }
        }
    }
}
