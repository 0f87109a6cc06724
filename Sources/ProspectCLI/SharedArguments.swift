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
