import ArgumentParser
import Foundation
import ProspectGDAL
import ProspectPipeline

/// The `prospect` command line tool.
public struct ProspectCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "prospect",
        abstract: "Mineral prospectivity mapping: train, score, rank targets, validate.",
        discussion: """
            Typical session on the bundled demo region:
              prospect info Rasters/thorium.tif Rasters/deposits.gpkg
              prospect train --method wofe --deposits Rasters/deposits.gpkg \\
                  --evidence Rasters/thorium.tif --categorical Rasters/lithology.tif \\
                  --unit-cell-km2 0.01 --out model.json
              prospect score --model model.json --out map.tif
              prospect targets map.tif --out targets.geojson
              prospect validate map.tif --deposits Rasters/deposits.gpkg
              prospect cv --method wofe --deposits Rasters/deposits.gpkg \\
                  --evidence Rasters/thorium.tif --categorical Rasters/lithology.tif \\
                  --unit-cell-km2 0.01
            """,
        version: ProspectVersion.string,
        subcommands: [
            Info.self, Prepare.self, Train.self, CV.self, Import.self, Run.self, Score.self, Targets.self, Validate.self, Demo.self,
            Bench.self, Plan.self, Shard.self, Merge.self,
            GenerateDemo.self,
        ]
    )
    public init() {}
}

/// Runs a command body, turning data errors into one line on stderr and exit status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    TemporaryFiles.shared.installSignalHandlers()
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        // One line, whatever the underlying library said.
        let message = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write("prospect: error: \(message)\n".data(using: .utf8)!)
        throw ExitCode(1)
    }
}

/// Runs the options layer's checks from a command's `validate()`: a refused value is one line
/// on stderr naming the flag, as every other error (not the parser's usage text), and exit 1.
func checkOptions(_ body: () throws(OptionError) -> Void) throws {
    // The parser validates a command before it answers --help: the help alone is printed then.
    guard !CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) else { return }
    do { try body() } catch {
        FileHandle.standardError.write("prospect: error: \(error)\n".data(using: .utf8)!)
        throw ExitCode(1)
    }
}

/// Prints a value as pretty JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func format(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
