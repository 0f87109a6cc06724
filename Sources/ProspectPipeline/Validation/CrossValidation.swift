import Dispatch
import Foundation
import ProspectCore

/// What cross-validation measured: each fold's ROC AUC on cells and deposits its model never
/// saw, their mean and spread, and the pooled out-of-fold AUC and prediction-rate curve.
public struct CrossValidationReport: Sendable, Codable {
    /// One fold: the cells and deposits held out of its model and scored by it.
    public struct Fold: Sendable, Codable {
        /// 1 to K.
        public var fold: Int
        /// ROC AUC of the fold's model on its held-out cells (background: every valid cell,
        /// deposit cells included) and deposits; nil when the fold holds no deposit.
        public var auc: Double?
        /// Held-out deposit cells scored.
        public var deposits: Int
        /// Deposit cells the fold's model trained on.
        public var trainingDeposits: Int
        /// Held-out cells with a score.
        public var cells: Int
        public var areaKm2: Double
        /// Blocks dealt to the fold (`.blocks`).
        public var blocks: Int?

        enum CodingKeys: String, CodingKey {
            case fold, auc, deposits, cells, blocks
            case trainingDeposits = "training_deposits"
            case areaKm2 = "area_km2"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(fold, forKey: .fold)
            try c.encode(auc, forKey: .auc)  // null when the fold holds no deposit
            try c.encode(deposits, forKey: .deposits)
            try c.encode(trainingDeposits, forKey: .trainingDeposits)
            try c.encode(cells, forKey: .cells)
            try c.encode(areaKm2, forKey: .areaKm2)
            try c.encodeIfPresent(blocks, forKey: .blocks)
        }
    }

    public struct CurvePoint: Sendable, Codable, Equatable {
        public var areaPercent: Double
        public var depositPercent: Double
        enum CodingKeys: String, CodingKey {
            case areaPercent = "area_percent"
            case depositPercent = "deposit_percent"
        }
    }

    public var method: String
    public var scheme: HoldoutScheme
    /// The block side in km and cells, and how it was chosen (`.blocks`).
    public var blockKm: Double?
    public var blockCells: Int?
    public var blockReason: String?
    public var seed: UInt64
    public var folds: [Fold]
    /// Mean and sample standard deviation of the AUCs of the folds holding deposits; the
    /// deviation is nil for fewer than two such folds.
    public var meanAUC: Double?
    public var sdAUC: Double?
    /// Each held-out cell and deposit scored by the model that did not see it, over all folds.
    public var pooledAUC: Double
    /// Deposit cells and valid cells scored, over all folds.
    public var deposits: Int
    public var cells: Int
    /// The pooled prediction-rate curve at fixed percents of the area, and in full (one point
    /// per deposit).
    public var table: [CurvePoint]
    public var curve: [CurvePoint]

    enum CodingKeys: String, CodingKey {
        case method, scheme, seed, folds, deposits, cells, table, curve
        case blockKm = "block_km"
        case blockCells = "block_cells"
        case blockReason = "block_reason"
        case meanAUC = "mean_auc"
        case sdAUC = "sd_auc"
        case pooledAUC = "pooled_auc"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(scheme, forKey: .scheme)
        try c.encode(blockKm, forKey: .blockKm)
        try c.encode(blockCells, forKey: .blockCells)
        try c.encode(blockReason, forKey: .blockReason)
        try c.encode(seed, forKey: .seed)
        try c.encode(folds, forKey: .folds)
        try c.encode(meanAUC, forKey: .meanAUC)
        try c.encode(sdAUC, forKey: .sdAUC)
        try c.encode(pooledAUC, forKey: .pooledAUC)
        try c.encode(deposits, forKey: .deposits)
        try c.encode(cells, forKey: .cells)
        try c.encode(table, forKey: .table)
        try c.encode(curve, forKey: .curve)
    }

