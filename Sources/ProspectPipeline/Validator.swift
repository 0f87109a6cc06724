import Foundation
import ProspectCore
import ProspectGDAL

/// How well a map ranks known deposits: ROC AUC and the success-rate curve.
public struct ValidationReport: Sendable, Codable {
    public struct CurvePoint: Sendable, Codable { public var areaPercent: Double; public var depositPercent: Double }
    public var map: String
    public var deposits: String
    public var depositsUsed: Int
    public var depositsSkipped: Int
    public var cells: Int
    /// Probability that a deposit cell scores above a random valid cell (ties count half).
    public var auc: Double
    /// Percent of deposits captured within the top X percent of area, at fixed X.
    public var table: [CurvePoint]
    /// The full success-rate curve, one point per deposit.
    public var curve: [CurvePoint]
}

/// Validates a score map against deposit points.
///
/// Background is every valid cell of the map, deposit cells included (the success-rate
/// convention of Agterberg & Bonham-Carter 2005); deposits outside the map or on nodata are
/// skipped and counted.
public enum Validator {
    public static let tablePercents: [Double] = [1, 2, 5, 10, 15, 20, 30, 40, 50, 75, 100]

    public static func validate(mapPath: String, depositsPath: String) throws -> ValidationReport {
        let map = try ScoreMap.read(mapPath)
        let deposits = try DepositSet.load(depositsPath, grid: map.grid)
        var scores: [Float] = []
        var skipped = deposits.outside.count
        for cell in deposits.cells {
            let v = map.values[cell]
            if map.isValid(v) { scores.append(v) } else { skipped += 1 }
        }
        guard !scores.isEmpty else { throw PipelineError(depositsPath, "no deposit falls on a scored cell of \(mapPath)") }
        var roc = ROCAccumulator(depositScores: scores)
        map.values.withUnsafeBufferPointer { roc.add($0, isValid: map.isValid) }
        let table = tablePercents.map { ValidationReport.CurvePoint(areaPercent: $0, depositPercent: roc.depositPercent(atAreaPercent: $0)) }
        let curve = roc.successRateCurve.map { ValidationReport.CurvePoint(areaPercent: $0.areaPercent, depositPercent: $0.depositPercent) }
        return ValidationReport(map: mapPath, deposits: depositsPath, depositsUsed: scores.count, depositsSkipped: skipped,
                                cells: roc.cellCount, auc: roc.auc, table: table, curve: curve)
    }
}
