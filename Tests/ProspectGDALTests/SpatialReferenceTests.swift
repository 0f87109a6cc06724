import Testing

@testable import ProspectGDAL

@Suite struct SpatialReferenceTests {
    @Test func utm45N() throws {
        let srs = try SpatialReference(epsg: 32645)
        #expect(srs.label == "EPSG:32645")
        #expect(srs.epsgCode == 32645)
        #expect(srs.isProjected)
        #expect(!srs.isGeographic)
        #expect(srs.name.contains("UTM zone 45N"))
        let again = try SpatialReference(wkt: srs.wkt)
        #expect(again.isSame(srs))
        #expect(again.label == "EPSG:32645")
    }

    @Test(arguments: ["EPSG:4326", "+proj=longlat +datum=WGS84 +no_defs"])
    func geographicFromUserInput(_ input: String) throws {
        let srs = try SpatialReference(userInput: input)
        #expect(srs.isGeographic)
        #expect(!srs.isProjected)
        #expect(srs.epsgCode == 4326)
    }

    @Test func sameIgnoresGeographicAxisOrder() throws {
        // OGC:CRS84 is EPSG:4326 with lon/lat axes; GDAL 3.6's OSRIsSame alone says they differ.
        #expect(try SpatialReference(userInput: "OGC:CRS84").isSame(SpatialReference(epsg: 4326)))
        #expect(try !SpatialReference(epsg: 32645).isSame(SpatialReference(epsg: 32646)))
    }

    @Test func proj4StringWithoutAuthorityIsIdentified() throws {
        let srs = try SpatialReference(userInput: "+proj=utm +zone=45 +datum=WGS84 +units=m +no_defs")
        #expect(srs.label == "EPSG:32645")
    }

    @Test func invalidDefinitionsThrow() {
        #expect(throws: GDALError.self) { try SpatialReference(userInput: "not a crs") }
        #expect(throws: GDALError.self) { try SpatialReference(epsg: 999_999) }
        #expect(throws: GDALError.self) { try SpatialReference(wkt: "GEOGCS[broken") }
    }

    @Test func utmToLonLatIsLonFirst() throws {
        let t = try CoordinateTransformer(from: SpatialReference(epsg: 32645), to: SpatialReference(epsg: 4326))
        let out = try t.transform([(x: 500_000, y: 3_000_000), (x: 600_000, y: 3_000_000)])
        #expect(abs(out[0].x - 87) < 1e-9)  // central meridian of zone 45
        #expect(abs(out[0].y - 27.12) < 0.01)
        #expect(out[1].x > 87.9 && out[1].x < 88.1)
        #expect(try t.transform([]).isEmpty)
    }

    @Test func lonLatToUTMRoundTrip() throws {
        let utm = try SpatialReference(epsg: 32645)
        let wgs = try SpatialReference(userInput: "EPSG:4326")
        let forward = try CoordinateTransformer(from: wgs, to: utm)
        let p = try forward.transform([(x: 87.3, y: 27.5)])
        let back = try CoordinateTransformer(from: utm, to: wgs).transform(p)
        #expect(abs(back[0].x - 87.3) < 1e-8 && abs(back[0].y - 27.5) < 1e-8)
    }
}

@Suite struct UndefinedCRSTests {
    /// What GDAL 3.6 reports for a GeoPackage layer with no CRS (`srs_id` -1 or unknown).
    static let geoPackageUndefined =
        #"ENGCRS["Undefined SRS",EDATUM["unknown"],CS[Cartesian,2],AXIS["easting",east,ORDER[1],LENGTHUNIT["unknown",0]],AXIS["northing",north,ORDER[2],LENGTHUNIT["unknown",0]]]"#
    /// What GDAL 3.6 writes for a new GeoPackage layer with no CRS (`srs_id` 0).
    static let geoPackageUndefinedGeographic =
        #"GEOGCRS["Undefined geographic SRS",DATUM["unknown",ELLIPSOID["unknown",6378137,298.257223563]],PRIMEM["Greenwich",0],CS[ellipsoidal,2],AXIS["latitude",north],AXIS["longitude",east],ANGLEUNIT["degree",0.0174532925199433]]"#

    @Test(arguments: [
        geoPackageUndefined, geoPackageUndefinedGeographic,
        #"LOCAL_CS["unnamed",UNIT["metre",1]]"#,
        #"LOCAL_CS["Site grid",UNIT["metre",1]]"#,  // no datum
        #"LOCAL_CS["Site grid",LOCAL_DATUM["unknown",32767],UNIT["metre",1]]"#,
    ])
    func placeholdersAreUndefined(_ wkt: String) throws {
        #expect(try SpatialReference(wkt: wkt).isUndefined)
    }

    @Test(arguments: ["EPSG:4326", "EPSG:32645", #"LOCAL_CS["Mine grid",LOCAL_DATUM["Mine datum",32767],UNIT["metre",1]]"#])
    func realCRSsAreDefined(_ input: String) throws {
        #expect(try !SpatialReference(userInput: input).isUndefined)
    }
}
