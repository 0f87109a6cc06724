import Foundation
import ProspectCore

@testable import ProspectGDAL

/// A north-up UTM 45N grid (EPSG:32645) with its top-left corner at (500000, top).
func utmGrid(columns: Int, rows: Int, cellSize: Double = 10, top: Double = 3_000_100) throws -> Grid {
    let srs = try SpatialReference(epsg: 32645)
    return Grid(
        columns: columns, rows: rows,
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

/// A grid in EPSG:4326 (lon/lat) with square cells of `cellSize` degrees.
func lonLatGrid(columns: Int, rows: Int, left: Double, top: Double, cellSize: Double) throws -> Grid {
    let srs = try SpatialReference(epsg: 4326)
    return Grid(
        columns: columns, rows: rows, transform: .northUp(left: left, top: top, cellSize: cellSize),
        crsWKT: srs.wkt, crsName: srs.label)
}

/// A GeoJSON FeatureCollection of polygons with properties, in the CRS named by `epsg`
/// (an old-style `crs` member; without one GeoJSON means lon/lat WGS 84).
func polygonsGeoJSON(_ polygons: [(properties: String, ring: [(x: Double, y: Double)])], epsg: Int? = nil) -> String {
    let features = polygons.map { p in
        let ring = (p.ring + [p.ring[0]]).map { "[\($0.x),\($0.y)]" }.joined(separator: ",")
        return #"{"type":"Feature","properties":{\#(p.properties)},"geometry":{"type":"Polygon","coordinates":[[\#(ring)]]}}"#
    }.joined(separator: ",")
    let crs = epsg.map { #""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::\#($0)"}},"# } ?? ""
    return #"{"type":"FeatureCollection",\#(crs)"features":[\#(features)]}"#
}

/// The corners of the rectangle [minX, maxX] × [minY, maxY], counter-clockwise.
func rectangle(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> [(x: Double, y: Double)] {
    [(minX, minY), (maxX, minY), (maxX, maxY), (minX, maxY)]
}
