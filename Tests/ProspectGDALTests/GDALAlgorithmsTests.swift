import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// A GeoJSON FeatureCollection of one LineString, in lon/lat.
func lineGeoJSON(_ points: [(x: Double, y: Double)]) -> String {
    let coordinates = points.map { "[\($0.x),\($0.y)]" }.joined(separator: ",")
    return
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[\#(coordinates)]}}]}"#
}

@Suite struct GDALAlgorithmsTests {
    @Test func proximityToAReprojectedLine() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 10, rows: 10)  // x 500000…500100, y 3000000…3000100
            let utm = try SpatialReference(epsg: 32645)
            let wgs = try SpatialReference(epsg: 4326)
            // A north–south line at easting 500053, given in lon/lat so the features must be reprojected.
            let lineX = 500_053.0
            let lonLat = try CoordinateTransformer(from: utm, to: wgs).transform([(lineX, 2_999_990), (lineX, 3_000_110)])
            let vectorPath = dir + "/line.geojson"
            try writeText(lineGeoJSON(lonLat), to: vectorPath)

            let output = dir + "/distance.tif"
            try GDALAlgorithms.proximity(
                vectorPath: vectorPath, grid: grid, outputPath: output,
                creationOptions: ["TILED=YES", "COMPRESS=DEFLATE"])
            #expect(try fileNames(in: dir) == ["distance.tif", "line.geojson"])
            let ds = try RasterDataset.open(output)
            #expect(ds.dataType() == .float32)
            #expect(ds.grid.hasSameCells(as: grid) && ds.grid.crsName == grid.crsName)
            var distance = [Float](repeating: .nan, count: grid.cellCount)
            try distance.withUnsafeMutableBufferPointer { try ds.read(window: grid.full, into: $0) }
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let centre = grid.transform.map(column: Double(column) + 0.5, row: Double(row) + 0.5)
                    let expected = abs(centre.x - lineX)
                    #expect(
                        abs(Double(distance[row * grid.columns + column]) - expected) <= 5 + 1e-3,
                        "cell (\(column), \(row))")
                }
            }
            #expect(distance[5] == 0)  // the line runs through column 5
            #expect(distance[0] == 50)
        }
    }

    @Test func proximityOfMissingVectorThrows() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 4, rows: 4)
            #expect(throws: GDALError(path: dir + "/none.gpkg", message: "no such file")) {
                try GDALAlgorithms.proximity(vectorPath: dir + "/none.gpkg", grid: grid, outputPath: dir + "/d.tif", creationOptions: [])
            }
            #expect(try fileNames(in: dir).isEmpty)
        }
    }

    @Test func rasterizeMaskMarksCellCentresInside() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 10, rows: 10)
            // A square in UTM from (500020, 3000040) to (500060, 3000080), with an old-style crs member.
            let polygon =
                #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32645"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[500020,3000040],[500060,3000040],[500060,3000080],[500020,3000080],[500020,3000040]]]}}]}"#
            let path = dir + "/zone.geojson"
            try writeText(polygon, to: path)
            let mask = try GDALAlgorithms.rasterizeMask(vectorPath: path, grid: grid)
            #expect(mask.count == 100)
            for row in 0..<10 {
                for column in 0..<10 {
                    let inside = (2...5).contains(column) && (2...5).contains(row)
                    #expect(mask[row * 10 + column] == (inside ? 1 : 0), "cell (\(column), \(row))")
                }
            }
        }
    }

    @Test func polygonizeTwoBlobs() throws {
        let grid = try utmGrid(columns: 6, rows: 6)
        var labels = [Int32](repeating: 0, count: 36)
        for (c, r) in [(0, 0), (1, 0), (0, 1), (1, 1)] { labels[r * 6 + c] = 1 }
        for (c, r) in [(3, 3), (4, 4), (5, 5), (5, 4)] { labels[r * 6 + c] = 2 }  // diagonal: one 8-connected blob
        let polygons = try GDALAlgorithms.polygonize(labels: labels, grid: grid)
        #expect(polygons.count == 2)
        #expect(polygons.map(\.label).sorted() == [1, 2])
        let first = try #require(polygons.first { $0.label == 1 })
        let ring = try #require(first.rings.first)
        #expect(ring.map(\.x).min() == 500_000 && ring.map(\.x).max() == 500_020)
        #expect(ring.map(\.y).max() == 3_000_100 && ring.map(\.y).min() == 3_000_080)
    }

    @Test func translateToCOG() throws {
        try withTemporaryDirectory { dir in
            let source = dir + "/plain.tif"
            let destination = dir + "/cog.tif"
            let grid = try utmGrid(columns: 300, rows: 200)
            let ds = try RasterDataset.create(source, grid: grid)
            let values = (0..<grid.cellCount).map { Float($0 % 1000) }
            try values.withUnsafeBufferPointer { try ds.write(window: grid.full, from: $0) }
            try ds.close()
            try GDALAlgorithms.translateToCOG(
                source: source, destination: destination,
                creationOptions: ["COMPRESS=DEFLATE", "OVERVIEWS=AUTO", "BLOCKSIZE=128"])
            #expect(try fileNames(in: dir) == ["cog.tif", "plain.tif"])
            let cog = try RasterDataset.open(destination)
            #expect(cog.metadata(domain: "IMAGE_STRUCTURE")["LAYOUT"] == "COG")
            #expect(cog.metadata(domain: "IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE")
            #expect(cog.blockSize() == (128, 128))
            #expect(cog.grid.hasSameCells(as: grid) && cog.grid.crsName == grid.crsName)
            var back = [Float](repeating: .nan, count: grid.cellCount)
            try back.withUnsafeMutableBufferPointer { try cog.read(window: grid.full, into: $0) }
            #expect(back == values)
        }
    }
}
