import Foundation
import ProspectCore
import ProspectGDAL

/// How well a map ranks known deposits: ROC AUC, the success-rate curve of the deposits given
/// (`--deposits`, the training deposits: fit), optionally the prediction-rate curve of deposits
/// the model never saw (`--validation-deposits`: prediction), the prediction–area
/// intersection, capture at fixed areas, and the deposits the map's probabilities expect.
///
/// docs/VALIDATION.md says what each number measures. The keys added after the first version
/// are snake_case, the first ones kept as they were.
public struct ValidationReport: Sendable, Codable {
    public struct CurvePoint: Sendable, Codable {
        public var areaPercent: Double
        public var depositPercent: Double
        /// On the full curves, the map's score there: the threshold, for the prediction–area
        /// plot (absent from the fixed-area tables).
        public var score: Double? = nil
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

    /// The deposits the map's probabilities expect over its valid cells: Σ p (per cell), or
    /// Σ p × cell area / unit cell (weights of evidence, probability per unit cell); nil for
    /// maps that do not hold probabilities (`expectedDepositsBasis` says why).
    public var expectedDeposits: Double?
    /// How `expectedDeposits` was summed, or why there is none.
    public var expectedDepositsBasis: String = ""
    /// The deposit cells of `deposits` on valid cells of the map (= `depositsUsed`).
    public var knownDeposits: Int = 0
    /// Percent of `deposits` within the top 1, 5, 10 and 20 percent of the area (keys "1", "5",
    /// "10", "20"), on the exact curve with tied cells shared out (`ROCAccumulator.polyline`).
    public var capture: [String: Double] = [:]
    /// The prediction–area plot's intersection for `deposits` (Yousefi & Carranza 2015).
    public var paIntersectionAreaPercent: Double?
    public var paIntersectionDepositPercent: Double?
    public var paNormalizedDensity: Double?

    /// `--validation-deposits`: the independent set, its use, and the same measures.
    public var validationDeposits: String?
    public var validationDepositsUsed: Int?
    public var validationDepositsSkipped: Int?
    /// Validation deposit cells that are also cells of `deposits` (not independent there).
    public var validationDepositsSharingCells: Int?
    public var validationAUC: Double?
    public var predictionTable: [CurvePoint]?
    public var predictionCurve: [CurvePoint]?
    public var validationCapture: [String: Double]?
    public var validationPAIntersectionAreaPercent: Double?
    public var validationPAIntersectionDepositPercent: Double?
    public var validationPANormalizedDensity: Double?
    /// What each number above measures, by key.
    public var labels: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case map, deposits, depositsWhere, depositsUsed, depositsSkipped, skipped, cells, auc, table, curve, warnings
        case expectedDeposits = "expected_deposits"
        case expectedDepositsBasis = "expected_deposits_basis"
        case knownDeposits = "known_deposits"
        case capture
        case paIntersectionAreaPercent = "pa_intersection_area_percent"
        case paIntersectionDepositPercent = "pa_intersection_deposit_percent"
        case paNormalizedDensity = "pa_normalized_density"
        case validationDeposits = "validation_deposits"
        case validationDepositsUsed = "validation_deposits_used"
        case validationDepositsSkipped = "validation_deposits_skipped"
        case validationDepositsSharingCells = "validation_deposits_sharing_cells"
        case validationAUC = "validation_auc"
        case predictionTable = "prediction_table"
        case predictionCurve = "prediction_curve"
        case validationCapture = "validation_capture"
        case validationPAIntersectionAreaPercent = "validation_pa_intersection_area_percent"
        case validationPAIntersectionDepositPercent = "validation_pa_intersection_deposit_percent"
        case validationPANormalizedDensity = "validation_pa_normalized_density"
        case labels
    }

