import Foundation
import ProspectCore

extension Trainer {
    /// Streams the stack tile by tile and calls `each` for every valid layer value of every cell
    /// where at least one layer is valid, and `sample` once per such cell: the training area of
    /// `MissingDataRule.unknown`. Returns the count of such cells.
    static func streamCellsWithData(stack: EvidenceStack, progress: Progress?,
                                    each: (Int, Float) -> Void, sample: (Cell) -> Void) throws -> Int {
        try streamCells(stack: stack, progress: progress, rule: .unknown, each: each, sample: sample)
    }

    /// Calls `add` with each training cell's value accessor for the conditional-independence
    /// tally: cells where every layer is valid, or under `.unknown` every cell with data, its
    /// missing layers read as NaN.
    static func streamConditions(stack: EvidenceStack, missing: MissingDataRule,
                                 add: ((Int) -> Float) -> Void) throws {
        if missing == .unknown {
            let nodata = stack.nodata
            _ = try streamCellsWithData(stack: stack, progress: nil) { _, _ in } sample: { cell in
                add { k in
                    let x = cell.buffers[k][cell.offset]
                    return x == nodata[k] ? .nan : x
                }
            }
        } else {
            _ = try streamValidCells(stack: stack, progress: nil) { _, _ in } sample: { cell in
                add { cell.buffers[$0][cell.offset] }
            }
        }
    }
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
            return WofEMissingClasses(weights: classes.map { $0.generalizedWeight ?? $0.weights.wPlus },
                                      fractions: classes.map { Double($0.cells) / total })
        case .linear:
            return WofEMissingClasses(weights: [], fractions: [])
        }
    }
}
