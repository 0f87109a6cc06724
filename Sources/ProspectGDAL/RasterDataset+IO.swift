internal import CGDAL
public import ProspectCore

extension RasterDataset {
    /// Reads a window of `band` as 32-bit floats, row-major, `window.columns` wide.
    ///
    /// The corresponding C function is `GDALRasterIO` with `GF_Read` and `GDT_Float32`.
    /// - Parameters:
    ///   - band: 1-based band index.
    ///   - window: the cells to read; must lie inside the raster.
    ///   - buffer: at least `window.cellCount` elements.
    /// - Throws: `GDALError` "read failed at window …" (out-of-range window, corrupt or truncated file).
    public func read(band: Int = 1, window: Window, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        precondition(buffer.count >= window.cellCount, "buffer holds \(buffer.count) cells, window needs \(window.cellCount)")
        try rasterIO(GF_Read, band: band, window: window, buffer: UnsafeMutableRawPointer(buffer.baseAddress), failure: "read")
    }

    /// Writes a window of `band` from 32-bit floats, row-major, `window.columns` wide.
    ///
    /// The corresponding C function is `GDALRasterIO` with `GF_Write` and `GDT_Float32`.
    /// - Throws: `GDALError` "write failed at window …".
    public func write(band: Int = 1, window: Window, from buffer: UnsafeBufferPointer<Float>) throws {
        precondition(buffer.count >= window.cellCount, "buffer holds \(buffer.count) cells, window needs \(window.cellCount)")
        // GF_Write only reads the buffer.
        try rasterIO(GF_Write, band: band, window: window, buffer: UnsafeMutableRawPointer(mutating: buffer.baseAddress), failure: "write")
    }

    /// One `GDALRasterIO` call over `window` of `band`, Float32 cells `window.columns` wide.
    /// - Throws: `GDALError` "`failure` failed at window …".
    private func rasterIO(_ access: GDALRWFlag, band: Int, window: Window, buffer: UnsafeMutableRawPointer?, failure: String) throws {
        guard window.cellCount > 0 else { return }
        try withBand(band) { b in
            CPL.reset()
            let err = GDALRasterIO(
                b, access, Int32(window.column), Int32(window.row), Int32(window.columns), Int32(window.rows),
                buffer, Int32(window.columns), Int32(window.rows), GDT_Float32, 0, 0)  // CE_None on success
            guard err == CE_None else {
                throw GDALError(path: path, message: "\(failure) failed at window \(window): \(CPL.lastMessage)")
            }
        }
    }

    /// Reads one natural block of `band` in its native cell type.
    ///
    /// The buffer must hold `blockSize.columns × blockSize.rows × dataType.byteSize` bytes;
    /// edge blocks are full size, with the cells outside the raster as GDAL leaves them.
    /// The corresponding C function is `GDALReadBlock`.
    /// - Throws: `GDALError` "read failed at block …".
    public func readBlock(band: Int = 1, blockColumn: Int, blockRow: Int, into buffer: UnsafeMutableRawPointer) throws {
        try withBand(band) { b in
            CPL.reset()
            guard GDALReadBlock(b, Int32(blockColumn), Int32(blockRow), buffer) == CE_None else {  // CE_None on success
                throw GDALError(path: path, message: "read failed at block (\(blockColumn), \(blockRow)): \(CPL.lastMessage)")
            }
        }
    }

    /// Writes one natural block of `band` in its native cell type.
    ///
    /// The corresponding C function is `GDALWriteBlock`.
    /// - Throws: `GDALError` "write failed at block …".
    public func writeBlock(band: Int = 1, blockColumn: Int, blockRow: Int, from buffer: UnsafeMutableRawPointer) throws {
        try withBand(band) { b in
            CPL.reset()
            guard GDALWriteBlock(b, Int32(blockColumn), Int32(blockRow), buffer) == CE_None else {  // CE_None on success
                throw GDALError(path: path, message: "write failed at block (\(blockColumn), \(blockRow)): \(CPL.lastMessage)")
            }
        }
    }

    /// The number of blocks across and down `band`.
    public func blockCount(band: Int = 1) -> (columns: Int, rows: Int) {
        let size = blockSize(band: band)
        let h = openHandle
        let w = Int(GDALGetRasterXSize(h))
        let r = Int(GDALGetRasterYSize(h))
        return ((w + size.columns - 1) / size.columns, (r + size.rows - 1) / size.rows)
    }

    /// The value of one cell as Float (a 1 × 1 `GDALRasterIO` read).
    public func value(band: Int = 1, column: Int, row: Int) throws -> Float {
        var v: Float = 0
        try withUnsafeMutablePointer(to: &v) {
            try read(
                band: band, window: Window(column: column, row: row, columns: 1, rows: 1),
                into: UnsafeMutableBufferPointer(start: $0, count: 1))
        }
        return v
    }
}
