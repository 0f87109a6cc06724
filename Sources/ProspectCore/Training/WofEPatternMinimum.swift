import Foundation

/// The smallest binary pattern the automatic cut of a cumulative or continuous layer may
/// choose: at least `deposits` deposits inside, and at least `areaPercent` % of the layer's
/// data area.
///
/// The largest studentized contrast alone happily picks a sliver: a class of a few cells that
/// holds one or two deposits has a large W+ whose standard deviation, `sqrt(1/N(B∩D) + …)`, is
/// at least 0.71 for two deposits, yet its contrast can still beat a broad, well-supported
/// pattern's. Classes short of the minimum keep their row in the weights table, with the
/// reason (`WofEClassRow.belowMinimum`), but are never chosen automatically; a threshold given
/// by the user is taken as given.
public struct WofEPatternMinimum: Sendable, Equatable {
    /// Deposits inside the pattern, as counted (`WofEDepositCount`).
    public var deposits: Int
    /// Percent of the layer's data cells inside the pattern.
    public var areaPercent: Double

    public init(deposits: Int = 1, areaPercent: Double = 0) {
        self.deposits = deposits
        self.areaPercent = areaPercent
    }

    /// No minimum beyond one deposit (a pattern without deposits has no weights anyway).
    public static let none = WofEPatternMinimum()

    /// Why a pattern of `deposits` deposits over `cells` of the layer's `totalCells` data cells
    /// falls short of the minimum; nil when it does not.
    public func shortfall(deposits d: Int, cells: Int, totalCells: Int) -> String? {
        var reasons: [String] = []
        if d < deposits { reasons.append("\(d) deposit\(d == 1 ? "" : "s"), minimum \(deposits)") }
        let percent = totalCells > 0 ? 100 * Double(cells) / Double(totalCells) : 0
        if percent < areaPercent {
            reasons.append("\(Self.format(percent)) % of the area, minimum \(Self.format(areaPercent)) %")
        }
        return reasons.isEmpty ? nil : "below the minimum for the automatic cut: " + reasons.joined(separator: "; ")
    }

    /// A percentage or count as the notes print it (three significant digits).
    public static func format(_ x: Double) -> String { String(format: "%.3g", x) }
}
