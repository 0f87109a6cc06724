import Foundation
import ProspectCore
import ProspectGDAL

/// The result of training: the model file and the tables to print.
public struct TrainingResult: Sendable {
    public var model: ModelFile
    /// Deposit identifiers skipped, with the reason.
    public var skipped: [(id: String, reason: String)]
    /// Things the user should know about the fit (printed before the tables).
    public var warnings: [String] = []
}

/// Trains a model from an evidence stack and deposit points.
///
/// The training area is every cell where all layers hold a valid value (the same rule as
/// scoring). Deposits outside the grid or on a missing cell are reported and left out; several
/// deposits in one cell count once (each deposit occupies a unit cell, as in ArcSDM).
public enum Trainer {
    public static func train(stack: EvidenceStack, deposits: DepositSet, options: TrainingOptions,
                             modelPath: String, legend: [String: [String: String]] = [:],
                             progress: Progress? = nil) throws -> TrainingResult {
        let grid = stack.grid
        let model = AdditiveModel(intercept: 0, terms: stack.layers.map { _ in .linear(coefficient: 0, center: 0) },
                                  nodata: stack.nodata)
        // Deposit values, read cell by cell.
        var skipped: [(id: String, reason: String)] = deposits.outside.map { ($0, "outside the evidence grid") }
        var depositValues: [Int: [Float]] = [:]   // cell index → values per layer
        var sharing = 0, onNodata = 0
        let datasets = try stack.layers.map { try RasterDataset.open($0.path) }
        for d in deposits.inside {
            if depositValues[d.cellIndex] != nil { sharing += 1; continue }
            var values: [Float] = []
            var missing: String?
            for (k, ds) in datasets.enumerated() {
                let v = try stack.value(of: k, in: ds, column: d.column, row: d.row)
                if !model.isValid(v, layer: k) {
                    if options.wofe.missing == .unknown { values.append(.nan); continue }
                    missing = "on a nodata cell of layer \(stack.layers[k].name)"; break
                }
                values.append(v)
            }
            if options.wofe.missing == .unknown, !values.contains(where: { !$0.isNaN }) { missing = "on a cell where every layer is nodata" }
            if let missing {
                skipped.append((d.id, missing))
                onNodata += 1
                depositValues[d.cellIndex] = []
            } else {
                depositValues[d.cellIndex] = values
            }
        }
        let usable = depositValues.filter { !$0.value.isEmpty }
        if usable.isEmpty {
            // Every deposit is on a gap: name a layer that has no data at all, if there is one.
            for (k, ds) in datasets.enumerated() where try ds.statistics(approximate: false) == nil {
                throw PipelineError(stack.layers[k].path, "every cell is nodata")
            }
        }
        for ds in datasets { try ds.close() }
        guard usable.count >= 2 else {
            throw PipelineError(deposits.path, "only \(usable.count) deposit(s) fall on cells where \(options.wofe.missing == .unknown ? "some" : "every") layer has data; at least 2 are needed")
        }
        let (cellAreaKm2, approximateArea) = CellArea.km2(of: grid)
        var parameters: [String: String] = [:]
        var summary = TrainingSummary(validCells: 0, cellAreaKm2: cellAreaKm2, depositsGiven: deposits.given,
                                      depositsUsed: usable.count, depositsOutsideGrid: deposits.outside.count,
                                      depositsOnNodata: onNodata, depositsSharingCell: sharing, layerRanking: [])
        let additive: AdditiveModel
        var wofeVariance: WofEVariance?
        var warnings: [String] = []
        if approximateArea {
            warnings.append("the grid is in degrees (\(grid.crsName.isEmpty ? "geographic CRS" : grid.crsName)); areas use the cell size at its central latitude (\(String(format: "%.4g", cellAreaKm2)) km²); reproject to an equal-area or projected grid for exact areas")
        }
        if let assumed = deposits.assumedCRS {
            warnings.append("\(deposits.path) declares no CRS; its coordinates were taken to be in \(assumed) as asked")
        }
        switch options.method {
        case .rf, .gbt:
            var result = try TreeTrainer.train(stack: stack, deposits: usable, options: options, summary: summary,
                                               parameters: parameters, warnings: warnings, modelPath: modelPath,
                                               legend: legend, depositsPath: deposits.path, progress: progress)
            result.skipped = skipped
            return result
        case .wofe:
            parameters["unitCellKm2"] = String(options.wofe.unitCellKm2)
            for d in CumulativeTally.Direction.allCases {
                let names = options.wofe.cumulative.filter { $0.value == d }.keys.sorted()
                if !names.isEmpty { parameters[d.rawValue] = names.joined(separator: ",") }
            }
            if !options.wofe.thresholds.isEmpty {
                parameters["thresholds"] = options.wofe.thresholds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            }
            if !options.wofe.groups.isEmpty {
                parameters["groups"] = options.wofe.groups.sorted { $0.key < $1.key }
                    .map { "\($0.key)=" + $0.value.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "/") }.joined(separator: ";")
            }
            let unitCells = cellAreaKm2 / options.wofe.unitCellKm2
            let trained = try trainWofE(stack: stack, usable: usable, options: options, unitCells: unitCells,
                                        legend: legend, progress: progress)
            let (valid, terms, variances, rows, strength) = (trained.valid, trained.terms, trained.variances, trained.rows, trained.strength)
            summary.validCells = valid
            let totalArea = Double(valid) * unitCells
            let prior = WeightsOfEvidence.priorLogit(totalArea: totalArea, totalDeposits: usable.count)
            summary.priorProbability = Double(usable.count) / totalArea
            summary.weights = rows
            if let crowded = rows.first(where: { Double($0.deposits) > $0.area && $0.deposits > 0 }) {
                warnings.append("the unit cell (\(options.wofe.unitCellKm2) km²) is large for these deposits: \(crowded.layer) \(crowded.label) holds \(crowded.deposits) deposits in \(String(format: "%.3g", crowded.area)) unit cells, so some weights are undefined; choose a smaller --unit-cell-km2")
            }
            summary.layerRanking = strength.sorted { $0.1 > $1.1 }.map(\.0)
            var wofe = AdditiveModel(intercept: Float(prior), terms: terms, nodata: stack.nodata)
            var variance = WofEVariance(priorVariance: Float(1 / Double(usable.count)), terms: variances)
            if options.wofe.missing == .unknown {
                wofe.missing = .unknown
                variance.missingClasses = trained.missingClasses
                parameters["missing"] = MissingDataRule.unknown.rawValue
            }
            additive = wofe
            wofeVariance = variance
            // Agterberg & Cheng: a second pass counts the unique conditions.
            var conditions = UniqueConditionTally(terms: terms)
            try streamConditions(stack: stack, missing: options.wofe.missing) { conditions.add($0) }
            summary.conditionalIndependence = WofEConditionalIndependence.test(
                conditions: conditions.conditions(model: additive, variance: variance, cellAreaInUnitCells: unitCells),
                deposits: usable.count)
            if let ci = summary.conditionalIndependence, !ci.independentAt95 {
                warnings.append(String(format: "conditional independence is rejected at 95 %% (Agterberg & Cheng: T = %.2f expected deposits for n = %d, s(T) = %.2f); the posterior probabilities are likely too high — drop or combine correlated layers", ci.expected, ci.observed, ci.standardDeviation))
            }
            summary.pairwiseIndependence = pairwiseTests(trained.layerWeights, names: stack.layers.map(\.name),
                                                         deposits: usable.keys.sorted().map { usable[$0]! })
        case .logistic:
            parameters["l2"] = String(options.logistic.l2)
            parameters["backgroundSample"] = String(options.sampling.size)
            parameters["seed"] = String(options.sampling.seed)
            // Background: every valid non-deposit cell, or a seeded reservoir sample of them.
            var rng = SplitMix64(seed: options.sampling.seed)
            let limit = options.sampling.size > 0 ? options.sampling.size : Int.max
            var background: [[Float]] = []
            var seen = 0
            let depositCells = Set(usable.keys)
            let valid = try streamValidCells(stack: stack, progress: progress) { _, _ in } sample: { cell in
                guard !depositCells.contains(cell.index) else { return }
                seen += 1
                if background.count < limit {
                    background.append(cell.values())
                } else {
                    let j = Int(rng.next() % UInt64(seen))
                    if j < limit { background[j] = cell.values() }
                }
            }
            summary.validCells = valid
            let samples = usable.keys.sorted().map { usable[$0]! } + background
            let labels = [Bool](repeating: true, count: usable.count) + [Bool](repeating: false, count: background.count)
            let design = LogisticDesign(layerNames: stack.layers.map(\.name), kinds: stack.layers.map(\.kind), samples: samples)
            var (fit, fitted, rows) = design.fit(labels: labels, l2: options.logistic.l2)
            // A background sample scales the odds by (sample / all background): undo it so the
            // output is a per-cell probability (King & Zeng 2001, prior correction).
            if background.count < seen {
                fitted.intercept += Float(log(Double(background.count) / Double(seen)))
            }
            fitted.nodata = stack.nodata
            summary.coefficients = rows
            summary.backgroundCells = background.count
            summary.converged = fit.converged
            if !fit.converged { warnings.append("logistic regression did not converge in \(fit.iterations) iterations; try a larger --l2") }
            summary.iterations = fit.iterations
            var strength: [String: Double] = [:]
            for r in rows { strength[r.layer] = max(strength[r.layer] ?? 0, abs(r.z)) }
            summary.layerRanking = stack.layers.map(\.name).sorted { (strength[$0] ?? 0) > (strength[$1] ?? 0) }
            additive = fitted
        case .fuzzy, .index:
            preconditionFailure("knowledge-driven models are made by Workflows.trainOverlay")
        }
        let modelDir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        let layers = stack.layers.map {
            ModelLayer(name: $0.name, path: RelativePath.make($0.path, from: modelDir), kind: $0.kind,
                       transforms: $0.transforms, legend: legend[$0.name])
        }
        let payload: ModelPayload = options.method == .wofe ? .weightsOfEvidence(additive, variance: wofeVariance) : .logistic(additive)
        let file = ModelFile(tool: ProspectVersion.tool, created: ISO8601DateFormatter().string(from: Date()),
                             layers: layers, payload: payload,
                             parameters: parameters, training: summary)
        return TrainingResult(model: file, skipped: skipped, warnings: warnings)
    }

    /// A valid cell seen while streaming.
    struct Cell {
        var index: Int
        var buffers: [UnsafeMutableBufferPointer<Float>]
        var offset: Int
        func values() -> [Float] { buffers.map { $0[offset] } }
    }

    /// Streams the stack tile by tile and calls `each` for every layer value of every cell
    /// where all layers are valid, and `sample` once per such cell. Returns the count of such cells.
    static func streamValidCells(stack: EvidenceStack, progress: Progress?,
                                 each: (Int, Float) -> Void, sample: (Cell) -> Void) throws -> Int {
        try streamCells(stack: stack, progress: progress, rule: .nodata, each: each, sample: sample)
    }

    /// The training area under `rule`, tile by tile: `.nodata` takes the cells where every layer
    /// is valid and calls `each` for all their values; `.unknown` takes the cells where any layer
    /// is valid and calls `each` for their valid values only. `sample` is called once per cell
    /// taken; returns their count.
    static func streamCells(stack: EvidenceStack, progress: Progress?, rule: MissingDataRule,
                            each: (Int, Float) -> Void, sample: (Cell) -> Void) throws -> Int {
        let tiling = stack.tiling
        let reader = try StackReader(stack, tiling: tiling)
        let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
        defer { buffers.forEach { $0.deallocate() } }
        let nodata = stack.nodata
        var count = 0
        var validity = ValidityCheck(stack)
        for t in 0..<tiling.count {
            let (window, stride) = try reader.read(tile: t, into: buffers)
            validity.note(buffers, window: window, stride: stride)
            for r in 0..<window.rows {
                for c in 0..<window.columns {
                    let o = r * stride + c
                    var valid = 0
                    for k in buffers.indices {
                        let x = buffers[k][o]
                        if !x.isNaN && x != nodata[k] { valid += 1 }
                    }
                    guard rule == .unknown ? valid > 0 : valid == buffers.count else { continue }
                    count += 1
                    for k in buffers.indices {
                        let x = buffers[k][o]
                        if !x.isNaN && x != nodata[k] { each(k, x) }
                    }
                    sample(Cell(index: (window.row + r) * stack.grid.columns + window.column + c, buffers: buffers, offset: o))
                }
            }
            progress?.update(t + 1, of: tiling.count)
        }
        progress?.finish()
        try validity.check(stack)
        return count
    }
}

