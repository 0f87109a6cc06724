import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport

/// The result of running the `prospect` executable.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The package root (two levels above this file's folder).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The demo rasters committed with the project.
    static var demoData: String { packageRoot + "/Rasters" }

    /// The `prospect` binary built beside the test bundle.
    static let binary: String = {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent()] {
            let p = dir.appendingPathComponent("prospect").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return packageRoot + "/.build/debug/prospect"
    }()

    /// Runs `prospect` with `arguments` in `directory`, capturing both streams.
    /// - Parameter environment: variables to set (a value) or remove (nil) in the child's
    ///   environment, which is otherwise this process's.
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String?] = [:]) throws -> CLIResult {
        try execute(binary, arguments, in: directory, environment: environment)
    }

    /// Runs `executable` with `arguments` in `directory`, capturing both streams.
    /// - Parameter environment: variables to set (a value) or remove (nil) in the child's
    ///   environment, which is otherwise this process's.
    static func execute(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String?] = [:]
    ) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty {
            var variables = ProcessInfo.processInfo.environment
            for (name, value) in environment { variables[name] = value }
            process.environment = variables
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes fully before waiting so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Every file in `directory`, hidden ones included.
    static func files(in directory: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    }
}

/// Small evidence stacks written with GDAL for the tests.
enum Fixture {
    static let grid = Grid(
        columns: 64, rows: 48, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
        crsName: "EPSG:32645")

    static func utm() throws -> SpatialReference { try SpatialReference(epsg: 32645) }

    /// Writes a float32 raster filled by `value(column, row)`.
    @discardableResult
    static func raster(
        _ path: String, grid g: Grid = grid, nodata: Float = -9999, tiled: Bool = true,
        value: (Int, Int) -> Float
    ) throws -> String {
        var grid = g
        grid.crsWKT = try utm().wkt
        try writeRaster(path, grid: grid, nodata: Double(nodata), blockSize: tiled ? 16 : nil, value: value)
        return path
    }

    /// Writes points (map coordinates in `crs`) to a GeoPackage.
    @discardableResult
    static func points(_ path: String, _ xy: [(Double, Double)], crs: SpatialReference? = nil) throws -> String {
        let features = xy.enumerated().map { i, p in
            GeoJSONFeature(rings: [[(p.0, p.1)]], properties: [("id", .string("P\(i + 1)"))])
        }
        try VectorWriter.write(path: path, driver: "GPKG", layerName: "deposits", features: features, crs: crs ?? utm())
        return path
    }

    /// Map coordinates of a cell centre of `grid`.
    static func centre(_ c: Int, _ r: Int) -> (Double, Double) {
        let p = grid.transform.map(column: Double(c) + 0.5, row: Double(r) + 0.5)
        return (p.x, p.y)
    }

    /// A two-layer stack with deposits where layer "a" is high: returns the paths.
    static func stack(in dir: String) throws -> (a: String, b: String, deposits: String) {
        let a = try raster(dir + "/a.tif") { c, r in Float(c) / 64 }
        let b = try raster(dir + "/b.tif") { c, r in Float((c * 7 + r * 13) % 10) }
        let deposits = try points(
            dir + "/deposits.gpkg", [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10)].map { centre($0.0, $0.1) })
        return (a, b, deposits)
    }
}
