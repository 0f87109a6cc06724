import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline

/// `prospect bench --targets`: delineating targets on a large map, time and peak memory.
public struct TargetBenchmarkReport: Sendable, Codable {
    public var size: Int
    public var seconds: Double
    public var peakRSSBytes: Int
    public var targets: Int
    public var components: Int
    public var threshold: Double
    public var machine: String
}

extension Benchmark {
    /// Writes a `size`² probability map as `prospect score` writes one (float32, 256² tiles,
    /// ZSTD level 1 with the floating-point predictor, nodata −9999, method logistic), from the
    /// first synthetic layer through a logistic curve; reused when already there.
    public static func prepareTargetMap(directory: String, size: Int) throws -> String {
        GDAL.initialize()
        try OutputFiles.createFolder(directory)
        let path = "\(directory)/bench_targets_\(size).tif"
        if FileManager.default.fileExists(atPath: path) { return path }
        let grid = Grid(
            columns: size, rows: size, transform: .northUp(left: 340_000, top: 2_390_000, cellSize: 30),
            crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
        let out = try AtomicOutput(path)
        let ds = try RasterDataset.create(
            out.temporaryPath, grid: grid, type: .float32,
            options: [
                "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER", "COMPRESS=ZSTD", "ZSTD_LEVEL=1", "PREDICTOR=3",
            ])
        try ds.setNodata(-9999)
        try ds.setMetadata(["PROSPECT_METHOD": "logistic"])
        let strip = 256
        var buffer = [Float](repeating: 0, count: size * strip)
        var row = 0
        while row < size {
            let rows = min(strip, size - row)
            buffer.withUnsafeMutableBufferPointer { b in
                SyntheticStack.fillLayer(b, columns: size, firstRow: row, rows: rows, layer: 0, seed: 7)
                for i in 0..<(size * rows) where b[i] != -9999 { b[i] = 1 / (1 + exp(-((b[i] - 100) / 8 - 4))) }
            }
            try buffer.withUnsafeBufferPointer {
                try ds.write(
                    window: Window(column: 0, row: row, columns: size, rows: rows),
                    from: UnsafeBufferPointer(rebasing: $0[0..<(size * rows)]))
            }
            row += rows
        }
        try ds.close()
        try out.commit()
        return path
    }

    /// Finds the targets of the map (defaults: top 5 % of the area, the 10 best) into
    /// `directory`, and reports the time and the peak resident memory of the run.
    public static func targets(mapPath: String, directory: String, size: Int, machine: String) throws -> TargetBenchmarkReport {
        let out = "\(directory)/bench_targets.geojson"
        MemoryUsage.resetPeak()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let report = try TargetFinder.find(mapPath: mapPath, outputPath: out)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let peak = MemoryUsage.peakResidentBytes()
        unlink(out)
        return TargetBenchmarkReport(
            size: size, seconds: seconds, peakRSSBytes: peak, targets: report.targets.count, components: report.components,
            threshold: report.threshold, machine: machine)
    }
}
