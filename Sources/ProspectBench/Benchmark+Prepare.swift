import Dispatch
import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline

/// The file-level parts of the evidence-preparation benchmarks in `Benchmarks/`: a synthetic
/// fault map, GDAL's proximity route and `Preparer.run` end to end. The in-memory kernels are
/// timed by the benchmark package itself.
extension Benchmark {
    /// A square north-up grid of `size`² cells of `cellSize` metres in EPSG:32645 (UTM 45N),
    /// its lower-left corner at (300 000, 2 000 000), on whole multiples of the cell size so
    /// that `prepare --crs EPSG:32645 --cell-size` with `extent(of:)` lands on the same cells.
    public static func prepareGrid(size: Int, cellSize: Double) throws -> Grid {
        let crs = try SpatialReference(epsg: 32645)
        return Grid(
            columns: size, rows: size,
            transform: .northUp(left: 300_000, top: 2_000_000 + Double(size) * cellSize, cellSize: cellSize),
            crsWKT: crs.wkt, crsName: "EPSG:32645")
    }

    /// `[xmin, ymin, xmax, ymax]` of `grid`.
    public static func extent(of grid: Grid) -> [Double] {
        let e = grid.extent
        return [e.minX, e.minY, e.maxX, e.maxY]
    }

    /// `count` straight fault segments: midpoints uniform over the grid, directions uniform,
    /// lengths uniform in `lengths` metres; the same for the same seed.
    public static func faultSegments(
        count: Int, grid: Grid, lengths: ClosedRange<Double> = 200...5000,
        seed: UInt64 = 11
    ) -> [Segment] {
        var rng = SplitMix64(seed: seed)
        let e = grid.extent
        return (0..<count).map { _ in
            let x = e.minX + rng.nextUnit() * (e.maxX - e.minX)
            let y = e.minY + rng.nextUnit() * (e.maxY - e.minY)
            let angle = rng.nextUnit() * Double.pi
            let half = (lengths.lowerBound + rng.nextUnit() * (lengths.upperBound - lengths.lowerBound)) / 2
            let dx = half * cos(angle)
            let dy = half * sin(angle)
            return Segment(x0: x - dx, y0: y - dy, x1: x + dx, y1: y + dy)
        }
    }

    /// Writes `segments` as two-vertex LineStrings, layer `faults`, to a GeoPackage in EPSG:32645.
    public static func writeFaults(_ segments: [Segment], to path: String) throws {
        let features = segments.enumerated().map { i, s in
            GeoJSONFeature(line: [(s.x0, s.y0), (s.x1, s.y1)], properties: [("id", .int(i + 1))])
        }
        try VectorWriter.write(
            path: path, driver: "GPKG", layerName: "faults", features: features,
            crs: try SpatialReference(epsg: 32645))
    }

    /// GDAL's distance route, timed: `GDALAlgorithms.proximity` (rasterize ALL_TOUCHED, then
    /// `GDALComputeProximity`) writing an uncompressed Float32 GeoTIFF in 256² tiles.
    ///
    /// - Returns: wall seconds and this process's peak RSS during the call (VmHWM, reset just
    ///   before); the raster stays at `outputPath` for `compareDistances`.
    public static func gdalProximity(vectorPath: String, grid: Grid, outputPath: String) throws -> (seconds: Double, peakRSSBytes: Int) {
        GDAL.initialize()
        unlink(outputPath)
        MemoryUsage.resetPeak()
        let t0 = DispatchTime.now().uptimeNanoseconds
        try GDALAlgorithms.proximity(
            vectorPath: vectorPath, grid: grid, outputPath: outputPath,
            creationOptions: ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER"])
        return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, MemoryUsage.peakResidentBytes())
    }

    /// How far GDAL's proximity raster at `path` is from the exact distances over `window`:
    /// the mean and largest |GDAL − exact| in metres, over cells GDAL gives a distance, and
    /// the grid cell where the largest is.
    public static func compareDistances(
        gdalRaster path: String, index: SegmentIndex, grid: Grid,
        window: Window
    ) throws -> (mean: Double, max: Double, column: Int, row: Int) {
        let ds = try RasterDataset.open(path)
        var theirs = [Float](repeating: 0, count: window.cellCount)
        try theirs.withUnsafeMutableBufferPointer { try ds.read(window: window, into: $0) }
        try ds.close()
        var ours = [Float](repeating: 0, count: window.cellCount)
        ours.withUnsafeMutableBufferPointer { DistanceField.compute(index: index, grid: grid, window: window, into: $0) }
        var sum = 0.0
        var worst = 0.0
        var at = 0
        var n = 0
        for i in 0..<window.cellCount where theirs[i].isFinite && theirs[i] >= 0 {
            let d = abs(Double(theirs[i]) - Double(ours[i]))
            sum += d
            if d > worst {
                worst = d
                at = i
            }
            n += 1
        }
        return (n > 0 ? sum / Double(n) : .nan, worst, window.column + at % window.columns, window.row + at / window.columns)
    }

    /// `prospect prepare --crs EPSG:32645 --cell-size … --extent … --distance VECTOR` end to
    /// end on all cores: a ZSTD GeoTIFF, the VRT and the manifest written into `outputDirectory`.
    ///
    /// - Returns: wall seconds of `Preparer.run`, the seconds it reports for the layer (vector
    ///   copy, distances, compressed write), and this process's peak RSS during the run
    ///   (VmHWM, reset just before).
    public static func prepareDistance(vectorPath: String, grid: Grid, outputDirectory: String) throws
        -> (seconds: Double, layerSeconds: Double, peakRSSBytes: Int, validCells: Int)
    {
        try? FileManager.default.removeItem(atPath: outputDirectory)
        var request = PrepareRequest(
            grid: .definition(crs: "EPSG:32645", cellSize: grid.transform.cellWidth, extent: extent(of: grid)),
            outputDirectory: outputDirectory,
            inputs: [.init(name: "fault_distance", source: .distance(VectorSource(path: vectorPath)))])
        request.threads = ProcessInfoCores.active
        MemoryUsage.resetPeak()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let report = try Preparer.run(request)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let peak = MemoryUsage.peakResidentBytes()
        let g = report.manifest.grid
        precondition(g.columns == grid.columns && g.rows == grid.rows, "prepare made the benchmark's grid")
        return (seconds, report.seconds.first ?? .nan, peak, report.manifest.layers.first?.validCells ?? 0)
    }
}
