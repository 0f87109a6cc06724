import ProspectCore
import ProspectGDAL

/// The cells of `window` (every cell when `nil`) of band `band` of the raster at `path`,
/// row-major, as Float.
public func readRaster(_ path: String, band: Int = 1, window: Window? = nil) throws -> [Float] {
    let ds = try RasterDataset.open(path)
    let window = window ?? ds.grid.full
    var values = [Float](repeating: .nan, count: window.cellCount)
    try values.withUnsafeMutableBufferPointer { try ds.read(band: band, window: window, into: $0) }
    return values
}

/// Writes `values` (row-major, `grid.cellCount` of them) as a one-band GeoTIFF of `type` on `grid`.
///
/// - Parameters:
///   - nodata: the band's nodata value; none when `nil`.
///   - blockSize: square tiles of this many cells a side; rows in strips when `nil`.
public func writeRaster(
    _ path: String, grid: Grid, type: RasterDataType = .float32, values: [Float],
    nodata: Double? = nil, blockSize: Int? = nil
) throws {
    precondition(values.count == grid.cellCount)
    let options = blockSize.map { ["TILED=YES", "BLOCKXSIZE=\($0)", "BLOCKYSIZE=\($0)"] } ?? []
    let ds = try RasterDataset.create(path, grid: grid, type: type, options: options)
    if let nodata { try ds.setNodata(nodata) }
    try values.withUnsafeBufferPointer { try ds.write(window: grid.full, from: $0) }
    try ds.close()
}

/// Writes a one-band GeoTIFF of `type` on `grid` with the value `value(column, row)` in each cell.
public func writeRaster(
    _ path: String, grid: Grid, type: RasterDataType = .float32, nodata: Double? = nil,
    blockSize: Int? = nil, value: (Int, Int) -> Float
) throws {
    var values = [Float](repeating: 0, count: grid.cellCount)
    for r in 0..<grid.rows { for c in 0..<grid.columns { values[r * grid.columns + c] = value(c, r) } }
    try writeRaster(path, grid: grid, type: type, values: values, nodata: nodata, blockSize: blockSize)
}
