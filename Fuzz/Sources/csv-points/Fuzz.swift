import Foundation
import FuzzSupport
import ProspectCore
import ProspectGDAL
import ProspectPipeline

/// A 1000 × 1000 grid of 100 m cells in UTM zone 45N (the demo region's CRS), so that points in
/// longitude/latitude are reprojected and x/y points in the zone's metres land on cells.
let grid: Grid = {
    let wkt = (try? SpatialReference(epsg: 32645).wkt) ?? ""
    precondition(!wkt.isEmpty, "PROJ knows EPSG:32645")
    return Grid(
        columns: 1000, rows: 1000, transform: .northUp(left: 300_000, top: 2_400_000, cellSize: 100), crsWKT: wkt,
        crsName: "EPSG:32645")
}()

/// CSV deposit files, read as `train` and `validate` read them: the header's coordinate columns
/// chosen (`CSVCoordinates`), the file opened by GDAL's CSV driver with them, the points and
/// fields read (`VectorDataset`), then placed on a grid (`DepositSet.load`, reprojecting
/// longitude/latitude). Malformed files must be refused with an error, never trap; what loads
/// must account for every point and place each on a cell of the grid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    // GDAL picks the CSV driver by the extension; /dev/shm keeps the file in memory.
    let path = "/dev/shm/prospect-fuzz-points-\(getpid()).csv"
    FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: count))
    defer { unlink(path) }
    var pointCount: Int?
    if let ds = try? VectorDataset.open(path) {
        _ = ds.layers
        _ = try? ds.fields()
        if let (points, _, _) = try? ds.points() { pointCount = points.count }
    }
    if let set = try? DepositSet.load(path, grid: grid, assumedCRS: "EPSG:32645") {
        guard set.inside.count + set.outside.count == set.given, set.given == pointCount else {
            fatalError(
                "\(set.given) points given, \(set.inside.count) inside and \(set.outside.count) outside; the file holds \(pointCount ?? -1)"
            )
        }
        for d in set.inside
        where !(0..<grid.columns).contains(d.column) || !(0..<grid.rows).contains(d.row)
            || d.cellIndex != d.row * grid.columns + d.column
        {
            fatalError("deposit \(d.id) placed on cell (\(d.column), \(d.row)) of a \(grid.columns) × \(grid.rows) grid")
        }
    }
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_csv_points_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