    /// Encodes every key, absent values as null, so a reader finds the same keys every time.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(map, forKey: .map)
        try c.encode(deposits, forKey: .deposits)
        try c.encode(depositsUsed, forKey: .depositsUsed)
        try c.encode(depositsWhere, forKey: .depositsWhere)
        try c.encode(depositsSkipped, forKey: .depositsSkipped)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(cells, forKey: .cells)
        try c.encode(auc, forKey: .auc)
        try c.encode(table, forKey: .table)
        try c.encode(curve, forKey: .curve)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(expectedDeposits, forKey: .expectedDeposits)
        try c.encode(expectedDepositsBasis, forKey: .expectedDepositsBasis)
        try c.encode(knownDeposits, forKey: .knownDeposits)
        try c.encode(capture, forKey: .capture)
        try c.encode(paIntersectionAreaPercent, forKey: .paIntersectionAreaPercent)
        try c.encode(paIntersectionDepositPercent, forKey: .paIntersectionDepositPercent)
        try c.encode(paNormalizedDensity, forKey: .paNormalizedDensity)
        try c.encode(validationDeposits, forKey: .validationDeposits)
        try c.encode(validationDepositsUsed, forKey: .validationDepositsUsed)
        try c.encode(validationDepositsSkipped, forKey: .validationDepositsSkipped)
        try c.encode(validationDepositsSharingCells, forKey: .validationDepositsSharingCells)
        try c.encode(validationAUC, forKey: .validationAUC)
        try c.encode(predictionTable, forKey: .predictionTable)
        try c.encode(predictionCurve, forKey: .predictionCurve)
        try c.encode(validationCapture, forKey: .validationCapture)
        try c.encode(validationPAIntersectionAreaPercent, forKey: .validationPAIntersectionAreaPercent)
        try c.encode(validationPAIntersectionDepositPercent, forKey: .validationPAIntersectionDepositPercent)
        try c.encode(validationPANormalizedDensity, forKey: .validationPANormalizedDensity)
        try c.encode(labels, forKey: .labels)
    }
}

/// Validates a score map against deposit points.
///
/// Background is every valid cell of the map, deposit cells included (the success-rate
/// convention of Agterberg & Bonham-Carter 2005); deposits outside the map or on nodata are
/// skipped and counted.
public enum Validator {
    public static let tablePercents: [Double] = [1, 2, 5, 10, 15, 20, 30, 40, 50, 75, 100]
    /// The areas `capture` reads the curve at, in percent.
    public static let capturePercents: [Double] = [1, 5, 10, 20]
    /// Expected and known deposits further apart than this factor, either way, are a warning.
    public static let mismatchFactor = 1.5

