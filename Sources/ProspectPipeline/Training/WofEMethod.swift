import Foundation
import ProspectCore

/// Weights of evidence (Bonham-Carter 1994, ArcSDM's conventions): each layer's class weights
/// from one streaming pass of tallies, the prior from the deposits per unit cell, and a second
/// pass counting unique conditions for the Agterberg & Cheng (2002) conditional-independence test.
enum WofEMethod {
    static func fit(
        _ data: TrainingData, deposits: [TrainingData.DepositCell], area: TrainingArea, options: WofEOptions,
        threads: Int, progress: Progress?
    ) throws -> FittedModel {
        let stack = data.stack
        var summary = data.summary
        var warnings: [String] = []
        var parameters = [
            "unitCellKm2": String(options.unitCellKm2), "countDeposits": options.countDeposits.rawValue,
            "minDeposits": String(options.minimum.deposits), "minAreaPercent": String(options.minimum.areaPercent),
        ]
        for d in CumulativeTally.Direction.allCases {
            let names = options.cumulative.filter { $0.value == d }.keys.sorted()
            if !names.isEmpty { parameters[d.rawValue] = names.joined(separator: ",") }
        }
        if !options.thresholds.isEmpty {
            parameters["thresholds"] = options.thresholds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        }
        if !options.groups.isEmpty {
            parameters["groups"] = options.groups.sorted { $0.key < $1.key }
                .map { "\($0.key)=" + $0.value.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "/") }.joined(
                    separator: ";")
        }
        let unitCells = summary.cellAreaKm2 / options.unitCellKm2
        let trained = try weigh(
            data, deposits: deposits, area: area, options: options, unitCells: unitCells, threads: threads, progress: progress)
        let rows = trained.layerWeights.flatMap(\.rows)
        summary.validCells = trained.valid
        let totalArea = Double(trained.valid) * unitCells
        // N(D): deposit points or deposit cells (`WofEDepositCount`).
        let counted = deposits.reduce(0) { $0 + options.countDeposits.count(of: $1) }
        let prior = WeightsOfEvidence.priorLogit(totalArea: totalArea, totalDeposits: counted)
        summary.priorProbability = Double(counted) / totalArea
        summary.weights = rows
        summary.countDeposits = options.countDeposits
        summary.depositsCounted = counted
        if let crowded = rows.first(where: { Double($0.deposits) > $0.area && $0.deposits > 0 }) {
            let cells = options.countDeposits == .points ? " (or --count-deposits cells)" : ""
            warnings.append(
                "the unit cell (\(options.unitCellKm2) km²) is large for these deposits: \(crowded.layer) \(crowded.label) holds \(crowded.deposits) deposits in \(String(format: "%.3g", crowded.area)) unit cells, so some weights are undefined; choose a smaller --unit-cell-km2\(cells)"
            )
        }
        for (k, layer) in stack.layers.enumerated()
        where trained.automaticCut[k] && !trained.layerWeights[k].rows.contains(where: \.selected) {
            let m = options.minimum
            warnings.append(
                "\(layer.name): no cumulative class has defined weights, at least \(m.deposits) deposit\(m.deposits == 1 ? "" : "s") and \(WofEPatternMinimum.format(m.areaPercent)) % of the area, so the layer adds nothing; lower --min-deposits or --min-area-percent, or give --threshold \(layer.name)=VALUE"
            )
        }
        // Layers by the largest |studentized contrast| of their selected classes.
        let strength = trained.layerWeights.map { w in w.rows.filter(\.selected).map { abs($0.weights.studentizedContrast) }.max() ?? 0 }
        summary.layerRanking = zip(stack.layers.map(\.name), strength).sorted { $0.1 > $1.1 }.map(\.0)
        let terms = trained.layerWeights.map(\.term)
        var model = AdditiveModel(intercept: Float(prior), terms: terms, nodata: stack.nodata)
        var variance = WofEVariance(priorVariance: Float(1 / Double(counted)), terms: trained.layerWeights.map(\.variance))
        if options.missing == .unknown {
            model.missing = .unknown
            variance.missingClasses = trained.missingClasses
            parameters["missing"] = MissingDataRule.unknown.rawValue
        }
        // Agterberg & Cheng: a second pass counts the unique conditions.
        let nodata = stack.nodata
        let columns = stack.grid.columns
        let tallies = try CellStream.cells(of: stack, area: area, rule: options.missing, threads: threads) {
            UniqueConditionTally(terms: terms)
        } _: { conditions, tile, offsets in
            conditions.add(
                layers: tile.buffers, offsets: offsets, nodata: nodata, rowStride: tile.stride,
                origin: tile.window.row * columns + tile.window.column, gridColumns: columns)
        }.states
        var conditions = tallies[0]
        for t in tallies.dropFirst() { conditions.merge(t) }
        summary.conditionalIndependence = WofEConditionalIndependence.test(
            conditions: conditions.conditions(model: model, variance: variance, cellAreaInUnitCells: unitCells),
            deposits: counted)
        if let ci = summary.conditionalIndependence, !ci.independentAt95 {
            warnings.append(
                String(
                    format:
                        "conditional independence is rejected at 95 %% (Agterberg & Cheng: T = %.2f expected deposits for n = %d, s(T) = %.2f); the posterior probabilities are likely too high — drop or combine correlated layers",
                    ci.expected, ci.observed, ci.standardDeviation))
        }
        summary.pairwiseIndependence = pairwiseTests(
            trained.layerWeights, names: stack.layers.map(\.name),
            deposits: deposits.flatMap { d in Array(repeating: d.values, count: options.countDeposits.count(of: d)) })
        return FittedModel(
            payload: .weightsOfEvidence(model, variance: variance), parameters: parameters, summary: summary,
            warnings: warnings)
    }

    /// What the tallies gave for each layer.
    struct Weighed {
        var valid: Int
        var layerWeights: [WofELayerWeights]
        /// Per layer, its classes' weights and area fractions (for `MissingDataRule.unknown`).
        var missingClasses: [WofEMissingClasses]
        /// Per layer, true when the largest studentized contrast chose its cut (a continuous or
        /// cumulative layer without a threshold).
        var automaticCut: [Bool]
    }

    /// Counts every layer's classes in one streaming pass and computes each layer's weights:
    /// class weights (categorical, optionally grouped), cumulative classes generalized to a
    /// binary pattern (ascending/descending), or thresholds at the deposits' values (continuous).
    static func weigh(
        _ data: TrainingData, deposits: [TrainingData.DepositCell], area: TrainingArea, options: WofEOptions,
        unitCells: Double, threads: Int, progress: Progress?
    ) throws -> Weighed {
        let layers = data.stack.layers
        enum Mode { case categorical, cumulative(CumulativeTally.Direction), continuous }
        let modes: [Mode] = layers.map { layer in
            if let d = options.cumulative[layer.name] { return .cumulative(d) }
            return layer.kind == .categorical ? .categorical : .continuous
        }
        var categorical = [CategoricalTally](repeating: CategoricalTally(), count: layers.count)
        var cumulative = [CumulativeTally](repeating: CumulativeTally(), count: layers.count)
        let count = options.countDeposits
        for (k, layer) in layers.enumerated() where options.thresholds[layer.name] != nil {
            if case .categorical = modes[k] {
                throw OptionError(.threshold, layer: layer.name, TrainingSettings.categoricalThreshold(layer.name))
            }
        }
        var continuous = layers.indices.map { k -> ContinuousTally in
            guard case .continuous = modes[k] else { return ContinuousTally(depositValues: []) }
            return ContinuousTally(
                depositValues: deposits.flatMap { Array(repeating: $0.values[k], count: count.count(of: $0)) },
                extraThresholds: options.thresholds[layers[k].name].map { [$0] } ?? [])
        }
        for d in deposits {
            let n = count.count(of: d)
            for k in layers.indices where !d.values[k].isNaN {  // NaN: missing, MissingDataRule.unknown
                switch modes[k] {
                case .categorical: categorical[k].addDeposit(code: LayerTerm.code(of: d.values[k]), count: n)
                case .cumulative: cumulative[k].addDeposit(d.values[k], count: n)
                case .continuous: break
                }
            }
        }
        // Every worker counts its tiles into copies of the tallies; the counts add up alike in
        // any order, so the merged tallies are the same for any number of threads.
        let nodata = data.stack.nodata
        let zero = continuous
        let (valid, workers) = try CellStream.cells(
            of: data.stack, area: area, rule: options.missing, threads: threads, progress: progress
        ) {
            // Cells only: the deposits are in the tallies the workers' counts merge into.
            (
                categorical: [CategoricalTally](repeating: CategoricalTally(), count: layers.count),
                cumulative: [CumulativeTally](repeating: CumulativeTally(), count: layers.count), continuous: zero
            )
        } _: { tallies, tile, offsets in
            for k in layers.indices {
                let buffer = UnsafeBufferPointer(tile.buffers[k])
                switch modes[k] {
                case .categorical: tallies.categorical[k].add(buffer, at: offsets, nodata: nodata[k])
                case .cumulative: tallies.cumulative[k].add(buffer, at: offsets, nodata: nodata[k])
                case .continuous: tallies.continuous[k].add(buffer, at: offsets, nodata: nodata[k])
                }
            }
        }
        for w in workers {
            for k in layers.indices {
                switch modes[k] {
                case .categorical: categorical[k].merge(w.categorical[k])
                case .cumulative: cumulative[k].merge(w.cumulative[k])
                case .continuous: continuous[k].merge(w.continuous[k])
                }
            }
        }
        var all: [WofELayerWeights] = []
        var missingClasses: [WofEMissingClasses] = []
        var automaticCut: [Bool] = []
        for (k, layer) in layers.enumerated() {
            var w: WofELayerWeights
            let dataCells: Int
            let threshold = options.thresholds[layer.name]
            if case .categorical = modes[k] { automaticCut.append(false) } else { automaticCut.append(threshold == nil) }
            switch modes[k] {
            case .categorical:
                w = categorical[k].layerWeights(layer: layer.name, cellAreaInUnitCells: unitCells, groups: options.groups[layer.name] ?? [])
                dataCells = categorical[k].cellCount
            case .cumulative(let direction):
                guard !cumulative[k].overflow else {
                    throw PipelineError(
                        layer.path,
                        "more than \(CumulativeTally.maximumClasses) distinct values: --\(direction.rawValue) takes every value as a class; reclassify it first (--transform \(layer.name)=reclass:breaks=…) or give it as --evidence"
                    )
                }
                let generalization: WofEGeneralization = threshold.map { .threshold($0) } ?? .maxStudentizedContrast
                do {
                    w = try cumulative[k].layerWeights(
                        layer: layer.name, direction: direction, cellAreaInUnitCells: unitCells,
                        generalization: generalization, minimum: options.minimum)
                } catch let error as WofEGeneralizationError {
                    throw PipelineError(layer.path, "--threshold \(layer.name): \(error)")
                }
                dataCells = cumulative[k].cellCount
            case .continuous:
                if let threshold {
                    do {
                        w = try continuous[k].layerWeights(
                            layer: layer.name, cellAreaInUnitCells: unitCells, minimum: options.minimum, threshold: threshold)
                    } catch let error as WofEGeneralizationError {
                        throw PipelineError(layer.path, "--threshold \(layer.name): \(error)")
                    }
                } else {
                    w = continuous[k].layerWeights(layer: layer.name, cellAreaInUnitCells: unitCells, minimum: options.minimum)
                }
                dataCells = continuous[k].cellCount
            }
            // Class names from the layer's legend (a rasterized field, a raster's categories).
            if let names = data.legend[layer.name] {
                for i in w.rows.indices { if let code = w.rows[i].code, let name = names[String(code)] { w.rows[i].label = name } }
            }
            missingClasses.append(w.missingClasses(dataCells: dataCells))
            all.append(w)
        }
        return Weighed(valid: valid, layerWeights: all, missingClasses: missingClasses, automaticCut: automaticCut)
    }

    /// Chi-square tests of independence on the deposit cells for every pair of layers with
    /// more than one generalized class among the deposits (Bonham-Carter 1994, p. 312).
    static func pairwiseTests(_ layers: [WofELayerWeights], names: [String], deposits: [[Float]]) -> [WofEPairwiseTest] {
        // A deposit missing in a layer (NaN, MissingDataRule.unknown) is left out of that layer's pairs.
        let classes = layers.indices.map { k in deposits.map { $0[k].isNaN ? nil : layers[k].generalizedClass(of: $0[k]) } }
        var tests: [WofEPairwiseTest] = []
        for i in layers.indices {
            for j in layers.indices where j > i {
                let both = deposits.indices.filter { classes[i][$0] != nil && classes[j][$0] != nil }
                let a = both.map { classes[i][$0]! }
                let b = both.map { classes[j][$0]! }
                guard Set(a).count > 1, Set(b).count > 1 else { continue }
                tests.append(WofEPairwiseTest.test(layerA: names[i], a, layerB: names[j], b))
            }
        }
        return tests
    }
}

