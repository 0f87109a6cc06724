import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Maps written by `prospect score` (tiles encoded on the scoring threads) are read past
/// libtiff by `TileReader`, block for block as GDAL reads them, and `prospect targets` finds
/// the same targets in them as in the same map written uncompressed.
@Suite("Scored maps read past libtiff")
struct ScoredMapReadingTests {
    @Test("a scored map with partial edge tiles, nodata and uncertainty bands: every block as GDAL reads it; the same targets")
    func scoredMap() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let grid = Grid(
            columns: 70, rows: 45, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100), crsName: "EPSG:32645")
        let a = try Fixture.raster(dir + "/a.tif", grid: grid) { c, r in (c * 7 + r * 3) % 31 == 0 ? -9999 : Float(c) / 70 }
        let b = try Fixture.raster(dir + "/b.tif", grid: grid) { c, r in Float((c * 7 + r * 13) % 10) }
        let deposits = try Fixture.points(
            dir + "/deposits.gpkg", [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10)].map { Fixture.centre($0.0, $0.1) })
        let t = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", deposits, "--unit-cell-km2", "0.01", "--descending", "a=\(a)",
                "--categorical", "b=\(b)", "--out", "m.json",
            ], in: dir)
        try #require(t.status == 0, "\(t.stderr)")
        for (name, extra) in [("map-zstd.tif", [String]()), ("map-none.tif", ["--compress", "none"])] {
            let s = try CLI.run(["score", "--model", "m.json", "--out", name, "--uncertainty"] + extra, in: dir)
            try #require(s.status == 0, "\(s.stderr)")
        }
        let gdal = try RasterDataset.open(dir + "/map-zstd.tif")
        #expect(gdal.bandCount == 3 && gdal.bandDescription(band: 2) == "posterior_std")
        let reader = try #require(TileReader.make(dataset: try RasterDataset.open(dir + "/map-zstd.tif"), bands: [1, 2, 3]))
        #expect(TileReader.make(dataset: try RasterDataset.open(dir + "/map-none.tif"), bands: [1]) == nil)
        let block = gdal.blockSize()
        let count = gdal.blockCount()
        #expect(grid.columns % block.columns != 0 && grid.rows % block.rows != 0, "partial edge tiles")
        var expected = [Float](repeating: 0, count: block.columns * block.rows)
        var got = expected
        var nodata = 0
        for band in 1...3 {
            for br in 0..<count.rows {
                for bc in 0..<count.columns {
                    try expected.withUnsafeMutableBytes {
                        try gdal.readBlock(band: band, blockColumn: bc, blockRow: br, into: $0.baseAddress!)
                    }
                    try got.withUnsafeMutableBufferPointer {
                        try reader.read(
                            band: band, blockColumn: bc, blockRow: br, rows: block.rows, columns: block.columns, into: $0.baseAddress!,
                            stride: block.columns)
                    }
                    // The cells inside the map (GDAL leaves those past its edge as it likes).
                    for r in 0..<min(block.rows, grid.rows - br * block.rows) {
                        let row = (r * block.columns)..<(r * block.columns + min(block.columns, grid.columns - bc * block.columns))
                        #expect(
                            got[row].map(\.bitPattern) == expected[row].map(\.bitPattern), "band \(band), block (\(bc), \(br)), row \(r)")
                        nodata += got[row].filter { $0 == -9999 }.count
                    }
                }
            }
        }
        #expect(nodata > 0 && reader.blocksReadByGDAL == 0)
        var outputs: [String] = []
        for name in ["map-zstd", "map-none"] {
            let r = try CLI.run(
                [
                    "targets", "\(name).tif", "--out", "\(name).geojson", "--csv", "\(name).csv", "--tiles-out", "\(name)-tiles.geojson",
                    "--deposits", deposits, "--top", "0", "--min-cells", "1", "--top-area", "25", "--tile-size", "700",
                ], in: dir)
            try #require(r.status == 0, "\(r.stderr)")
            outputs.append(
                try ["\(name).geojson", "\(name).csv", "\(name)-tiles.geojson"].map {
                    try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)
                }.joined(separator: "\n").replacingOccurrences(of: name, with: "MAP"))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].contains("posterior_std"))
    }
}
