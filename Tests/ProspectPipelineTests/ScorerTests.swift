import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

@Suite("File scoring engine")
struct ScorerTests {
    @Test(
        "tiles on all threads equal the scalar reference, block-aligned and windowed, with edge tiles and nodata",
        arguments: [true, false])
    func matchesReference(tiled: Bool) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let grid = Grid(
            columns: 200, rows: 150, transform: .northUp(left: 0, top: 1000, cellSize: 10),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        try writeRaster(dir + "/x.tif", grid: grid, nodata: -9999, blockSize: tiled ? 64 : nil) { c, r in
            (c * 31 + r * 17) % 97 == 0 ? -9999 : Float(c) / 20 + Float(r % 7)
        }
        try writeRaster(dir + "/y.tif", grid: grid, nodata: -9999, blockSize: tiled ? 64 : nil) { c, r in Float((c + r) % 11) / 3 }
        try writeRaster(dir + "/k.tif", grid: grid, type: .byte, nodata: 0, blockSize: tiled ? 64 : nil) { c, r in
            Float((c / 20 + r / 30) % 5)
        }
        let specs = [
            LayerSpec(name: "x", path: dir + "/x.tif", kind: .continuous),
            LayerSpec(name: "y", path: dir + "/y.tif", kind: .continuous),
            LayerSpec(name: "k", path: dir + "/k.tif", kind: .categorical),
        ]
        let stack = try EvidenceStack.open(specs)
        #expect(stack.tiling.blockAligned == tiled)
        let model = AdditiveModel(
            intercept: -1,
            terms: [
                .linear(coefficient: 0.3, center: 2), .step(threshold: 1.5, above: 0.8, below: -0.2),
                .lookup(codes: [1, 2, 3], values: [0.5, -1, 2], otherwise: 0),
            ],
            nodata: stack.nodata)
        let file = ModelFile(
            tool: "test", created: "", layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: $0.kind) },
            payload: .logistic(model), parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
        var options = ScoreOptions()
        options.threads = 3
        let report = try Scorer.score(model: file, stack: stack, outputPath: dir + "/out.tif", options: options)
        let out = try readRaster(dir + "/out.tif")
        let inputs = try specs.map { try readRaster($0.path) }
        var expected = [Float](repeating: 0, count: grid.cellCount)
        inputs[0].withUnsafeBufferPointer { x in
            inputs[1].withUnsafeBufferPointer { y in
                inputs[2].withUnsafeBufferPointer { k in
                    expected.withUnsafeMutableBufferPointer {
                        ScoreKernel.reference(model: model, layers: [x, y, k], output: $0, outputNodata: options.nodata)
                    }
                }
            }
        }
        var maxDiff: Float = 0
        for i in 0..<grid.cellCount {
            if expected[i] == options.nodata {
                #expect(out[i] == options.nodata)
            } else {
                maxDiff = max(maxDiff, abs(out[i] - expected[i]))
            }
        }
        #expect(maxDiff < 2e-6)
        #expect(report.validCells == expected.filter { $0 != options.nodata }.count)
        #expect(report.validCells < grid.cellCount, "the fixture has nodata cells")
    }

    @Test(
        "a ZSTD map encoded on the workers is the file GDAL's driver writes, for any thread count and level",
        arguments: [true, false], [1, 3])
    func workersEncodeAsGDAL(tiled: Bool, threads: Int) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        // 200 × 150 cells: edge tiles in both directions, for 64² blocks and 256² windows alike.
        let grid = Grid(
            columns: 200, rows: 150, transform: .northUp(left: 0, top: 1000, cellSize: 10),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        try writeRaster(dir + "/x.tif", grid: grid, nodata: -9999, blockSize: tiled ? 64 : nil) { c, r in
            (c * 31 + r * 17) % 97 == 0 ? -9999 : Float(c) / 20 + Float(r % 7)
        }
        try writeRaster(dir + "/k.tif", grid: grid, type: .byte, nodata: 0, blockSize: tiled ? 64 : nil) { c, r in
            Float((c / 20 + r / 30) % 3 + 1)
        }
        let specs = [
            LayerSpec(name: "x", path: dir + "/x.tif", kind: .continuous),
            LayerSpec(name: "k", path: dir + "/k.tif", kind: .categorical),
        ]
        let stack = try EvidenceStack.open(specs)
        // Weights of evidence with its variance: three bands (probability, standard deviation,
        // confidence), each written tile by tile.
        let model = AdditiveModel(
            intercept: -4.6,
            terms: [.step(threshold: 3, above: 0.7, below: -0.3), .lookup(codes: [1, 2], values: [0.9, -1.1], otherwise: 0)],
            nodata: stack.nodata)
        let variance = WofEVariance(
            priorVariance: 0.5,
            terms: [.step(threshold: 3, above: 0.25, below: 0.1), .lookup(codes: [1, 2], values: [0.3, 0.2], otherwise: 0)])
        let file = ModelFile(
            tool: "test", created: "", layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: $0.kind) },
            payload: .weightsOfEvidence(model, variance: variance), parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
        for (level, bands) in [(1, false), (1, true), (7, true)] {
            var options = ScoreOptions()
            options.threads = threads
            options.level = level
            options.extraBands = bands
            let provenance = ["PROSPECT_CREATED": "2024-05-01T12:00:00Z"]
            _ = try Scorer.score(model: file, stack: stack, outputPath: dir + "/workers.tif", options: options, provenance: provenance)
            options.encodeOnWorkers = false
            _ = try Scorer.score(model: file, stack: stack, outputPath: dir + "/gdal.tif", options: options, provenance: provenance)
            let workers = try Data(contentsOf: URL(fileURLWithPath: dir + "/workers.tif"))
            #expect(
                workers == (try Data(contentsOf: URL(fileURLWithPath: dir + "/gdal.tif"))),
                "level \(level), \(bands ? 3 : 1) band(s): the files differ")
            #expect(try RasterDataset.open(dir + "/workers.tif").bandCount == (bands ? 3 : 1))
        }
    }

    @Test("by default, tiles of few values are GDAL's level 1 and noisy tiles take the fast setting, both read back exactly")
    func defaultEncoding() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        // Left half: three classes (runs after the predictor); right half: noise.
        let grid = Grid(
            columns: 512, rows: 256, transform: .northUp(left: 0, top: 1000, cellSize: 10),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        try writeRaster(dir + "/x.tif", grid: grid, nodata: -9999, blockSize: 256) { c, r in
            c < 256 ? Float((c / 40 + r / 50) % 3) : Float((c &* 73_856_093 ^ r &* 19_349_663) & 0xFFFF) / 6553.6
        }
        let specs = [LayerSpec(name: "x", path: dir + "/x.tif", kind: .continuous)]
        let stack = try EvidenceStack.open(specs)
        let model = AdditiveModel(intercept: -2, terms: [.linear(coefficient: 0.7, center: 1)], nodata: stack.nodata)
        let file = ModelFile(
            tool: "test", created: "", layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: $0.kind) },
            payload: .logistic(model), parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
        var options = ScoreOptions()
        options.threads = 2
        _ = try Scorer.score(model: file, stack: stack, outputPath: dir + "/auto.tif", options: options)
        options.compression = .none
        _ = try Scorer.score(model: file, stack: stack, outputPath: dir + "/none.tif", options: options)
        #expect(try readRaster(dir + "/auto.tif").map(\.bitPattern) == (try readRaster(dir + "/none.tif")).map(\.bitPattern))
        // Each tile as the encoder would write it with either setting, against the file's bytes.
        let map = try RasterDataset.open(dir + "/auto.tif")
        let values = try readRaster(dir + "/none.tif")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/auto.tif")))
        let compressor = try ZstdCompressor()
        var chosen: [ZstdSetting] = []
        for bc in 0..<2 {
            var tile = [Float](repeating: 0, count: 256 * 256)
            for r in 0..<256 { for c in 0..<256 { tile[r * 256 + c] = values[r * 512 + bc * 256 + c] } }
            var predicted = [UInt8](repeating: 0, count: 4 * tile.count)
            tile.withUnsafeBufferPointer { t in predicted.withUnsafeMutableBytes { FloatPredictor.encode(t, columns: 256, into: $0) } }
            let setting = predicted.withUnsafeBytes { TileEncoder.setting(for: $0, encoding: TileEncoding(ScoreOptions())) }
            chosen.append(setting)
            var frame = [UInt8](repeating: 0, count: ZstdCompressor.bound(predicted.count))
            let n = try predicted.withUnsafeBytes { p in
                try frame.withUnsafeMutableBytes { try compressor.compress(p, into: $0, setting: setting) }
            }
            let offset = Int(map.bandMetadataItem("BLOCK_OFFSET_\(bc)_0", domain: "TIFF") ?? "") ?? -1
            let size = Int(map.bandMetadataItem("BLOCK_SIZE_\(bc)_0", domain: "TIFF") ?? "") ?? -1
            try #require(offset > 0 && size == n, "tile \(bc): \(size) bytes in the file, \(n) encoded")
            #expect(Array(bytes[offset..<(offset + size)]) == Array(frame[0..<n]), "tile \(bc)")
        }
        #expect(chosen == [.level(1), .fast])
    }

    @Test("every creation option the scorer passes is one the GeoTIFF or COG driver takes", arguments: ScoreOptions.Compression.allCases)
    func creationOptionsKnown(compression: ScoreOptions.Compression) {
        var options = ScoreOptions()
        options.compression = compression
        let name = { (option: String) in String(option.prefix { $0 != "=" }) }
        let gtiff = GDAL.creationOptionNames(driver: "GTiff")
        let cog = GDAL.creationOptionNames(driver: "COG")
        #expect(gtiff.contains("ZSTD_LEVEL") && cog.contains("LEVEL"), "the drivers' lists were read")
        for option in Scorer.compressionOptions(options) { #expect(gtiff.contains(name(option)), "GTiff: \(option)") }
        for option in Scorer.cogCompressionOptions(options) { #expect(cog.contains(name(option)), "COG: \(option)") }
        if compression == .zstd || compression == .deflate { #expect(Scorer.cogCompressionOptions(options).contains("LEVEL=1")) }
    }

    @Test("relative layer paths resolve against the model's folder")
    func relativePaths() {
        #expect(RelativePath.make("/a/b/Rasters/x.tif", from: "/a/b/out") == "../Rasters/x.tif")
        #expect(RelativePath.resolve("../Rasters/x.tif", from: "/a/b/out") == "/a/b/Rasters/x.tif")
        #expect(RelativePath.make("/tmp/x.tif", from: "/home/u") == "/tmp/x.tif")
    }

    @Test("a failed write leaves neither the output nor a partial file")
    func atomicOutput() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        do {
            let out = try AtomicOutput(dir + "/result.txt")
            try "partial".write(toFile: out.temporaryPath, atomically: false, encoding: .utf8)
            #expect(FileManager.default.fileExists(atPath: out.temporaryPath))
            out.discard()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        #expect(throws: PipelineError.self) { try AtomicOutput(dir + "/missing-folder/x.tif") }
    }
}