    /// Streams the map tile by tile (memory: one tile), after reading each deposit's cell.
    /// - Parameters:
    ///   - deposits: the deposits the model was trained on (the success rate: fit).
    ///   - depositsCRS: the CRS of deposits whose file declares none (both sets).
    ///   - validationDeposits: deposits the model never saw (the prediction rate).
    ///   - selection: which of the `deposits` file's points are deposits, and the field naming
    ///     them (the validation deposits are taken whole).
    public static func validate(
        mapPath: String, deposits source: VectorSource, depositsCRS: String? = nil, validationDeposits: VectorSource? = nil,
        selection: DepositSelection = DepositSelection()
    ) throws -> ValidationReport {
        let stack = try EvidenceStack.open([LayerSpec(name: "score", path: mapPath, kind: .continuous)])
        let nodata = stack.nodata[0]
        let isValid = { (v: Float) in !v.isNaN && v != nodata }
        let map = try RasterDataset.open(mapPath)
        let metadata = map.metadata()
        func scores(
            of source: VectorSource, selection: DepositSelection = DepositSelection()
        ) throws -> (set: DepositSet, scores: [Float], skipped: [ValidationReport.Skipped], cells: [Int]) {
            let deposits = try DepositSet.load(
                source.path, layer: source.layer, grid: stack.grid, assumedCRS: depositsCRS, selection: selection)
            var scores: [Float] = []
            var cells: [Int] = []
            var skipped = deposits.outside.map { ValidationReport.Skipped(id: $0, reason: "outside the map") }
            var firstID: [Int: String] = [:]
            for d in deposits.inside where firstID[d.cellIndex] == nil { firstID[d.cellIndex] = d.id }
            for cell in deposits.cells {
                let v = try map.value(column: cell % stack.grid.columns, row: cell / stack.grid.columns)
                if isValid(v) {
                    scores.append(v)
                    cells.append(cell)
                } else {
                    skipped.append(.init(id: firstID[cell]!, reason: "on a nodata cell of the map"))
                }
            }
            guard !scores.isEmpty else { throw PipelineError(source.path, "no deposit falls on a scored cell of \(mapPath)") }
            return (deposits, scores, skipped, cells)
        }
        let training = try scores(of: source, selection: selection)
        let validation = try validationDeposits.map { try scores(of: $0) }
        try map.close()
        let expectation = try ExpectedDepositsRule(metadata: metadata, grid: stack.grid, mapPath: mapPath)
        var roc = ROCAccumulator(depositScores: training.scores)
        var prediction = validation.map { ROCAccumulator(depositScores: $0.scores) }
        var sum = 0.0
        let tiling = stack.tiling
        let reader = try StackReader(stack, tiling: tiling)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells)
        defer { buffer.deallocate() }
        for t in 0..<tiling.count {
            let (window, stride) = try reader.read(tile: t, into: [buffer])
            for r in 0..<window.rows {
                let row = UnsafeBufferPointer(rebasing: buffer[(r * stride)..<(r * stride + window.columns)])
                roc.add(row, isValid: isValid)
                prediction?.add(row, isValid: isValid)
                if expectation.perCell != nil {
                    for v in row where isValid(v) { sum += Double(v) }
                }
            }
        }
        let table = tablePercents.map {
            ValidationReport.CurvePoint(areaPercent: $0, depositPercent: roc.depositPercent(atAreaPercent: $0))
        }
        let curve = curvePoints(roc)
        var report = ValidationReport(
            map: mapPath, deposits: source.description, depositsWhere: selection.filter, depositsUsed: training.scores.count,
            depositsSkipped: training.skipped.count, skipped: training.skipped, cells: roc.cellCount, auc: roc.auc, table: table,
            curve: curve,
            warnings: training.set.readWarnings + (validation?.set.readWarnings ?? []))
        report.knownDeposits = training.scores.count
        report.expectedDeposits = expectation.perCell.map { sum * $0 }
        report.expectedDepositsBasis = expectation.basis
        report.capture = capture(roc)
        if let pa = roc.predictionAreaIntersection {
            report.paIntersectionAreaPercent = pa.areaPercent
            report.paIntersectionDepositPercent = pa.depositPercent
            report.paNormalizedDensity = pa.normalizedDensity
        }
        if let expected = report.expectedDeposits,
            let ratio = TrainingAreaScores.mismatch(
                expected: expected, known: report.knownDeposits, factor: mismatchFactor)
        {
            report.warnings.append(
                String(
                    format:
                        "expected deposits (the sum of the map's probabilities over its valid cells) are %.1f against %d known deposit cells of %@, %.2f times as many: the map's probabilities are not calibrated to these deposits",
                    expected, report.knownDeposits, source.description, ratio))
        }
        if let validation, let prediction, let validationDeposits {
            report.validationDeposits = validationDeposits.description
            report.validationDepositsUsed = validation.scores.count
            report.validationDepositsSkipped = validation.skipped.count
            let shared = Set(validation.cells).intersection(training.cells).count
            report.validationDepositsSharingCells = shared
            if shared > 0 {
                report.warnings.append(
                    "\(shared) of the \(validation.scores.count) validation deposit cells of \(validationDeposits.description) are also deposit cells of \(source.description): the prediction rate is not independent of the fit there"
                )
            }
            report.validationAUC = prediction.auc
            report.predictionTable = tablePercents.map {
                ValidationReport.CurvePoint(areaPercent: $0, depositPercent: prediction.depositPercent(atAreaPercent: $0))
            }
            report.predictionCurve = curvePoints(prediction)
            report.validationCapture = capture(prediction)
            if let pa = prediction.predictionAreaIntersection {
                report.validationPAIntersectionAreaPercent = pa.areaPercent
                report.validationPAIntersectionDepositPercent = pa.depositPercent
                report.validationPANormalizedDensity = pa.normalizedDensity
            }
        }
        report.labels = labels(validation: validationDeposits != nil)
        return report
    }

    /// The success-rate (or prediction-rate) curve with each point's score: deposits sorted by
    /// score descending, as `ROCAccumulator.successRateCurve` lists them.
    static func curvePoints(_ roc: ROCAccumulator) -> [ValidationReport.CurvePoint] {
        var scores: [Double] = []
        for j in roc.depositValues.indices.reversed() {
            scores += Array(repeating: Double(roc.depositValues[j]), count: roc.depositsAt[j])
        }
        return zip(roc.successRateCurve, scores).map {
            ValidationReport.CurvePoint(areaPercent: $0.0.areaPercent, depositPercent: $0.0.depositPercent, score: $0.1)
        }
    }

    static func capture(_ roc: ROCAccumulator) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: capturePercents.map { (String(Int($0)), roc.capturedPercent(atAreaPercent: $0)) })
    }

    /// What each key of the report measures.
    static func labels(validation: Bool) -> [String: String] {
        var l = [
            "auc": "success: ROC AUC of the --deposits (training deposits: fit) against every valid cell, ties half",
            "table":
                "success rate: percent of the --deposits (training deposits: fit) within the top percent of the area; a group of equal scores counts only when all of it fits",
            "curve": "success rate: the full curve for the --deposits (training deposits: fit), one point per deposit",
            "capture":
                "success rate: percent of the --deposits (training deposits: fit) within the top 1, 5, 10, 20 percent of the area, equal scores shared out",
            "pa_intersection_area_percent":
                "prediction-area plot of the --deposits: percent of the area where the share of deposits equals 100 minus the share of area",
            "pa_intersection_deposit_percent":
                "prediction-area plot of the --deposits: percent of deposits captured there (= 100 - area percent)",
            "pa_normalized_density": "prediction-area plot of the --deposits: deposit percent / area percent at the intersection",
            "expected_deposits":
                "deposits the map's probabilities add up to over its valid cells (null when the map holds no probabilities)",
            "known_deposits": "deposit cells of the --deposits on valid cells of the map",
        ]
        if validation {
            l["validation_auc"] =
                "prediction: ROC AUC of the --validation-deposits (independent deposits) against every valid cell, ties half"
            l["prediction_table"] =
                "prediction rate: percent of the --validation-deposits (independent deposits) within the top percent of the area"
            l["prediction_curve"] = "prediction rate: the full curve for the --validation-deposits (independent deposits)"
            l["validation_capture"] =
                "prediction rate: percent of the --validation-deposits within the top 1, 5, 10, 20 percent of the area"
            l["validation_pa_intersection_area_percent"] =
                "prediction-area plot of the --validation-deposits: area percent at the intersection"
            l["validation_pa_intersection_deposit_percent"] =
                "prediction-area plot of the --validation-deposits: deposit percent at the intersection"
            l["validation_pa_normalized_density"] =
                "prediction-area plot of the --validation-deposits: deposit percent / area percent there"
        }
        return l
    }
}