    /// One line: the scheme, the AUC over folds and the pooled one, saying these are
    /// predictions on deposits each model never saw.
    public var headline: String {
        let how =
            scheme == .blocks
            ? "spatial blocks of \(SpatialBlocks.show(blockKm ?? .nan)) km, \(folds.count) folds"
            : "random cells, \(folds.count) folds"
        var line = "cross-validated (\(how)): "
        if let mean = meanAUC {
            line += "AUC \(String(format: "%.3f", mean))"
            line += sdAUC.map { " ± \(String(format: "%.3f", $0)) over folds" } ?? " (one fold with deposits)"
            line += "; "
        }
        return line + "pooled out-of-fold AUC \(String(format: "%.3f", pooledAUC)), on deposits each model never saw"
    }
}

/// A cross-validation with what the user should know: deposits left out and the fits' warnings.
public struct CrossValidationResult: Sendable {
    public var report: CrossValidationReport
    public var skipped: [(id: String, reason: String)]
    public var warnings: [String]
}

/// K-fold cross-validation, spatially blocked by default (Roberts et al. 2017, "Cross-validation
/// strategies for data with temporal, spatial, hierarchical, or phylogenetic structure"; with
/// clustered deposits a random split leaves each held-out deposit beside training ones and
/// over-rates the AUC, Airola et al. 2019).
///
/// The cells and deposit cells are dealt to K folds (`FoldAssignment`). Each fold's model is
/// trained by `Training.fit` on the other folds' cells and deposits (rf and gbt without their
/// own holdout); knowledge-driven overlays are the same model for every fold. Then one pass
/// over the stack, tile by tile on all cores, scores each cell with its fold's model (the cells
/// of a tile gathered by fold, each fold's model compiled once) into one ROC accumulator per
/// fold and a pooled one; deposit scores come from the deposit cells' stored values. Memory:
/// a few tiles per worker, the K models, and for the random scheme a bit per cell while a
/// fold trains.
public enum CrossValidation {
    /// - Parameters:
    ///   - overlay: a knowledge-driven model's payload (`OverlayMethod.select`).
    /// - Throws: `OptionError` for a block size the map cannot hold; `PipelineError` naming the
    ///   deposits for fewer than two deposit cells, or naming the fold whose training failed.
    public static func run(
        _ data: TrainingData, options: TrainingOptions, cv: CrossValidationOptions, overlay: ModelPayload? = nil,
        progress: Bool = false
    ) throws -> CrossValidationResult {
        let stack = data.stack
        let grid = stack.grid
        let cells = data.depositCells.map(\.cell)
        guard cells.count >= 2 else {
            throw PipelineError(data.depositsPath, "cross-validation needs at least 2 usable deposit cells, got \(cells.count)")
        }
        let k = cv.folds
        var block: BlockSize?
        let folds: FoldAssignment
        switch cv.scheme {
        case .blocks:
            let size = try SpatialBlocks.choose(
                km: cv.blockKm, option: .blockKm, grid: grid, cellKm: data.summary.cellAreaKm2.squareRoot(), depositCells: cells,
                minimumBlocks: k)
            block = size
            folds = .blocks(side: size.cells, grid: grid, depositCells: cells, folds: k, seed: cv.seed)
        case .random:
            folds = .random(grid: grid, depositCells: cells, folds: k, seed: cv.seed)
        }

        // K models (one for a knowledge-driven overlay), each compiled once.
        var fitOptions = options
        fitOptions.trees.holdout = 0
        var scorers: [any CellScorer] = []
        var trainingDeposits: [Int] = []
        var warnings: [String] = []
        if options.method.isKnowledgeDriven {
            let fitted = try Training.fit(data, options: fitOptions, overlay: overlay)
            let scorer = Training.modelFile(fitted, data: data, modelPath: "model.json").scorer(nodata: stack.nodata)
            scorers = Array(repeating: scorer, count: k)
            trainingDeposits = Array(repeating: 0, count: k)
            warnings = fitted.warnings
        } else {
            var foldWarnings: [[String]] = []
            for f in 0..<k {
                let subset = folds.depositFolds.indices.filter { folds.depositFolds[$0] != f }
                let fitted: FittedModel
                do {
                    fitted = try Training.fit(
                        data, options: fitOptions, deposits: subset, area: folds.trainingArea(heldOut: f, grid: grid),
                        progress: progress
                            ? Progress(
                                "fold \(f + 1) of \(k)", passes: Training.progressPasses(options.method),
                                share: Double(f) / Double(k + 1)...Double(f + 1) / Double(k + 1)) : nil)
                } catch let e as PipelineError {
                    throw PipelineError(e.path, "fold \(f + 1) of \(k): \(e.message)")
                }
                scorers.append(Training.modelFile(fitted, data: data, modelPath: "model.json").scorer(nodata: stack.nodata))
                trainingDeposits.append(fitted.summary.depositsUsed)
                foldWarnings.append(fitted.warnings)
            }
            warnings = merged(foldWarnings)
        }

        // The deposits' scores, each by its fold's model.
        var depositScores = [Float](repeating: .nan, count: cells.count)
        for f in 0..<k {
            let members = folds.depositFolds.indices.filter { folds.depositFolds[$0] == f }
            guard !members.isEmpty else { continue }
            let columns = stack.layers.indices.map { j in members.map { data.depositCells[$0].values[j] } }
            var out = [Float](repeating: 0, count: members.count)
            columns.withUnsafeBufferPointers { inputs in
                out.withUnsafeMutableBufferPointer { scorers[f].score(layers: inputs, outputs: [$0], outputNodata: outputNodata) }
            }
            for (j, i) in members.enumerated() { depositScores[i] = out[j] == outputNodata ? .nan : out[j] }
        }
        var accumulators = (0..<k).map { f in
            ROCAccumulator(depositScores: folds.depositFolds.indices.filter { folds.depositFolds[$0] == f }.map { depositScores[$0] })
        }
        accumulators.append(ROCAccumulator(depositScores: depositScores))
        let counted = try scorePass(
            stack: stack, scorers: scorers, folds: folds, empty: accumulators, threads: cv.threads,
            progress: progress
                ? Progress(
                    "scoring held-out cells",
                    share: options.method.isKnowledgeDriven ? 0...1 : Double(k) / Double(k + 1)...1) : nil)

        let cellArea = data.summary.cellAreaKm2
        let perBlock = folds.blocksPerFold
        let reports = (0..<k).map { f in
            let roc = counted[f]
            return CrossValidationReport.Fold(
                fold: f + 1, auc: roc.depositCount > 0 && roc.cellCount > 0 ? roc.auc : nil, deposits: roc.depositCount,
                trainingDeposits: trainingDeposits[f], cells: roc.cellCount, areaKm2: Double(roc.cellCount) * cellArea,
                blocks: perBlock?[f])
        }
        let aucs = reports.compactMap(\.auc)
        let mean = aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
        let sd = mean.flatMap { m in
            aucs.count < 2 ? nil : (aucs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(aucs.count - 1)).squareRoot()
        }
        let pooled = counted[k]
        let curve = pooled.successRateCurve.map {
            CrossValidationReport.CurvePoint(areaPercent: $0.areaPercent, depositPercent: $0.depositPercent)
        }
        let table = Validator.tablePercents.map {
            CrossValidationReport.CurvePoint(areaPercent: $0, depositPercent: pooled.depositPercent(atAreaPercent: $0))
        }
        let report = CrossValidationReport(
            method: options.method.rawValue, scheme: cv.scheme, blockKm: block?.km, blockCells: block?.cells, blockReason: block?.reason,
            seed: cv.seed, folds: reports, meanAUC: mean, sdAUC: sd, pooledAUC: pooled.auc, deposits: pooled.depositCount,
            cells: pooled.cellCount, table: table, curve: curve)
        return CrossValidationResult(report: report, skipped: data.skipped, warnings: warnings)
    }

