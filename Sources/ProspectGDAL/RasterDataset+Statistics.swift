internal import CGDAL

extension RasterDataset {
    /// Minimum, maximum, mean and population standard deviation of the valid cells of `band`
    /// (not nodata, not NaN).
    ///
    /// Computed here from `GDALRasterIO` reads in strips of rows, as 64-bit floats, rather than
    /// with `GDALComputeRasterStatistics`: in GDAL 3.6 that function always stores its result
    /// through PAM, which writes an `.aux.xml` side-car next to a read-only GeoTIFF, and
    /// `GDAL_PAM_ENABLED` cannot stop it once the dataset is open.
    /// - Parameters:
    ///   - band: 1-based band index.
    ///   - approximate: when the band has more than 4 194 304 cells, use a nearest-neighbour
    ///     view of at most 2048 × 2048 cells (GDAL reads overviews when present).
    /// - Returns: nil when no cell is valid.
    /// - Throws: `GDALError` when the cells cannot be read.
    public func statistics(band: Int = 1, approximate: Bool = false) throws -> (min: Double, max: Double, mean: Double, stdDev: Double)? {
        let h = openHandle
        let columns = Int(GDALGetRasterXSize(h))
        let rows = Int(GDALGetRasterYSize(h))
        let nodataValue = nodata(band: band)
        let isFloat32 = dataType(band: band) == .float32
        var accumulator = Moments()
        let limit = 2048
        let decimate = approximate && columns * rows > limit * limit
        let outColumns = decimate ? min(columns, limit) : columns
        let outRows = decimate ? min(rows, limit) : rows
        // Strips of about 1 Mi cells, whole rows, aligned to source rows.
        let stripRows = max(1, min(outRows, (1 << 20) / max(outColumns, 1)))
        var buffer = [Double](repeating: 0, count: stripRows * outColumns)
        try withBand(band) { b in
            var outRow = 0
            while outRow < outRows {
                let n = min(stripRows, outRows - outRow)
                // Source rows covered by output rows outRow..<outRow+n.
                let sourceRow = outRow * rows / outRows
                let sourceEnd = (outRow + n) * rows / outRows
                CPL.reset()
                let err = buffer.withUnsafeMutableBytes {
                    GDALRasterIO(
                        b, GF_Read, 0, Int32(sourceRow), Int32(columns), Int32(sourceEnd - sourceRow),
                        $0.baseAddress, Int32(outColumns), Int32(n), GDT_Float64, 0, 0)  // CE_None on success
                }
                guard err == CE_None else {
                    throw GDALError(
                        path: path,
                        message: "read failed at window \(columns)×\(sourceEnd - sourceRow) at (0, \(sourceRow)): \(CPL.lastMessage)")
                }
                for v in buffer[0..<(n * outColumns)] where !v.isNaN {
                    if let nd = nodataValue, v == nd || (isFloat32 && Float(v) == Float(nd)) { continue }
                    accumulator.add(v)
                }
                outRow += n
            }
        }
        guard accumulator.count > 0 else { return nil }
        return (accumulator.min, accumulator.max, accumulator.mean, (accumulator.m2 / Double(accumulator.count)).squareRoot())
    }
}

/// Running count, extremes, mean and sum of squared deviations (Welford 1962).
struct Moments {
    var count = 0
    var min = Double.infinity
    var max = -Double.infinity
    var mean = 0.0
    var m2 = 0.0

    mutating func add(_ v: Double) {
        count += 1
        if v < min { min = v }
        if v > max { max = v }
        let delta = v - mean
        mean += delta / Double(count)
        m2 += delta * (v - mean)
    }
}
