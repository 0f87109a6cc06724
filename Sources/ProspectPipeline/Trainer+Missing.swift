import Foundation
import ProspectCore

extension Trainer {
    /// Streams the stack tile by tile and calls `each` for every valid layer value of every cell
    /// where at least one layer is valid, and `sample` once per such cell: the training area of
    /// `MissingDataRule.unknown`. Returns the count of such cells.
    static func streamCellsWithData(stack: EvidenceStack, progress: Progress?,
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
                    var any = false
                    for k in buffers.indices {
                        let x = buffers[k][o]
                        guard !x.isNaN && x != nodata[k] else { continue }
                        any = true
                        each(k, x)
                    }
                    guard any else { continue }
                    count += 1
                    sample(Cell(index: (window.row + r) * stack.grid.columns + window.column + c, buffers: buffers, offset: o))
                }
            }
            progress?.update(t + 1, of: tiling.count)
        }
        progress?.finish()
        try validity.check(stack)
        return count
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
