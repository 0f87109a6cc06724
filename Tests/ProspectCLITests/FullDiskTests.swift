import Foundation
import ProspectTestSupport
import Testing

/// A small tmpfs mounted on a folder: a disk that can be filled in a test. Mounting needs
/// root (CAP_SYS_ADMIN); where it is refused the tests that need it are skipped.
enum SmallDisk {
    /// True when a tmpfs can be mounted here.
    static let available: Bool = {
        guard getuid() == 0, let folder = try? TemporaryFolder(prefix: "prospect-disk-probe") else { return false }
        guard mount(at: folder.path) else { return false }
        unmount(folder.path)
        return true
    }()

    /// Mounts a tmpfs of `size` (as `mount -o size=` takes it) on `folder`.
    @discardableResult
    static func mount(at folder: String, size: String = "1m") -> Bool {
        run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", folder])
    }

    static func unmount(_ folder: String) {
        if !run("/bin/umount", [folder]) { run("/bin/umount", ["-l", folder]) }
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Fills the disk holding `folder` with one file of zeros, written until the disk refuses.
    static func fill(_ folder: String) {
        let fd = open(folder + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        let chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
    }
}

/// Every file in `dir` with its bytes.
private func contents(_ dir: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for name in CLI.files(in: dir) { files[name] = FileManager.default.contents(atPath: dir + "/" + name) }
    return files
}

/// The earlier outputs of a command survive a run that fails on a full disk: these tests write
/// them on a 1 MiB tmpfs, fill it, and run the command again.
@Suite("A full disk leaves the earlier outputs as they were", .enabled(if: SmallDisk.available, "needs root to mount a tmpfs"))
struct FullDiskTests {
    @Test("targets and tiles: the run fails and the earlier pair stays")
    func targets() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(
            try CLI.run(
                ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b, "--out", "model.json"],
                in: dir
            )
            .status == 0)
        #expect(try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir).status == 0)
        let disk = dir + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(SmallDisk.mount(at: disk))
        defer { SmallDisk.unmount(disk) }
        let args = ["targets", "map.tif", "--out", "disk/targets.geojson", "--tiles-out", "disk/tiles.geojson"]
        let first = try CLI.run(args, in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        SmallDisk.fill(disk)
        let before = contents(disk)
        // All targets and tiles this time: more to write than the earlier top 10.
        let r = try CLI.run(args + ["--top", "0"], in: dir)
        #expect(r.status != 0, "exit 0: \(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("prospect: error: disk/targets.geojson: could not finish writing"), "\(r.stderr)")
        #expect(contents(disk) == before, "files now: \(CLI.files(in: disk))")
    }

    @Test("a model and its weights table: the run fails and the earlier pair stays")
    func weightsTable() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let disk = dir + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(SmallDisk.mount(at: disk))
        defer { SmallDisk.unmount(disk) }
        let args = [
            "train", "--deposits", s.deposits, "--evidence", s.a, "--categorical", s.b, "--unit-cell-km2", "0.01",
            "--out", "disk/model.json", "--weights-table", "disk/weights.csv",
        ]
        let first = try CLI.run(args, in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        SmallDisk.fill(disk)
        let before = contents(disk)
        let r = try CLI.run(args, in: dir)
        #expect(r.status != 0, "exit 0: \(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("prospect: error: disk/"), "\(r.stderr)")
        #expect(contents(disk) == before, "files now: \(CLI.files(in: disk))")
    }

    @Test("score: the run fails with one line naming the map, and the earlier map stays")
    func score() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        // 700 × 700 cells of noise: the map compresses to more than the 1 MiB disk holds, while
        // its header fits, so the run fails appending tiles.
        var grid = Fixture.grid
        grid.columns = 700
        grid.rows = 700
        grid.crsWKT = try Fixture.utm().wkt
        try writeRaster(dir + "/a.tif", grid: grid, nodata: -9999) { c, r in
            Float((c &* 73_856_093 ^ r &* 19_349_663) & 0xFFFFF) / Float(0xFFFFF)
        }
        let deposits = try Fixture.points(
            dir + "/deposits.gpkg",
            [(600, 20), (610, 100), (590, 300), (620, 450), (500, 200)].map {
                grid.transform.map(column: Double($0.0) + 0.5, row: Double($0.1) + 0.5)
            }
            .map { ($0.x, $0.y) })
        let train = try CLI.run(
            ["train", "--method", "logistic", "--deposits", deposits, "--evidence", "a=a.tif", "--out", "model.json"], in: dir)
        try #require(train.status == 0, "\(train.stderr)")
        let disk = dir + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(SmallDisk.mount(at: disk))
        defer { SmallDisk.unmount(disk) }
        try "an earlier map".write(toFile: disk + "/map.tif", atomically: false, encoding: .utf8)
        let before = contents(disk)
        let r = try CLI.run(["score", "--model", "model.json", "--out", "disk/map.tif"], in: dir)
        #expect(r.status != 0, "exit 0: \(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("prospect: error: disk/map.tif: cannot write tile ("), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("No space left on device\n"), "\(r.stderr)")
        #expect(contents(disk) == before, "files now: \(CLI.files(in: disk))")
    }
}
