import Foundation
import ProspectCore
import ProspectGDAL

/// How well a map ranks known deposits: ROC AUC and the success-rate curve.
public struct ValidationReport: Sendable, Codable {
    public struct CurvePoint: Sendable, Codable {
        public var areaPercent: Double
        public var depositPercent: Double
    }
    /// A deposit left out, named by its id (`--deposits-id`), and why.
    public struct Skipped: Sendable, Codable {
        public var id: String
        public var reason: String
    }
    public var map: String
    public var deposits: String
    /// The attribute filter that chose the deposits (`--deposits-where`), if any.
    public var depositsWhere: String?
    public var depositsUsed: Int
    public var depositsSkipped: Int
    /// The deposits skipped: each point outside the map, the first deposit of each cell on nodata.
    public var skipped: [Skipped]
    public var cells: Int
    /// Probability that a deposit cell scores above a random valid cell (ties count half).
    public var auc: Double
    /// Percent of deposits captured within the top X percent of area, at fixed X.
    public var table: [CurvePoint]
    /// The full success-rate curve, one point per deposit.
    public var curve: [CurvePoint]
    /// Features of the deposits' file that gave no usable point, one line per reason.
    public var warnings: [String] = []
}

/// Validates a score map against deposit points.
///
/// Background is every valid cell of the map, deposit cells included (the success-rate
/// convention of Agterberg & Bonham-Carter 2005); deposits outside the map or on nodata are
/// skipped and counted.
public enum Validator {
    public static let tablePercents: [Double] = [1, 2, 5, 10, 15, 20, 30, 40, 50, 75, 100]

    /// Streams the map tile by tile (memory: one tile), after reading each deposit's cell.
    /// - Parameters:
    ///   - depositsCRS: the CRS of deposits whose file declares none.
    ///   - selection: which of the file's points are deposits, and the field naming them.
    public static func validate(
        mapPath: String, deposits source: VectorSource, depositsCRS: String? = nil, selection: DepositSelection = DepositSelection()
    ) throws -> ValidationReport {
        let stack = try EvidenceStack.open([LayerSpec(name: "score", path: mapPath, kind: .continuous)])
        let nodata = stack.nodata[0]
        let isValid = { (v: Float) in !v.isNaN && v != nodata }
        let deposits = try DepositSet.load(
            source.path, layer: source.layer, grid: stack.grid, assumedCRS: depositsCRS, selection: selection)
        var scores: [Float] = []
        var skipped = deposits.outside.map { ValidationReport.Skipped(id: $0, reason: "outside the map") }
        var firstID: [Int: String] = [:]
        for d in deposits.inside where firstID[d.cellIndex] == nil { firstID[d.cellIndex] = d.id }
        let map = try RasterDataset.open(mapPath)
        for cell in deposits.cells {
            let v = try map.value(column: cell % stack.grid.columns, row: cell / stack.grid.columns)
            if isValid(v) { scores.append(v) } else { skipped.append(.init(id: firstID[cell]!, reason: "on a nodata cell of the map")) }
        }
        try map.close()
        guard !scores.isEmpty else { throw PipelineError(source.path, "no deposit falls on a scored cell of \(mapPath)") }
        var roc = ROCAccumulator(depositScores: scores)
        let tiling = stack.tiling
        let reader = try StackReader(stack, tiling: tiling)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells)
        defer { buffer.deallocate() }
        for t in 0..<tiling.count {
            let (window, stride) = try reader.read(tile: t, into: [buffer])
            for r in 0..<window.rows {
                roc.add(UnsafeBufferPointer(rebasing: buffer[(r * stride)..<(r * stride + window.columns)]), isValid: isValid)
            }
        }
        let table = tablePercents.map {
            ValidationReport.CurvePoint(areaPercent: $0, depositPercent: roc.depositPercent(atAreaPercent: $0))
        }
        let curve = roc.successRateCurve.map { ValidationReport.CurvePoint(areaPercent: $0.areaPercent, depositPercent: $0.depositPercent) }
        return ValidationReport(
            map: mapPath, deposits: source.description, depositsWhere: selection.filter, depositsUsed: scores.count,
            depositsSkipped: skipped.count, skipped: skipped,
            cells: roc.cellCount, auc: roc.auc, table: table, curve: curve, warnings: deposits.readWarnings)
    }
}
