import Foundation
import ProspectCore

extension Trainer {
    /// What weights-of-evidence training found for each layer.
    struct WofETraining {
        var valid: Int
        var layerWeights: [WofELayerWeights]
        var terms: [LayerTerm] { layerWeights.map(\.term) }
        var variances: [LayerTerm] { layerWeights.map(\.variance) }
        var rows: [WofEClassRow]
        /// Layer name and the largest |studentized contrast| of its selected classes.
        var strength: [(String, Double)]
        /// Per layer, its classes' weights and area fractions (for `MissingDataRule.unknown`).
        var missingClasses: [WofEMissingClasses]
    }

    /// Counts every layer's classes in one streaming pass and computes each layer's weights:
    /// class weights (categorical, optionally grouped), cumulative classes generalized to a
    /// binary pattern (ascending/descending), or thresholds at the deposits' values
    /// (continuous).
    static func trainWofE(stack: EvidenceStack, usable: [Int: [Float]], options: TrainingOptions, unitCells: Double,
                          legend: [String: [String: String]], progress: Progress?) throws -> WofETraining {
        let layers = stack.layers
        enum Mode { case categorical, cumulative(CumulativeTally.Direction), continuous }
        let modes: [Mode] = layers.map { layer in
            if let d = options.wofe.cumulative[layer.name] { return .cumulative(d) }
            return layer.kind == .categorical ? .categorical : .continuous
        }
        var categorical = [CategoricalTally](repeating: CategoricalTally(), count: layers.count)
        var cumulative = [CumulativeTally](repeating: CumulativeTally(), count: layers.count)
        var continuous = layers.indices.map { k -> ContinuousTally in
            if case .continuous = modes[k] { return ContinuousTally(depositValues: usable.values.map { $0[k] }) }
            return ContinuousTally(depositValues: [])
        }
        for values in usable.values {
            for k in layers.indices where !values[k].isNaN {  // NaN: missing, MissingDataRule.unknown
                switch modes[k] {
                case .categorical: categorical[k].addDeposit(code: Int32(values[k].rounded()))
                case .cumulative: cumulative[k].addDeposit(values[k])
                case .continuous: break
                }
            }
        }
        let stream = options.wofe.missing == .unknown ? streamCellsWithData : streamValidCells
        let valid = try stream(stack, progress, { k, value in
            switch modes[k] {
            case .categorical: categorical[k].add(code: Int32(value.rounded()))
            case .cumulative: cumulative[k].add(value)
            case .continuous: continuous[k].add(value)
            }
        }, { _ in })
        var all: [WofELayerWeights] = []
        var rows: [WofEClassRow] = []
        var strength: [(String, Double)] = []
        var missingClasses: [WofEMissingClasses] = []
        for (k, layer) in layers.enumerated() {
            var w: WofELayerWeights
            switch modes[k] {
            case .categorical:
                w = categorical[k].layerWeights(layer: layer.name, cellAreaInUnitCells: unitCells,
                                                groups: options.wofe.groups[layer.name] ?? [])
            case .cumulative(let direction):
                guard !cumulative[k].overflow else {
                    throw PipelineError(layer.path, "more than \(CumulativeTally.maximumClasses) distinct values: --\(direction.rawValue) takes every value as a class; reclassify it first (--transform \(layer.name)=reclass:breaks=…) or give it as --evidence")
                }
                let generalization: WofEGeneralization = options.wofe.thresholds[layer.name].map { .threshold($0) } ?? .maxStudentizedContrast
                do {
                    w = try cumulative[k].layerWeights(layer: layer.name, direction: direction,
                                                       cellAreaInUnitCells: unitCells, generalization: generalization)
                } catch let error as WofEGeneralizationError {
                    throw PipelineError(layer.path, "--threshold \(layer.name): \(error)")
                }
            case .continuous:
                w = continuous[k].layerWeights(layer: layer.name, cellAreaInUnitCells: unitCells)
            }
            // Class names from the layer's legend (a rasterized field, a raster's categories).
            if let names = legend[layer.name] {
                for i in w.rows.indices { if let code = w.rows[i].code, let name = names[String(code)] { w.rows[i].label = name } }
            }
            let dataCells: Int
            switch modes[k] {
            case .categorical: dataCells = categorical[k].cellCount
            case .cumulative: dataCells = cumulative[k].cellCount
            case .continuous: dataCells = continuous[k].cellCount
            }
            missingClasses.append(w.missingClasses(dataCells: dataCells))
            all.append(w)
            rows += w.rows
            strength.append((layer.name, w.rows.filter(\.selected).map { abs($0.weights.studentizedContrast) }.max() ?? 0))
        }
        return WofETraining(valid: valid, layerWeights: all, rows: rows, strength: strength, missingClasses: missingClasses)
    }

    /// Chi-square tests of independence on the deposit cells for every pair of layers with
    /// more than one generalized class among the deposits.
    static func pairwiseTests(_ layers: [WofELayerWeights], names: [String], deposits: [[Float]]) -> [WofEPairwiseTest] {
        // A deposit missing in a layer (NaN, MissingDataRule.unknown) is left out of that layer's pairs.
        let classes = layers.indices.map { k in deposits.map { $0[k].isNaN ? nil : layers[k].generalizedClass(of: $0[k]) } }
        var tests: [WofEPairwiseTest] = []
        for i in layers.indices {
            for j in layers.indices where j > i {
                let both = deposits.indices.filter { classes[i][$0] != nil && classes[j][$0] != nil }
                let a = both.map { classes[i][$0]! }, b = both.map { classes[j][$0]! }
                guard Set(a).count > 1, Set(b).count > 1 else { continue }
                tests.append(WofEPairwiseTest.test(layerA: names[i], a, layerB: names[j], b))
            }
        }
        return tests
    }
}
