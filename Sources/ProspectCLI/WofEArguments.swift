import ArgumentParser
import ProspectCore
import ProspectPipeline

extension WofEDepositCount: ExpressibleByArgument {}

/// `prospect train` options for weights of evidence: how deposits are counted and the smallest
/// pattern the automatic cut may choose.
struct WofEArguments: ParsableArguments {
    @Option(
        name: .customLong("count-deposits"),
        help:
            "Weights of evidence: count every deposit point (points: ArcSDM, MPM-WofE; several points in one cell each count) or every deposit cell once (cells: eis_toolkit; default: \(WofEOptions().countDeposits.rawValue))."
    )
    var countDeposits: WofEDepositCount?
    @Option(
        name: .customLong("min-deposits"),
        help:
            "Weights of evidence: the automatic cut of a continuous, ascending or descending layer only picks a pattern holding at least this many deposits (default: \(WofEOptions().minimum.deposits))."
    )
    var minDeposits: Int?
    @Option(
        name: .customLong("min-area-percent"),
        help:
            "Weights of evidence: … and covering at least this percent of the layer's data area (default: \(WofEPatternMinimum.format(WofEOptions().minimum.areaPercent)))."
    )
    var minAreaPercent: Double?

    /// Hands the given flags to the options layer, which checks them.
    func fill(_ settings: inout TrainingSettings) {
        settings.countDeposits = countDeposits
        settings.minDeposits = minDeposits
        settings.minAreaPercent = minAreaPercent
    }
}
