import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct VectorTranslateTests {
    /// A unique in-memory path.
    func memoryPath(_ name: String) -> String { "/vsimem/prospect-test-\(UUID().uuidString)/\(name)" }

    @Test func lonLatPolygonsToUTMLines() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            try writeText(
                polygonsGeoJSON([
                    (#""unit":"granite""#, rectangle(87, 27, 87.01, 27.01)),
                    (#""unit":"basalt""#, rectangle(87.02, 27, 87.03, 27.01)),
                ]), to: path)
            let utm = try SpatialReference(epsg: 32645)
            let destination = memoryPath("zones.gpkg")
            let result = try GDALAlgorithms.translateVector(
                source: path, layer: nil, destination: destination, targetCRS: utm,
                assumedSourceCRS: nil, makeValid: false, toLines: true)
            #expect(result.features == 2 && result.layerName == "zones")
            let out = try VectorDataset.open(destination)
            let info = try #require(out.layers.first)
            #expect(info.name == "zones" && info.geometryType == "Multi Line String")
            #expect(info.hasCRS && info.crsLabel == "EPSG:32645")
            #expect(try out.stringValues(field: "unit") == ["granite", "basalt"])
            let (lines, crs) = try out.lines()
            #expect(lines.count == 2 && crs?.isSame(utm) == true)
            let expected = try CoordinateTransformer(from: SpatialReference(epsg: 4326), to: utm).transform([(87, 27)])[0]
            #expect(abs(lines[0][0].x - expected.x) < 1e-6 && abs(lines[0][0].y - expected.y) < 1e-6)
            VSI.remove(destination)
            #expect(!VSI.exists(destination))
        }
    }

    @Test func makeValidRepairsABowTie() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            try writeText(polygonsGeoJSON([(#""n":1"#, [(87, 27), (87.01, 27.01), (87.01, 27), (87, 27.01)])]), to: path)
            let utm = try SpatialReference(epsg: 32645)
            let folder = try VSI.makeScratchDirectory()
            defer { VSI.removeDirectory(folder) }
            for makeValid in [false, true] {
                let destination = folder + "/zones-\(makeValid).gpkg"
                _ = try GDALAlgorithms.translateVector(
                    source: path, layer: "zones", destination: destination, targetCRS: utm,
                    assumedSourceCRS: nil, makeValid: makeValid)
                #expect(try VectorDataset.open(destination).invalidGeometries().count == (makeValid ? 0 : 1))
            }
            #expect(VSI.exists(folder + "/zones-true.gpkg"))
            VSI.removeDirectory(folder)
            #expect(!VSI.exists(folder + "/zones-true.gpkg"))
        }
    }

    @Test func sourceWithoutCRSNeedsAnAssumption() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/gold.csv"
            try writeText("id,x,y\n1,500010,3000020\n2,500030,3000040\n", to: path)
            let utm = try SpatialReference(epsg: 32645)
            let destination = dir + "/gold.gpkg"
            #expect(throws: GDALError(path: path, message: "has no CRS; give one with --assume-crs")) {
                try GDALAlgorithms.translateVector(
                    source: path, layer: nil, destination: destination, targetCRS: utm,
                    assumedSourceCRS: nil, makeValid: false)
            }
            let result = try GDALAlgorithms.translateVector(
                source: path, layer: nil, destination: destination, targetCRS: utm,
                assumedSourceCRS: utm, makeValid: false)
            #expect(result.features == 2 && result.layerName == "gold")
            #expect(try fileNames(in: dir) == ["gold.csv", "gold.gpkg"])
            let (points, crs, _) = try VectorDataset.open(destination).points()
            #expect(points.map(\.x) == [500_010, 500_030] && points.map(\.y) == [3_000_020, 3_000_040])
            #expect(crs?.isSame(utm) == true)
        }
    }

    @Test func undefinedGeoPackageCRSCountsAsNone() throws {
        try withTemporaryDirectory { dir in
            // A GeoPackage written with no CRS reads back with GDAL's "Undefined geographic SRS".
            let csv = dir + "/gold.csv"
            let bare = dir + "/bare.gpkg"
            try writeText("id,x,y\n1,500010,3000020\n", to: csv)
            _ = try GDALAlgorithms.vectorTranslate(
                VectorDataset.open(csv), arguments: ["-f", "GPKG"], destination: bare, layerName: "gold")
            let info = try #require(VectorDataset.open(bare).layers.first)
            #expect(!info.crsWKT.isEmpty && !info.hasCRS)
            #expect(try VectorDataset.open(bare).points().crs == nil)

            let utm = try SpatialReference(epsg: 32645)
            #expect(throws: GDALError(path: bare, message: "has no CRS; give one with --assume-crs")) {
                try GDALAlgorithms.translateVector(
                    source: bare, layer: "gold", destination: dir + "/out.gpkg", targetCRS: utm,
                    assumedSourceCRS: nil, makeValid: false)
            }
            _ = try GDALAlgorithms.translateVector(
                source: bare, layer: "gold", destination: dir + "/out.gpkg", targetCRS: utm,
                assumedSourceCRS: utm, makeValid: false)
            let (points, crs, _) = try VectorDataset.open(dir + "/out.gpkg").points()
            #expect(points.first?.x == 500_010 && crs?.isSame(utm) == true)
        }
    }

    @Test func lonLatCSVNeedsNoAssumption() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/samples.csv"
            try writeText("name,lat,lon\na,27.1,87.05\n", to: path)
            let utm = try SpatialReference(epsg: 32645)
            let destination = memoryPath("samples.gpkg")
            defer { VSI.remove(destination) }
            // The assumption is ignored: the column names say WGS 84.
            _ = try GDALAlgorithms.translateVector(
                source: path, layer: nil, destination: destination, targetCRS: utm,
                assumedSourceCRS: utm, makeValid: false)
            let (points, _, _) = try VectorDataset.open(destination).points()
            let expected = try CoordinateTransformer(from: SpatialReference(epsg: 4326), to: utm).transform([(87.05, 27.1)])[0]
            #expect(points.count == 1 && abs(points[0].x - expected.x) < 1e-6 && abs(points[0].y - expected.y) < 1e-6)
            #expect(points[0].attributes == ["name": "a"])
        }
    }

    @Test func missingOrEmptyLayerThrows() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            let empty = dir + "/empty.geojson"
            try writeText(polygonsGeoJSON([(#""n":1"#, rectangle(87, 27, 87.01, 27.01))]), to: path)
            try writeText(#"{"type":"FeatureCollection","features":[]}"#, to: empty)
            let utm = try SpatialReference(epsg: 32645)
            #expect(throws: GDALError(path: path, message: "has no layer named roads (layers: zones)")) {
                try GDALAlgorithms.translateVector(
                    source: path, layer: "roads", destination: dir + "/out.gpkg", targetCRS: utm,
                    assumedSourceCRS: nil, makeValid: false)
            }
            #expect(throws: GDALError(path: empty, message: "layer empty has no features")) {
                try GDALAlgorithms.translateVector(
                    source: empty, layer: nil, destination: dir + "/out.gpkg", targetCRS: utm,
                    assumedSourceCRS: nil, makeValid: false)
            }
            #expect(try fileNames(in: dir) == ["empty.geojson", "zones.geojson"])
        }
    }
}
