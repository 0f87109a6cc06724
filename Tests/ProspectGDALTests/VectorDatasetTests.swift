import Foundation
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

let sampleGeoJSON = #"""
    {"type":"FeatureCollection","features":[
     {"type":"Feature","properties":{"name":"A","grade":1.5},"geometry":{"type":"Point","coordinates":[87.1,27.2]}},
     {"type":"Feature","properties":{"name":"B","grade":2},"geometry":{"type":"MultiPoint","coordinates":[[87.2,27.3],[87.3,27.4]]}},
     {"type":"Feature","properties":{"name":"fault"},"geometry":{"type":"LineString","coordinates":[[87,27],[87.5,27.5],[88,27.5]]}},
     {"type":"Feature","properties":{"name":"zone"},"geometry":{"type":"Polygon","coordinates":[[[87,27],[87.1,27],[87.1,27.1],[87,27]]]}},
     {"type":"Feature","properties":{"name":"nothing"},"geometry":null}
    ]}
    """#

@Suite struct VectorDatasetTests {
    @Test func layersAreSummarised() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/sample.geojson"
            try writeText(sampleGeoJSON, to: path)
            let ds = try VectorDataset.open(path)
            let layers = ds.layers
            #expect(layers.count == 1)
            let info = try #require(layers.first)
            #expect(info.featureCount == 5)
            #expect(info.fields == ["name", "grade"])
            #expect(info.crsLabel == "EPSG:4326")
            let extent = try #require(info.extent)
            #expect(extent.minX == 87 && extent.maxX == 88 && extent.minY == 27 && extent.maxY == 27.5)
        }
    }

    @Test func pointsIncludeMultiPointPartsAndCountSkipped() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/sample.geojson"
            try writeText(sampleGeoJSON, to: path)
            let (points, crs, skipped) = try VectorDataset.open(path).points()
            #expect(points.count == 3)
            #expect(skipped == 3)
            #expect(points[0].x == 87.1 && points[0].y == 27.2)
            #expect(points[0].attributes["name"] == "A")
            #expect(points[2].attributes["name"] == "B")
            #expect(points[2].x == 87.3)
            #expect(crs?.isGeographic == true)
        }
    }

    @Test func linesIncludePolygonRings() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/sample.geojson"
            try writeText(sampleGeoJSON, to: path)
            let (lines, _) = try VectorDataset.open(path).lines()
            #expect(lines.count == 2)
            #expect(lines[0].count == 3)
            #expect(lines[0][2].x == 88 && lines[0][2].y == 27.5)
            #expect(lines[1].count == 4)  // closed ring
        }
    }

    @Test func openErrors() throws {
        try withTemporaryDirectory { dir in
            let missing = dir + "/missing.gpkg"
            #expect(throws: GDALError(path: missing, message: "no such file")) { try VectorDataset.open(missing) }
            let text = dir + "/notes.bin"
            try Data([0, 1, 2, 3, 255, 254]).write(to: URL(fileURLWithPath: text))
            let error = try #require(throws: GDALError.self) { try VectorDataset.open(text) }
            #expect(error.message.hasPrefix("not a vector file that GDAL can read"))
            let sample = dir + "/sample.geojson"
            try writeText(sampleGeoJSON, to: sample)
            #expect(throws: GDALError(path: sample, message: "has no layer named roads (layers: sample)")) {
                try VectorDataset.open(sample).lines(layer: "roads")
            }
        }
    }
}