    static let outputNodata: Float = -9999

    /// The folds' warnings, each once: a warning that differs between folds only in its
    /// figures is given with the first fold's figures and the folds it concerns.
    static func merged(_ perFold: [[String]]) -> [String] {
        let figures = try! Regex("[0-9]+([.][0-9]+)?")
        var order: [String] = []
        var first: [String: String] = [:]
        var folds: [String: [Int]] = [:]
        for (f, list) in perFold.enumerated() {
            for w in list {
                let key = w.replacing(figures, with: "#")
                if first[key] == nil {
                    order.append(key)
                    first[key] = w
                }
                if folds[key]?.last != f + 1 { folds[key, default: []].append(f + 1) }
            }
        }
        return order.map { key in
            let w = first[key]!
            let n = folds[key]!
            let same = Set(perFold.flatMap { $0 }.filter { $0.replacing(figures, with: "#") == key }).count == 1
            let whose = same ? "" : " (figures of fold \(n[0]))"
            if n.count == perFold.count { return same ? w : "every fold\(whose): \(w)" }
            return "fold\(n.count > 1 ? "s" : "") \(n.map(String.init).joined(separator: ", "))\(whose): \(w)"
        }
    }

    /// One pass over `stack`: each tile's cells are gathered by fold, scored by their fold's
    /// model and counted into their fold's accumulator and the pooled one (the last of `empty`).
    /// Workers take tiles in turn and keep their own counts, summed at the end: the result is
    /// the same for any number of threads.
    static func scorePass(
        stack: EvidenceStack, scorers: [any CellScorer], folds: FoldAssignment, empty: [ROCAccumulator], threads: Int,
        progress: Progress?
    ) throws -> [ROCAccumulator] {
        let tiling = stack.tiling
        let k = folds.count
        let columns = stack.grid.columns
        // The random scheme's deposit cells are in their own fold, not the hashed one: by tile.
        let overrides: [Int: [(cell: Int, fold: Int)]] = {
            guard case .random = folds.layout else { return [:] }
            var byTile: [Int: [(cell: Int, fold: Int)]] = [:]
            for (cell, f) in zip(folds.depositCells, folds.depositFolds) {
                let t = (cell / columns / tiling.tileRows) * tiling.across + (cell % columns) / tiling.tileColumns
                byTile[t, default: []].append((cell, f))
            }
            return byTile
        }()
        let state = TileQueue()
        let totals = Totals(empty)
        let workers = max(1, min(threads, tiling.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let reader = try StackReader(stack, tiling: tiling)
                let n = reader.tileCells
                let layers = stack.layers.count
                let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: n) }
                let gathered = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: n) }
                let scores = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
                defer {
                    (buffers + gathered).forEach { $0.deallocate() }
                    scores.deallocate()
                }
                let inputs = gathered.map { UnsafeBufferPointer($0) }
                var foldOf = [Int](repeating: 0, count: n)
                var positions = [Int](repeating: 0, count: n)
                var local = empty
                while let t = state.next(limit: tiling.count) {
                    let (window, stride) = try reader.read(tile: t, into: buffers)
                    // Each cell's fold, then the cells' buffer offsets sorted by fold.
                    var count = [Int](repeating: 0, count: k + 1)
                    for r in 0..<window.rows {
                        for c in 0..<window.columns {
                            let f = folds.fold(column: window.column + c, row: window.row + r)
                            foldOf[r * window.columns + c] = f
                            count[f + 1] += 1
                        }
                    }
                    for (cell, f) in overrides[t] ?? [] {
                        let i = (cell / columns - window.row) * window.columns + cell % columns - window.column
                        count[foldOf[i] + 1] -= 1
                        count[f + 1] += 1
                        foldOf[i] = f
                    }
                    for f in 0..<k { count[f + 1] += count[f] }
                    var next = count
                    for r in 0..<window.rows {
                        for c in 0..<window.columns {
                            let f = foldOf[r * window.columns + c]
                            positions[next[f]] = r * stride + c
                            next[f] += 1
                        }
                    }
                    for f in 0..<k where count[f + 1] > count[f] {
                        let m = count[f + 1] - count[f]
                        for j in 0..<layers {
                            let src = buffers[j]
                            let dst = gathered[j]
                            for i in 0..<m { dst[i] = src[positions[count[f] + i]] }
                        }
                        scorers[f].score(
                            layers: inputs, outputs: [UnsafeMutableBufferPointer(rebasing: scores[0..<m])], outputNodata: outputNodata)
                        let held = UnsafeBufferPointer(rebasing: scores[0..<m])
                        local[f].add(held) { $0 != outputNodata }
                        local[k].add(held) { $0 != outputNodata }
                    }
                    progress?.update(state.finished(), of: tiling.count)
                }
                try state.locked {
                    for f in local.indices { totals.accumulators[f].merge(local[f]) }
                }
            } catch {
                state.fail(error)
            }
        }
        progress?.finish()
        if let error = state.error { throw error }
        return totals.accumulators
    }

    /// The workers' counts, summed under `TileQueue.locked`.
    final class Totals: @unchecked Sendable {
        var accumulators: [ROCAccumulator]
        init(_ accumulators: [ROCAccumulator]) { self.accumulators = accumulators }
    }
}

