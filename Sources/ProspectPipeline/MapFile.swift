import Foundation
import ProspectCore
import ProspectGDAL

/// A single-band score map read whole into memory, with its grid and nodata.
struct ScoreMap {
    var path: String
    var grid: Grid
    var nodata: Float
    var values: [Float]
    var metadata: [String: String]

    func isValid(_ v: Float) -> Bool { !v.isNaN && v != nodata }

    static func read(_ path: String) throws -> ScoreMap {
        GDAL.initialize()
        let ds = try RasterDataset.open(path)
        let grid = try GridCheck.northUp(ds, path: path)
        var values = [Float](repeating: 0, count: grid.cellCount)
        try values.withUnsafeMutableBufferPointer { try ds.read(window: grid.full, into: $0) }
        let nodata = ds.nodata().map { Float($0) } ?? .nan
        let metadata = ds.metadata()
        try ds.close()
        let map = ScoreMap(path: path, grid: grid, nodata: nodata, values: values, metadata: metadata)
        guard values.contains(where: map.isValid) else { throw PipelineError(path, "every cell is nodata") }
        return map
    }
}
