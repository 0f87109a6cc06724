import Foundation
import ProspectCore
import ProspectGDAL

extension EvidenceStack {
    /// Refuses a categorical layer whose values (after its transforms) are not whole numbers:
    /// a class code of 0.37 would be taken as class 0, silently. Only layers of a floating-point
    /// type are read (an integer raster holds whole numbers); the read stops at the first
    /// fractional value, and is one pass over the layer when there is none.
    ///
    /// - Throws: `PipelineError` naming the file: "categorical layer grav holds non-integer
    ///   values (e.g. 0.37); …".
    public func checkCategoricalCodes() throws {
        for k in layers.indices where layers[k].kind == .categorical && (dataTypes[k] == .float32 || dataTypes[k] == .float64) {
            if let value = try firstFraction(layer: k) {
                throw PipelineError(
                    layers[k].path,
                    "categorical layer \(Echo.short(layers[k].name)) holds non-integer values (e.g. \(String(format: "%g", value))); class codes are whole numbers: round the raster first, or give it as a continuous layer"
                )
            }
        }
    }

    /// The first cell value of layer `k` (transforms applied) that has a fractional part.
    func firstFraction(layer k: Int) throws -> Float? {
        let dataset = try RasterDataset.open(layers[k].path)
        let chain = layers[k].transforms
        let rows = max(1, min(grid.rows, (1 << 20) / max(grid.columns, 1)))
        let capacity = rows * grid.columns
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var row = 0
        while row < grid.rows {
            let window = Window(column: 0, row: row, columns: grid.columns, rows: min(rows, grid.rows - row))
            let part = UnsafeMutableBufferPointer(rebasing: buffer[0..<window.cellCount])
            try dataset.read(window: window, into: part)
            if !chain.isEmpty { TransformKernel.apply(chain, part, nodata: fileNodata[k]) }
            let nodata = chain.isEmpty ? fileNodata[k] : .nan
            for v in part where v.isFinite && v != nodata && v != v.rounded() { return v }
            row += window.rows
        }
        return nil
    }
}