/// Fills the parameters that transforms take from the data (min–max, z-score, fuzzy
/// midpoints) from each layer's own valid cells, after the transforms before them.
public enum TransformResolver {
    public static func resolve(_ layers: [LayerSpec], progress: Progress? = nil) throws -> [LayerSpec] {
        var out = layers
        for k in layers.indices {
            var chain = layers[k].transforms
            for i in chain.indices where chain[i].needsStatistics {
                var spec = layers[k]
                spec.transforms = Array(chain[0..<i])
                let stack = try EvidenceStack.open([spec])
                let tiling = stack.tiling
                let reader = try StackReader(stack, tiling: tiling)
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells)
                defer { buffer.deallocate() }
                var accumulator = StatisticsAccumulator()
                let nodata = stack.nodata[0]
                for t in 0..<tiling.count {
                    let (window, stride) = try reader.read(tile: t, into: [buffer])
                    for r in 0..<window.rows {
                        for c in 0..<window.columns {
                            let v = buffer[r * stride + c]
                            if !v.isNaN && v != nodata { accumulator.add(v) }
                        }
                    }
                }
                guard let stats = accumulator.statistics else {
                    throw PipelineError(spec.path, "every cell is nodata\(i > 0 ? " after \(chain[0..<i].map(\.description).joined(separator: ", "))" : ""), so \(chain[i]) has nothing to take its parameters from")
                }
                chain[i] = chain[i].resolved(with: stats)
            }
            out[k].transforms = chain
        }
        return out
    }
}

/// Relative paths between files, so a model and its layers can move together.
public enum RelativePath {
    /// `path` relative to `directory` when both are on the same tree, else the absolute path.
    public static func make(_ path: String, from directory: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var i = 0
        while i < min(target.count, base.count), target[i] == base[i] { i += 1 }
        guard i > 1 else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return (Array(repeating: "..", count: base.count - i) + target[i...]).joined(separator: "/")
    }

    /// Resolves a path stored relative to `directory`.
    public static func resolve(_ path: String, from directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}