/// How a map's values become expected deposits, from the model its metadata embeds.
struct ExpectedDepositsRule {
    /// Deposits per unit of a cell's value (1 for per-cell probabilities, cell area / unit cell
    /// for weights of evidence); nil when the values are not probabilities.
    var perCell: Double?
    /// In words: how the sum is made, or why there is none.
    var basis: String

    /// - Throws: `PipelineError` naming the map when its embedded weights-of-evidence model
    ///   cannot be read or its CRS cannot measure cell areas.
    init(metadata: [String: String], grid: Grid, mapPath: String) throws {
        guard let method = metadata["PROSPECT_METHOD"] else {
            perCell = nil
            basis = "none: the map carries no Prospect model (PROSPECT_METHOD), so whether its values are probabilities is unknown"
            return
        }
        switch method {
        case "wofe":
            guard let json = metadata["PROSPECT_MODEL_JSON"] else {
                throw PipelineError(mapPath, "names method wofe but embeds no model (PROSPECT_MODEL_JSON) to read its unit cell from")
            }
            let model: ModelFile
            do { model = try ModelFile.decode(Data(json.utf8)) } catch {
                throw PipelineError(mapPath, "its embedded model (PROSPECT_MODEL_JSON) cannot be read: \(error)")
            }
            guard let unit = model.parameters["unitCellKm2"].flatMap(Double.init), unit > 0, unit.isFinite else {
                throw PipelineError(mapPath, "its embedded weights-of-evidence model gives no unit cell (parameters.unitCellKm2)")
            }
            let cell = try CellArea.km2(of: grid, file: mapPath)
            perCell = cell.area / unit
            basis = String(
                format:
                    "posterior probability per unit cell of %g km², times %.6g unit cells per cell of %@%.6g km², summed over the valid cells",
                unit, cell.area / unit, cell.approximate ? "about " : "", cell.area)
        case "logistic", "rf", "gbt":
            perCell = 1
            basis = "probability per cell (\(method)), summed over the valid cells"
        case "lightgbm", "xgboost":
            perCell = 1
            basis =
                "probability per cell of an imported \(method) model, summed over the valid cells: per cell only if it was trained on cells at their true deposit rate"
        case "fuzzy":
            perCell = nil
            basis = "none: a fuzzy overlay's values are memberships, not probabilities"
        case "index":
            perCell = nil
            basis = "none: an index overlay's values are scores, not probabilities"
        default:
            perCell = nil
            basis = "none: method \(method) is not one whose values are known to be probabilities"
        }
    }
}
