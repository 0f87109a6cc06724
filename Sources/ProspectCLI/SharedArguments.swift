import ArgumentParser
import ProspectPipeline

/// `--method`, which `train` and `demo` both take.
extension TrainingOptions.Method: ExpressibleByArgument {}

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
