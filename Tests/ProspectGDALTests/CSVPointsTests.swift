import Foundation
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct CSVPointsTests {
    @Test func longitudeLatitudeColumnsAreWGS84() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/samples.csv"
            try writeText("id,Longitude,LATITUDE,name\n1,117.5,-27.1,a\n2,117.25,-27.5,b\n", to: path)
            let ds = try VectorDataset.open(path)
            let columns = try #require(ds.csvCoordinateColumns)
            #expect(columns.x == "Longitude" && columns.y == "LATITUDE")
            let (points, crs, skipped) = try ds.points()
            #expect(points.count == 2 && skipped == 0)
            #expect(points[1].x == 117.25 && points[1].y == -27.5)  // longitude first
            #expect(points[0].attributes == ["id": "1", "name": "a"])  // coordinate columns are not attributes
            #expect(try #require(crs).isSame(SpatialReference(epsg: 4326)))
            let info = try #require(ds.layers.first)
            #expect(info.hasCRS && info.crsLabel == "EPSG:4326")
            #expect(info.geometryType == "Point")
            #expect(try ds.fields() == [VectorField(name: "id", type: .integer), VectorField(name: "name", type: .string)])
        }
    }

    @Test func eastingNorthingColumnsHaveNoCRS() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/gold.csv"
            try writeText("id,X,Y\n0,515265.3,6707801\n1,517234.9,6710722\n", to: path)
            let ds = try VectorDataset.open(path)
            let columns = try #require(ds.csvCoordinateColumns)
            #expect(columns.x == "X" && columns.y == "Y")
            let (points, crs, _) = try ds.points()
            #expect(points.count == 2 && points[0].x == 515_265.3 && points[0].y == 6_707_801)
            #expect(crs == nil)
            let info = try #require(ds.layers.first)
            #expect(!info.hasCRS && info.crsLabel.isEmpty)
        }
    }

    @Test func noCoordinateColumnsThrows() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/table.csv"
            try writeText("id,grade\n1,2.5\n", to: path)
            let ds = try VectorDataset.open(path)
            #expect(ds.csvCoordinateColumns == nil)
            #expect(
                throws: GDALError(
                    path: path, message: "has no coordinate columns (looked for lon/longitude/x/easting and lat/latitude/y/northing)")
            ) {
                try ds.points()
            }
            #expect(try ds.fields() == [VectorField(name: "id", type: .integer), VectorField(name: "grade", type: .real)])
        }
    }

    @Test func bothKindsOfColumnsPreferLongitudeLatitude() throws {
        // GDAL 3.6 fails (or crashes) when several columns match and KEEP_GEOM_COLUMNS=NO; only one pair is passed.
        try withTemporaryDirectory { dir in
            let path = dir + "/both.csv"
            try writeText("x,lon,y,lat,name\n1,117.5,2,-27.1,a\n", to: path)
            let ds = try VectorDataset.open(path)
            #expect(ds.csvCoordinateColumns?.x == "lon" && ds.csvCoordinateColumns?.y == "lat")
            let (points, crs, _) = try ds.points()
            #expect(points.count == 1 && points[0].x == 117.5 && points[0].y == -27.1)
            #expect(points[0].attributes == ["x": "1", "y": "2", "name": "a"])
            #expect(crs?.isGeographic == true)
        }
    }

    @Test func aColumnNamedTwiceThrows() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/twice.csv"
            try writeText("x,X,y\n1,2,3\n", to: path)
            #expect(throws: GDALError(path: path, message: "has more than one column named x (ignoring case)")) {
                try VectorDataset.open(path)
            }
        }
    }

    @Test func callerOptionsChooseTheColumns() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/custom.csv"
            try writeText("E,N,id\n10,20,1\n", to: path)
            let ds = try VectorDataset.open(path, openOptions: ["X_POSSIBLE_NAMES=E", "Y_POSSIBLE_NAMES=N"])
            #expect(ds.csvCoordinateColumns == nil)
            let (points, _, _) = try ds.points()
            #expect(points.count == 1 && points[0].x == 10 && points[0].y == 20)
        }
    }
}