extension WofEDepositCount {
    /// The deposits a deposit cell adds: its points, or one.
    func count(of cell: TrainingData.DepositCell) -> Int { self == .points ? cell.ids.count : 1 }
}

extension WofELayerWeights {
    /// The layer's classes for the missing-data variance: a binary layer's W+ and W− with the
    /// pattern's share of the layer's data cells and the rest; a class layer's generalized
    /// weight and share per class. A layer with no selected pattern has none.
    func missingClasses(dataCells: Int) -> WofEMissingClasses {
        guard dataCells > 0 else { return WofEMissingClasses(weights: [], fractions: []) }
        let total = Double(dataCells)
        switch term {
        case .step:
            guard let row = rows.first(where: \.selected) else { return WofEMissingClasses(weights: [], fractions: []) }
            let inside = Double(row.cells) / total
            return WofEMissingClasses(weights: [row.weights.wPlus, row.weights.wMinus], fractions: [inside, 1 - inside])
        case .lookup:
            let classes = rows.filter { $0.cells > 0 }
            return WofEMissingClasses(
                weights: classes.map { $0.generalizedWeight ?? $0.weights.wPlus },
                fractions: classes.map { Double($0.cells) / total })
        case .linear:
            return WofEMissingClasses(weights: [], fractions: [])
        }
    }
}
