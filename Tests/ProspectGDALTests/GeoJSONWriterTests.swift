import Foundation
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// Shoelace signed area: positive for counter-clockwise rings.
func signedArea(_ ring: [[Double]]) -> Double {
    var sum = 0.0
    for i in 0..<(ring.count - 1) { sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
    return sum / 2
}

@Suite struct GeoJSONWriterTests {
    @Test func writesRFC7946FromUTM() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/targets.geojson"
            // Clockwise in UTM 45N, around the central meridian; the writer must make it counter-clockwise.
            let clockwise: [(x: Double, y: Double)] = [
                (499_000, 3_000_000), (499_000, 3_001_000), (501_000, 3_001_000),
                (501_000, 3_000_000), (499_000, 3_000_000),
            ]
            let features = [
                GeoJSONFeature(
                    rings: [clockwise],
                    properties: [
                        ("rank", .int(1)), ("score", .double(0.93)),
                        ("model", .string("woe")), ("bad", .double(.nan)),
                    ]),
                GeoJSONFeature(rings: [[(x: 500_000, y: 3_000_500)]], properties: [("rank", .int(2)), ("score", .int(1))]),
            ]
            try GeoJSONWriter.write(path: path, layerName: "targets", features: features, crs: try SpatialReference(epsg: 32645))
            #expect(try fileNames(in: dir) == ["targets.geojson"])

            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(root["type"] as? String == "FeatureCollection")
            #expect(root["crs"] == nil)
            #expect(root["name"] == nil)
            let list = try #require(root["features"] as? [[String: Any]])
            #expect(list.count == 2)

            let polygon = try #require(list[0]["geometry"] as? [String: Any])
            #expect(polygon["type"] as? String == "Polygon")
            let rings = try #require(polygon["coordinates"] as? [[[Double]]])
            let exterior = try #require(rings.first)
            for p in exterior {
                #expect((-180...180).contains(p[0]) && (-90...90).contains(p[1]))
                #expect(abs(p[0] - 87) < 0.02)
                #expect(abs(p[1] - 27.12) < 0.02)
            }
            #expect(signedArea(exterior) > 0)

            let properties = try #require(list[0]["properties"] as? [String: Any])
            #expect(properties["rank"] as? Int == 1)
            #expect(properties["score"] as? Double == 0.93)
            #expect(properties["model"] as? String == "woe")
            #expect(properties["bad"] is NSNull)
            // Property order follows the given order.
            let text = String(decoding: data, as: UTF8.self)
            let rank = try #require(text.range(of: "\"rank\""))
            let model = try #require(text.range(of: "\"model\""))
            #expect(rank.lowerBound < model.lowerBound)

            let point = try #require(list[1]["geometry"] as? [String: Any])
            #expect(point["type"] as? String == "Point")
            let coordinates = try #require(point["coordinates"] as? [Double])
            #expect(abs(coordinates[0] - 87) < 1e-6)
            #expect((list[1]["properties"] as? [String: Any])?["score"] as? Double == 1)
        }
    }

    @Test func failedWriteLeavesNoTemporaryFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/missing-dir/out.geojson"
            let wgs84 = try SpatialReference(epsg: 4326)
            #expect(throws: GDALError.self) {
                try GeoJSONWriter.write(path: path, layerName: "x", features: [], crs: wgs84)
            }
            let left = try fileNames(in: dir)
            #expect(left.isEmpty)
        }
    }
}
