import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite struct QuicklookCommandTests {
    /// 65 × 48 cells of 100 m; value column / 64 (0 to 1), nodata in the top-left 8 × 8 cells.
    static let grid = Grid(columns: 65, rows: 48, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100), crsName: "EPSG:32645")

    static func map(_ dir: String) throws -> String {
        var g = grid
        g.crsWKT = try SpatialReference(epsg: 32645).wkt
        let path = dir + "/map.tif"
        try writeRaster(path, grid: g, nodata: -9999) { c, r in c < 8 && r < 8 ? -9999 : Float(c) / 64 }
        return path
    }

    static func pixel(_ bands: [[Float]], width: Int, _ x: Int, _ y: Int) -> RGBA {
        let i = y * width + x
        return RGBA(UInt8(bands[0][i]), UInt8(bands[1][i]), UInt8(bands[2][i]), UInt8(bands[3][i]))
    }

    @Test func pngHasTheMapsShapeTransparentNodataAndViridisAtKnownCells() throws {
        try withTemporaryDirectory { dir in
            let map = try Self.map(dir)
            let deposits = try Fixture.points(dir + "/deposits.gpkg", [Fixture.centre(60, 40)])
            let r = try CLI.run(["quicklook", map, "--out", dir + "/q.png", "--width", "65", "--deposits", deposits])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("EPSG:32645 — WGS 84 / UTM zone 45N"))
            let png = try RasterDataset.open(dir + "/q.png")
            #expect(png.driverName == "PNG")
            #expect(png.bandCount == 4)
            let g = png.grid
            // The map is 65 × 48 pixels (one a cell) above the legend panel (9 glyph heights of 8 pixels).
            #expect(g.columns == 65 && g.rows == 48 + 72)
            let bands = try (1...4).map { try readRaster(dir + "/q.png", band: $0) }
            #expect(Self.pixel(bands, width: 65, 2, 2).a == 0, "nodata is transparent")
            #expect(Self.pixel(bands, width: 65, 0, 20) == RGBA(0x44, 0x01, 0x54), "the minimum, 0: viridis at 0")
            #expect(Self.pixel(bands, width: 65, 16, 20) == RGBA(0x3B, 0x52, 0x8B), "0.25: viridis's third stop")
            #expect(Self.pixel(bands, width: 65, 32, 20) == RGBA(0x21, 0x91, 0x8C), "0.5: the middle stop")
            #expect(Self.pixel(bands, width: 65, 64, 20) == RGBA(0xFD, 0xE7, 0x25), "the maximum, 1: viridis at 1")
            #expect(Self.pixel(bands, width: 65, 60, 40) == RGBA.deposit, "the deposit's dot")
            #expect(Self.pixel(bands, width: 65, 64, 48 + 71) == RGBA.white, "the legend panel is opaque white")
            #expect(CLI.files(in: dir) == ["map.tif", "deposits.gpkg", "q.png"], "no side file, no temporary")
        }
    }

    @Test func logStretchIsRefusedForValuesAtZero() throws {
        try withTemporaryDirectory { dir in
            let map = try Self.map(dir)
            let r = try CLI.run(["quicklook", map, "--out", dir + "/q.png", "--stretch", "log"])
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("prospect: error: --stretch: log needs values above 0"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/q.png"))
        }
    }

    @Test(arguments: [
        (["--out", "q.jpg"], "--out writes a PNG image; give a name ending in .png"),
        (["--out", "q.png", "--width", "10"], "--width: give a width of 64 to 8192 pixels, got 10"),
        (["--out", "map.tif"], "--out would overwrite an input of this command (the map)"),
    ])
    func badOptionsAreOneLine(arguments: [String], message: String) throws {
        try withTemporaryDirectory { dir in
            _ = try Self.map(dir)
            let r = try CLI.run(["quicklook", "map.tif"] + arguments, in: dir)
            #expect(r.status == 1)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(CLI.files(in: dir) == ["map.tif"])
        }
    }
}
