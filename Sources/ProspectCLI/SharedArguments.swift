import ArgumentParser
import ProspectPipeline

/// `--method`, which `train` and `demo` both take.
extension TrainingOptions.Method: ExpressibleByArgument {}

/// `--holdout-scheme` (train) and `--scheme` (cv).
extension HoldoutScheme: ExpressibleByArgument {}

/// `--threads` of the commands that stream a grid on all cores (`prepare`, `score`).
struct WorkerThreads: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?
}

/// `--assume-crs` of the commands that read deposits (`train`, `validate`).
struct DepositsCRS: ParsableArguments {
    @Option(name: .customLong("assume-crs"), help: "The deposits' CRS when their file declares none (EPSG:N).")
    var assumeCRS: String?
}

/// `--created` of the commands that stamp their outputs with a time (`prepare`, `train`,
/// `import`, `score`, `run`, `demo`).
struct CreatedTime: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The time to stamp outputs with: ISO 8601 (2024-05-01T12:00:00Z) or a Unix time in seconds (default: $SOURCE_DATE_EPOCH, else now).",
            valueName: "time"))
    var created: String?

    /// The time to stamp with: `--created`, else `study` (a study file's), else
    /// `SOURCE_DATE_EPOCH`; nil for the time of writing.
    /// - Throws: `OptionError` naming `--created` or `SOURCE_DATE_EPOCH`.
    func time(study: CreationTime? = nil) throws(OptionError) -> CreationTime? {
        try CreationTime.resolve(given: created, study: study)
    }

    /// Checks `--created` and `SOURCE_DATE_EPOCH` from a command's `validate()`.
    func validate() throws {
        try checkOptions { () throws(OptionError) in _ = try time() }
    }
}

/// `--deposits-where` and `--deposits-id` of the commands that read deposits (`train`, `validate`).
struct DepositSelectionArguments: ParsableArguments {
    @Option(
        name: .customLong("deposits-where"),
        help: "Only the deposits matching this OGR SQL WHERE clause on the file's attributes, e.g. \"commodity = 'Au' AND size >= 2\".")
    var filter: String?
    @Option(
        name: .customLong("deposits-id"),
        help: "The field naming each deposit in reports (default: id, name or ID when the file has one, else its position).")
    var idField: String?

    var selection: DepositSelection { DepositSelection(filter: filter, idField: idField) }
}

extension ProgressMode: ExpressibleByArgument {}

/// `--progress` of the commands that report progress (`prepare`, `train`, `score`, `targets`,
/// `validate`, `cv`, `run`): a bar on a terminal, JSON lines (`ProgressStream`) or nothing.
struct ProgressReporting: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Progress on stderr: bar (drawn on a terminal), json (one event per line, for programs) or none.", valueName: "mode"))
    var progress: ProgressMode = .bar

    /// Whether `arguments` ask for JSON progress, read before the parsed options reach `run()`.
    static func requestsJSON(_ arguments: [String]) -> Bool {
        zip(arguments, arguments.dropFirst()).contains { $0 == "--progress" && $1 == "json" }
            || arguments.contains("--progress=json")
    }
}
