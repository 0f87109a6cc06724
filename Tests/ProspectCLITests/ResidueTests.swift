import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// What a killed run leaves is recognisable and removed by the next run; nothing else is, and no
/// command leaves GDAL side files.
@Suite("residue: temporaries of killed runs, side files")
struct ResidueTests {
    /// A process id no process has: above Linux's largest `pid_max` (2^22).
    static let deadPID = Int32.max

    /// The entries of `dir` that are temporaries of the output named `target`.
    static func temporaries(of target: String, in dir: String) -> [String] {
        CLI.files(in: dir).filter { TemporaryName.parse($0)?.target == target }.sorted()
    }

    /// A logistic model on the fixture stack, and two 2048² layers on its georeferencing that
    /// take a few seconds to score in a debug build.
    static func bigScoring(in dir: String) throws -> [String] {
        let s = try Fixture.stack(in: dir)
        let train = try CLI.run(
            [
                "train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b, "--out",
                "model.json",
            ], in: dir)
        try #require(train.status == 0, "\(train.stderr)")
        let big = Grid(columns: 2048, rows: 2048, transform: Fixture.grid.transform, crsName: "EPSG:32645")
        try Fixture.raster(dir + "/big_a.tif", grid: big) { c, r in Float((c ^ r) & 1023) / 1024 }
        try Fixture.raster(dir + "/big_b.tif", grid: big) { c, r in Float((c &* 7 &+ r &* 13) % 10) }
        return [
            "score", "--model", "model.json", "--threads", "1", "--compress", "deflate", "--evidence", "a=big_a.tif",
            "--evidence", "b=big_b.tif",
        ]
    }

    @Test("SIGKILL leaves a temporary named for its process; the next run removes it and writes the map")
    func killedScoringIsCleanedUpByTheNextRun() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let score = try Self.bigScoring(in: dir)
        let reference = try CLI.run(score + ["--out", "reference.tif"], in: dir)
        try #require(reference.status == 0, "\(reference.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = score + ["--out", "map.tif"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen: [String] = []
        for _ in 0..<5000 where process.isRunning && seen.isEmpty {
            seen = Self.temporaries(of: "map.tif", in: dir)
            if seen.isEmpty { usleep(2_000) }
        }
        try #require(!seen.isEmpty, "scoring finished before a temporary was seen")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)

        let left = Self.temporaries(of: "map.tif", in: dir)
        #expect(!left.isEmpty && !CLI.files(in: dir).contains("map.tif"), "\(CLI.files(in: dir))")
        for name in left {
            #expect(name.hasPrefix(".map.tif.prospect-\(process.processIdentifier)-"), "\(name)")
            #expect(TemporaryName.parse(name)?.pid == process.processIdentifier)
        }

        let again = try CLI.run(score + ["--out", "map.tif"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.temporaries(of: "map.tif", in: dir).isEmpty, "\(CLI.files(in: dir))")
        #expect(!CLI.files(in: dir).contains { $0.hasPrefix(".") }, "\(CLI.files(in: dir))")
        #expect(try readRaster(dir + "/map.tif") == readRaster(dir + "/reference.tif"))
    }

    @Test("temporaries of running processes, other outputs and other files are left alone")
    func onlyStaleTemporariesOfTheOutputsGo() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let train = try CLI.run(
            [
                "train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b, "--out",
                "model.json",
            ], in: dir)
        try #require(train.status == 0, "\(train.stderr)")
        let live = getpid()  // this test process: running
        let dead = Self.deadPID
        let kept = [
            ".map.tif.prospect-\(live)-1.partial.tif", ".map.tif.prospect-\(live)-1.partial.tif.aux.xml",
            ".stack.prospect-\(live)-4.partial", ".other.tif.prospect-\(dead)-1.partial.tif", ".map.tif.notes", "map.tif.bak",
        ]
        let stale = [
            ".map.tif.prospect-\(dead)-1.partial.tif", ".map.tif.prospect-\(dead)-2.partial.tif.aux.xml",
            ".stack.prospect-\(dead)-1.partial",
        ]
        for name in kept + stale where !name.hasPrefix(".stack") {
            try "x".write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
        }
        for name in (kept + stale).filter({ $0.hasPrefix(".stack") }) {
            try FileManager.default.createDirectory(atPath: dir + "/" + name + "/sub", withIntermediateDirectories: true)
            try "layer".write(toFile: dir + "/" + name + "/sub/a.tif", atomically: false, encoding: .utf8)
        }

        let score = try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir)
        #expect(score.status == 0, "\(score.stderr)")
        let prepare = try CLI.run(["prepare", "--reference", s.a, "--raster", "a=\(s.a)", "--out", "stack"], in: dir)
        #expect(prepare.status == 0, "\(prepare.stderr)")
        let files = CLI.files(in: dir)
        for name in kept { #expect(files.contains(name), "\(name) was removed") }
        for name in stale { #expect(!files.contains(name), "\(name) was left") }
        #expect(FileManager.default.fileExists(atPath: dir + "/.stack.prospect-\(live)-4.partial/sub/a.tif"))
        #expect(files.contains("map.tif") && CLI.files(in: dir + "/stack").contains("stack.json"))
    }

    @Test("prepare leaves no .aux.xml beside its files for an Arc/Info grid with a value attribute table")
    func noSideFilesFromArcInfoGrids() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // GDAL reads the grid's VAT as a raster attribute table, which a warp copies to its
        // output; a GeoTIFF holds one only in an .aux.xml side file.
        try writeArcInfoGrid(
            parent: dir, name: "geology", grid: Fixture.grid, classes: [(1, "granite"), (2, "basalt"), (3, "schist")]
        ) { c, r in c < 5 && r < 5 ? nil : Int32(1 + (c / 20) % 3) }
        var coarse = Fixture.grid
        coarse.columns /= 2
        coarse.rows /= 2
        coarse.transform = .northUp(left: Fixture.grid.extent.minX, top: Fixture.grid.extent.maxY, cellSize: 200)
        try writeArcInfoGrid(parent: dir, name: "coarse", grid: coarse) { c, r in Int32(c + r) }
        for (out, extra) in [("stack", [String]()), ("stack2", ["--cell-size", "50", "--crs", "EPSG:32645"])] {
            let grid = extra.isEmpty ? ["--reference", s.a] : extra + ["--extent", "350000,2375200,356400,2380000"]
            let r = try CLI.run(
                ["prepare"] + grid + ["--categorical", "rock=geology", "--raster", "c=coarse", "--raster", "a=\(s.a)", "--out", out],
                in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(CLI.files(in: dir + "/" + out) == ["rock.tif", "c.tif", "a.tif", "stack.vrt", "stack.json"])
        }
        let everything = try #require(FileManager.default.subpaths(atPath: dir))
        #expect(!everything.contains { $0.hasSuffix(".aux.xml") }, "\(everything.filter { $0.hasSuffix(".aux.xml") })")
        #expect(!everything.contains { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "\(everything)")
        let rock = try readRaster(dir + "/stack/rock.tif")
        #expect(Set(rock.filter { $0 != -9999 }) == [1, 2, 3] && rock[0] == -9999)
    }
}
