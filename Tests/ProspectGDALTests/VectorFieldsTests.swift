import Foundation
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

let geologyGeoJSON = #"""
    {"type":"FeatureCollection","features":[
     {"type":"Feature","properties":{"unit":"granite","code":3,"grade":1.5},"geometry":{"type":"Point","coordinates":[87.1,27.2]}},
     {"type":"Feature","properties":{"unit":null,"code":4,"grade":2.5},"geometry":{"type":"Point","coordinates":[87.2,27.2]}},
     {"type":"Feature","properties":{"code":5},"geometry":{"type":"Point","coordinates":[87.3,27.2]}},
     {"type":"Feature","properties":{"unit":"basalt","code":6,"grade":0},"geometry":null}
    ]}
    """#

@Suite struct VectorFieldsTests {
    @Test func fieldsAreTyped() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/geology.geojson"
            try writeText(geologyGeoJSON, to: path)
            let fields = try VectorDataset.open(path).fields()
            #expect(
                fields == [
                    VectorField(name: "unit", type: .string), VectorField(name: "code", type: .integer),
                    VectorField(name: "grade", type: .real),
                ])
            #expect(fields.map(\.isNumeric) == [false, true, true])
        }
    }

    @Test func stringValuesWithNulls() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/geology.geojson"
            try writeText(geologyGeoJSON, to: path)
            let ds = try VectorDataset.open(path)
            #expect(try ds.stringValues(field: "unit") == ["granite", nil, nil, "basalt"])
            #expect(try ds.stringValues(field: "code", layer: "geology") == ["3", "4", "5", "6"])
            #expect(throws: GDALError(path: path, message: "layer geology has no field rock (fields: unit, code, grade)")) {
                try ds.stringValues(field: "rock")
            }
            #expect(throws: GDALError(path: path, message: "has no layer named faults (layers: geology)")) {
                try ds.fields(layer: "faults")
            }
        }
    }

    @Test func bowTieIsInvalid() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            let square = rectangle(0, 0, 1, 1)
            let bowTie: [(x: Double, y: Double)] = [(0, 0), (1, 1), (1, 0), (0, 1)]  // edges cross at (0.5, 0.5)
            try writeText(
                polygonsGeoJSON([
                    (#""name":"square""#, square), (#""name":"bow-tie""#, bowTie),
                    (#""name":"square 2""#, rectangle(2, 2, 3, 3)),
                ]), to: path)
            let result = try VectorDataset.open(path).invalidGeometries()
            #expect(result.count == 1)
            #expect(result.firstFID == 1)

            let clean = dir + "/clean.geojson"
            try writeText(polygonsGeoJSON([(#""name":"square""#, square)]), to: clean)
            let none = try VectorDataset.open(clean).invalidGeometries()
            #expect(none.count == 0 && none.firstFID == nil)
        }
    }
}
