// Evidence preparation (`swift run -c release prospect-benchmarks --prepare`): distance to
// faults, Prospect's exact field against GDAL's rasterize + proximity route; line and point
// density; the transform kernels against their scalar references and a memcpy.
//
// One synthetic grid of 8192² cells of 50 m (EPSG:32645) and 3000 seeded fault segments of
// 200 m – 5 km, written once to a GeoPackage in the work folder. Figures are the best of the
// repetitions shown; compare ratios within one run.
import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

enum PrepareBenchmarks {
    static let size = 8192
    static let cellSize = 50.0
    static let faults = 3000
    static let bandRows = 256

    static func seconds(_ repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }

    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// Fills `grid` band by band with `body` on `threads` workers, discarding each band once
    /// written (BandedFill reuses its band buffers); returns one value per band so the work
    /// is observed.
    static func fill(_ grid: Grid, threads: Int, _ body: @escaping @Sendable (Window, UnsafeMutableBufferPointer<Float>) -> Void) -> Double
    {
        var sink = 0.0
        try! BandedFill.fill(grid: grid, rowsPerBand: bandRows, threads: threads, body: body) { _, band in
            sink += Double(band[band.count / 2])
        }
        return sink
    }

    static func run() throws {
        let threads = ProcessInfoCores.active
        let directory = NSTemporaryDirectory() + "prospect-bench-prepare"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let grid = try Benchmark.prepareGrid(size: size, cellSize: cellSize)
        let cells = Double(grid.cellCount)
        let segments = Benchmark.faultSegments(count: faults, grid: grid)
        let faultsPath = directory + "/faults.gpkg"
        try Benchmark.writeFaults(segments, to: faultsPath)
        print(
            "evidence preparation: \(size)² cells of \(Int(cellSize)) m (EPSG:32645), \(faults) fault segments of 200 m – 5 km, \(threads) threads; work folder \(directory)"
        )
        var sink = 0.0

        // 1. Distance to faults.
        var index = SegmentIndex([])
        let indexSeconds = seconds(3) { index = SegmentIndex(segments) }
        let frozen = index
        let distanceAll = seconds(5) {
            sink += fill(grid, threads: threads) { w, b in DistanceField.compute(index: frozen, grid: grid, window: w, into: b) }
        }
        let distanceOne = seconds(3) {
            sink += fill(grid, threads: 1) { w, b in DistanceField.compute(index: frozen, grid: grid, window: w, into: b) }
        }
        let gdalPath = directory + "/gdal_proximity.tif"
        var gdal = Double.infinity
        var gdalRSS = 0
        for _ in 0..<2 {
            let run = try Benchmark.gdalProximity(vectorPath: faultsPath, grid: grid, outputPath: gdalPath)
            gdal = min(gdal, run.seconds)
            gdalRSS = max(gdalRSS, run.peakRSSBytes)
        }
        // Away from the edges: GDAL burns only the part of a fault inside the grid, DistanceField
        // measures to the whole fault (up to 2.5 km of a fault may lie beyond the edge).
        let margin = 64
        let middle = Window(column: margin, row: size / 2, columns: size - 2 * margin, rows: bandRows)
        let difference = try Benchmark.compareDistances(gdalRaster: gdalPath, index: frozen, grid: grid, window: middle)
        unlink(gdalPath)
        var prepared = (seconds: Double.infinity, layerSeconds: Double.infinity, peakRSSBytes: 0, validCells: 0)
        for _ in 0..<2 {
            let run = try Benchmark.prepareDistance(vectorPath: faultsPath, grid: grid, outputDirectory: directory + "/prepared")
            if run.seconds < prepared.seconds { prepared = (run.seconds, run.layerSeconds, prepared.peakRSSBytes, run.validCells) }
            prepared.peakRSSBytes = max(prepared.peakRSSBytes, run.peakRSSBytes)
        }
        try? FileManager.default.removeItem(atPath: directory + "/prepared")

        print("\ndistance to the nearest fault (index of \(faults) segments built in \(f(indexSeconds * 1e3, 1)) ms)")
        var table = [["route", "threads", "seconds", "M cells/s", "GDAL ÷ this", "peak RSS"]]
        table.append([
            "Prospect DistanceField + BandedFill, in memory", String(threads), f(distanceAll, 2), f(cells / distanceAll / 1e6, 1),
            f(gdal / distanceAll, 1) + "×", "",
        ])
        table.append([
            "Prospect DistanceField + BandedFill, in memory", "1", f(distanceOne, 2), f(cells / distanceOne / 1e6, 1),
            f(gdal / distanceOne, 1) + "×", "",
        ])
        table.append([
            "GDAL rasterize ALL_TOUCHED + ComputeProximity → GeoTIFF", "1", f(gdal, 2), f(cells / gdal / 1e6, 1), "1.0×",
            "\(gdalRSS >> 20) MiB",
        ])
        table.append([
            "Preparer.run --distance → ZSTD GeoTIFF + manifest", String(threads), f(prepared.seconds, 2),
            f(cells / prepared.seconds / 1e6, 1), f(gdal / prepared.seconds, 1) + "×", "\(prepared.peakRSSBytes >> 20) MiB",
        ])
        print(Reports.table(table), terminator: "")
        print(
            "Preparer.run: \(f(prepared.layerSeconds, 2)) s in the layer (vector copy, distances, compressed write), \(prepared.validCells) cells with data"
        )
        print(
            "GDAL − exact over rows \(middle.row)–\(middle.row + middle.rows - 1), columns \(margin)–\(size - margin - 1): mean \(f(difference.mean, 1)) m, largest \(f(difference.max, 1)) m at column \(difference.column), row \(difference.row)"
        )

        // 2. Density.
        var rng = SplitMix64(seed: 12)
        let e = grid.extent
        let points = (0..<faults).map { _ in
            (x: e.minX + rng.nextUnit() * (e.maxX - e.minX), y: e.minY + rng.nextUnit() * (e.maxY - e.minY))
        }
        let pointIndex = SegmentIndex(points: points)
        let line1 = seconds(2) {
            sink += fill(grid, threads: threads) { w, b in
                DensityField.computeLines(index: frozen, grid: grid, window: w, radius: 1000, into: b)
            }
        }
        let line5 = seconds(2) {
            sink += fill(grid, threads: threads) { w, b in
                DensityField.computeLines(index: frozen, grid: grid, window: w, radius: 5000, into: b)
            }
        }
        let point2 = seconds(2) {
            sink += fill(grid, threads: threads) { w, b in
                DensityField.computePoints(index: pointIndex, grid: grid, window: w, radius: 2000, into: b)
            }
        }
        print("\ndensity, in memory, \(threads) threads")
        table = [["field", "seconds", "M cells/s"]]
        table.append(["line density, \(faults) segments, radius 1 km", f(line1, 2), f(cells / line1 / 1e6, 1)])
        table.append(["line density, \(faults) segments, radius 5 km", f(line5, 2), f(cells / line5 / 1e6, 1)])
        table.append(["point density, \(faults) points, radius 2 km", f(point2, 2), f(cells / point2 / 1e6, 1)])
        print(Reports.table(table), terminator: "")

        // 3. Transforms, in place on 16 M cells of a synthetic layer (0.1 % nodata), 1 thread.
        let n = 1 << 24
        let source = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer {
            source.deallocate()
            work.deallocate()
        }
        SyntheticStack.fillLayer(source, columns: 8192, firstRow: 0, rows: n / 8192, layer: 0, seed: 7)
        let nodata = SyntheticStack.nodata
        var acc = StatisticsAccumulator()
        acc.add(UnsafeBufferPointer(source), nodata: nodata)
        let stats = acc.statistics!
        func restore() { _ = work.update(fromContentsOf: source) }
        func resolved(_ chain: [LayerTransform]) -> [LayerTransform] {
            restore()
            return TransformKernel.fit(chain, work, nodata: nodata)!
        }
        let chains: [(String, [LayerTransform])] = [
            ("zscore", resolved([.zScore(mean: nil, std: nil)])),
            ("log", resolved([.log(offset: 0)])),
            ("fuzzy-gaussian", resolved([.fuzzyGaussian(midpoint: nil, spread: 1 / (2 * stats.std * stats.std))])),
            ("fuzzy-large", resolved([.fuzzyLarge(midpoint: nil, spread: LayerTransform.defaultSmallLargeSpread)])),
            ("clip → log → minmax", resolved([.clip(lower: nil, upper: 200), .log(offset: 0), .minMax(min: nil, max: nil)])),
        ]
        // Only the kernel is timed; the buffer is restored before each repetition.
        func timed(_ repetitions: Int, _ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<repetitions {
                restore()
                best = min(best, seconds(1, body))
            }
            return best
        }
        let copy = seconds(5) { _ = memcpy(work.baseAddress!, source.baseAddress!, n * MemoryLayout<Float>.stride) }
        print(
            "\ntransforms, in place on \(n >> 20) Mi float32 cells, 1 thread (memcpy of the same buffer: \(f(Double(n) / copy / 1e6, 0)) M cells/s, \(f(8 * Double(n) / copy / 1e9, 1)) GB/s)"
        )
        table = [["chain", "kernel M cells/s", "of memcpy", "reference M cells/s", "speed-up"]]
        for (name, chain) in chains {
            let fast = timed(5) { TransformKernel.apply(chain, work, nodata: nodata) }
            sink += Double(work[n / 2])
            let reference = timed(2) { TransformKernel.reference(chain, work, nodata: nodata) }
            sink += Double(work[n / 2])
            table.append([
                name, f(Double(n) / fast / 1e6, 0), f(100 * copy / fast, 0) + " %", f(Double(n) / reference / 1e6, 1),
                f(reference / fast, 1) + "×",
            ])
        }
        print(Reports.table(table), terminator: "")
        if sink == 42 { print("") }  // keeps the results observed
    }
}
