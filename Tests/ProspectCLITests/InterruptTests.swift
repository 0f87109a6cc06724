import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("An interrupted run leaves nothing behind")
struct InterruptTests {
    /// A logistic model of the small fixture, and a `score` of it over 4096² layers on the same
    /// georeferencing (long enough to interrupt), not yet started, stdout and stderr discarded.
    static func startLargeScore(in dir: String, extra: [String] = []) throws -> Process {
        let s = try Fixture.stack(in: dir)
        #expect(
            try CLI.run(
                [
                    "train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b,
                    "--out", "model.json",
                ], in: dir
            ).status == 0)
        let big = Grid(columns: 4096, rows: 4096, transform: Fixture.grid.transform, crsName: "EPSG:32645")
        try Fixture.raster(dir + "/big_a.tif", grid: big) { c, r in Float((c ^ r) & 1023) / 1024 }
        try Fixture.raster(dir + "/big_b.tif", grid: big) { c, r in Float((c &* 7 &+ r &* 13) % 10) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments =
            [
                "score", "--model", "model.json", "--out", "map.tif", "--threads", "1", "--compress", "deflate",
                "--evidence", "a=big_a.tif", "--evidence", "b=big_b.tif",
            ] + extra
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// Waits until the partial map exists, then a little longer.
    static func waitForPartial(_ process: Process, in dir: String) throws {
        var sawPartial = false
        for _ in 0..<2000 where process.isRunning {
            if CLI.files(in: dir).contains(where: { $0.hasPrefix(".map.tif") }) {
                sawPartial = true
                break
            }
            usleep(2_000)
        }
        try #require(sawPartial, "scoring finished before it could be interrupted")
        usleep(50_000)
    }

    @Test("SIGINT during scoring removes the partial map and exits 130")
    func interruptScoring() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let process = try Self.startLargeScore(in: dir)
        try process.run()
        try Self.waitForPartial(process, in: dir)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let left = CLI.files(in: dir)
        #expect(!left.contains("map.tif"))
        #expect(!left.contains { $0.hasPrefix(".") }, "partial files left: \(left)")
    }
}
