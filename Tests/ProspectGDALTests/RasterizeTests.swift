import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct RasterizeTests {
    /// Three zones on `utmGrid(columns: 10, rows: 10)` (cells of 10 m, x 500000…500100,
    /// y 3000000…3000100): granite over columns 2…5 × rows 2…5, basalt over columns 7…8 ×
    /// rows 0…1, and shale (code null) over columns 0…1 × rows 8…9, edges on cell edges.
    static let zones: [(properties: String, ring: [(x: Double, y: Double)])] = [
        (#""unit":"granite","code":3"#, rectangle(500_020, 3_000_040, 500_060, 3_000_080)),
        (#""unit":"basalt","code":5.5"#, rectangle(500_070, 3_000_080, 500_090, 3_000_100)),
        (#""unit":"shale","code":null"#, rectangle(500_000, 3_000_000, 500_020, 3_000_020)),
    ]

    /// The zone (0 granite, 1 basalt, 2 shale) of a cell of the 10 × 10 grid, nil outside all.
    static func zone(column: Int, row: Int) -> Int? {
        if (2...5).contains(column) && (2...5).contains(row) { return 0 }
        if (7...8).contains(column) && (0...1).contains(row) { return 1 }
        if (0...1).contains(column) && (8...9).contains(row) { return 2 }
        return nil
    }

    func rasterizeZones(
        _ burn: BurnSource, epsg: Int? = 32645, zones: [(properties: String, ring: [(x: Double, y: Double)])] = zones,
        nodata: Double? = nil
    ) throws -> [Float] {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            let output = dir + "/zones.tif"
            try writeText(polygonsGeoJSON(zones, epsg: epsg), to: path)
            let grid = try utmGrid(columns: 10, rows: 10)
            try GDALAlgorithms.rasterize(
                vectorPath: path, layer: nil, grid: grid, burn: burn, allTouched: false, initialValue: -1,
                nodata: nodata, outputPath: output, creationOptions: ["TILED=YES"])
            #expect(try fileNames(in: dir) == ["zones.geojson", "zones.tif"])
            let ds = try RasterDataset.open(output)
            #expect(ds.dataType() == .float32)
            #expect(ds.grid.hasSameCells(as: grid))
            #expect(try #require(ds.spatialReference).isSame(SpatialReference(epsg: 32645)))
            #expect(ds.nodata() == nodata)
            return try readRaster(output)
        }
    }

    func expectZones(_ cells: [Float], _ values: [Float?]) {
        for row in 0..<10 {
            for column in 0..<10 {
                let expected = Self.zone(column: column, row: row).flatMap { values[$0] } ?? -1
                #expect(cells[row * 10 + column] == expected, "cell (\(column), \(row))")
            }
        }
    }

    @Test func constant() throws {
        expectZones(try rasterizeZones(.constant(7), nodata: -1), [7, 7, 7])
    }

    @Test func attribute() throws {
        expectZones(try rasterizeZones(.attribute("code")), [3, 5.5, nil])  // a null value burns nothing
    }

    @Test func mapped() throws {
        expectZones(try rasterizeZones(.mapped(field: "unit", values: ["granite": 10, "basalt": 20])), [10, 20, nil])
    }

    @Test func mappedReprojectsLonLatFeatures() throws {
        // The same zones given in lon/lat (GeoJSON without a crs member): corners reprojected, edges
        // within millimetres of the cell edges, far from the cell centres.
        let toLonLat = try CoordinateTransformer(from: SpatialReference(epsg: 32645), to: SpatialReference(epsg: 4326))
        let lonLat = try Self.zones.map { ($0.properties, try toLonLat.transform($0.ring)) }
        expectZones(
            try rasterizeZones(.mapped(field: "unit", values: ["granite": 10, "shale": 30]), epsg: nil, zones: lonLat),
            [10, nil, 30])
        expectZones(try rasterizeZones(.constant(1), epsg: nil, zones: lonLat), [1, 1, 1])
    }

    @Test(arguments: [false, true])
    func allTouched(_ allTouched: Bool) throws {
        try withTemporaryDirectory { dir in
            // x 500076…500094 covers the centre of column 8 only, and touches columns 7…9; y within row 4.
            let path = dir + "/strip.geojson"
            let output = dir + "/strip.tif"
            try writeText(polygonsGeoJSON([(#""n":1"#, rectangle(500_076, 3_000_052, 500_094, 3_000_058))], epsg: 32645), to: path)
            let grid = try utmGrid(columns: 10, rows: 10)
            try GDALAlgorithms.rasterize(
                vectorPath: path, layer: "strip", grid: grid, burn: .constant(1), allTouched: allTouched,
                initialValue: 0, nodata: nil, outputPath: output, creationOptions: [])
            let cells = try readRaster(output)
            let burned = cells.indices.filter { cells[$0] == 1 }.map { ($0 % 10, $0 / 10) }
            let expected = allTouched ? [(7, 4), (8, 4), (9, 4)] : [(8, 4)]
            #expect(burned.map(\.0) == expected.map(\.0) && burned.map(\.1) == expected.map(\.1))
        }
    }

    @Test func lonLatCSVPointsAreReprojected() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 10, rows: 10)
            let toLonLat = try CoordinateTransformer(from: SpatialReference(epsg: 32645), to: SpatialReference(epsg: 4326))
            let points = try toLonLat.transform([(500_015, 3_000_085), (500_095, 3_000_005)])  // cells (1, 1) and (9, 9)
            let path = dir + "/samples.csv"
            let output = dir + "/samples.tif"
            try writeText("lon,lat\n" + points.map { "\($0.x),\($0.y)" }.joined(separator: "\n") + "\n", to: path)
            try GDALAlgorithms.rasterize(
                vectorPath: path, layer: nil, grid: grid, burn: .constant(1), allTouched: false,
                initialValue: 0, nodata: nil, outputPath: output, creationOptions: [])
            let cells = try readRaster(output)
            #expect(cells.indices.filter { cells[$0] == 1 } == [11, 99])
        }
    }

    @Test func badFieldsThrow() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/zones.geojson"
            try writeText(polygonsGeoJSON(Self.zones, epsg: 32645), to: path)
            let grid = try utmGrid(columns: 10, rows: 10)
            func run(_ burn: BurnSource) throws {
                try GDALAlgorithms.rasterize(
                    vectorPath: path, layer: nil, grid: grid, burn: burn, allTouched: false,
                    initialValue: 0, nodata: nil, outputPath: dir + "/out.tif", creationOptions: [])
            }
            #expect(throws: GDALError(path: path, message: "layer zones has no field grade (fields: unit, code)")) {
                try run(.attribute("grade"))
            }
            #expect(throws: GDALError(path: path, message: "field unit of layer zones is not numeric")) {
                try run(.attribute("unit"))
            }
            #expect(throws: GDALError(path: path, message: "layer zones has no field rock (fields: unit, code)")) {
                try run(.mapped(field: "rock", values: [:]))
            }
            #expect(try fileNames(in: dir) == ["zones.geojson"])
        }
    }
}