extension Workflows {
    /// Cross-validates any method on evidence files and deposits (`CrossValidation.run`):
    /// knowledge-driven models first pick their layers, as in `train`.
    /// - Throws: `OptionError` without deposits; otherwise as `TrainingData.load` and
    ///   `CrossValidation.run`.
    public static func crossValidate(
        layers: [LayerSpec], deposits: VectorSource?, depositsCRS: String? = nil,
        depositSelection: DepositSelection = DepositSelection(), options: TrainingOptions, cv: CrossValidationOptions,
        legend: [String: [String: String]] = [:], progress: Bool = false
    ) throws -> CrossValidationResult {
        guard let deposits else {
            throw OptionError(.deposits, "cross-validation measures how models predict known deposits: give them")
        }
        // Categorical layers given directly bring their rasters' class names.
        let legend = RasterLegend.filling(legend, for: layers)
        var selected = layers
        var overlay: OverlayMethod.Selection?
        if options.method.isKnowledgeDriven {
            overlay = try OverlayMethod.select(layers: layers, method: options.method, options: options.overlay, legend: legend)
            selected = overlay!.layers
        }
        let data = try TrainingData.load(
            layers: selected, deposits: deposits, depositsCRS: depositsCRS, selection: depositSelection,
            missing: options.wofe.missing, required: 2, legend: legend, threads: options.threads)
        var result = try CrossValidation.run(data, options: options, cv: cv, overlay: overlay?.payload, progress: progress)
        if let overlay, !overlay.leftOut.isEmpty {
            let why = options.method == .fuzzy ? "not in the expression" : "no weight given"
            result.warnings.insert("left out of the model (\(why)): \(overlay.leftOut.joined(separator: ", "))", at: 0)
        }
        return result
    }
}

/// Hands tiles out to the workers of a pass in any order, and keeps the first error.
final class TileQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let sumLock = NSLock()
    private var nextTile = 0
    private var done = 0
    private(set) var error: Error?

    /// The next tile to do, or nil when all are taken or a worker failed.
    func next(limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, nextTile < limit else { return nil }
        nextTile += 1
        return nextTile - 1
    }

    /// Counts a finished tile; returns how many are finished.
    func finished() -> Int {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        return done
    }

    func fail(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }

    /// Runs `body` alone among the workers (to merge their counts).
    func locked(_ body: () throws -> Void) throws {
        sumLock.lock()
        defer { sumLock.unlock() }
        try body()
    }
}
