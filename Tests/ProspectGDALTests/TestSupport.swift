import Foundation
import ProspectCore
@testable import ProspectGDAL

/// A fresh temporary directory, removed when `body` returns.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("prospect-gdal-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// A north-up UTM 45N grid (EPSG:32645) with its top-left corner at (500000, top).
func utmGrid(columns: Int, rows: Int, cellSize: Double = 10, top: Double = 3_000_100) throws -> Grid {
    let srs = try SpatialReference(epsg: 32645)
    return Grid(columns: columns, rows: rows,
                transform: .northUp(left: 500_000, top: top, cellSize: cellSize),
                crsWKT: srs.wkt, crsName: srs.label)
}

/// Writes `text` to `path` (a local file).
func writeText(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Names in `directory` (to check no temporary files are left behind).
func fileNames(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}
