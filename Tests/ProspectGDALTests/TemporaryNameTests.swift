import Foundation
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// One naming scheme for every temporary, and the cleanup of those whose maker is gone.
@Suite struct TemporaryNameTests {
    /// A process id no process has: above Linux's largest `pid_max` (2^22).
    static let deadPID = Int32.max

    @Test func namesCarryTheOutputTheProcessAndTheExtension() throws {
        let path = TemporaryName.make(for: "/data/out/map.tif")
        let name = (path as NSString).lastPathComponent
        #expect((path as NSString).deletingLastPathComponent == "/data/out")
        #expect(name.hasPrefix(".map.tif.prospect-\(getpid())-") && name.hasSuffix(".partial.tif"), "\(name)")
        let parsed = try #require(TemporaryName.parse(name))
        #expect(parsed.target == "map.tif" && parsed.pid == getpid() && parsed.rest == "tif")
        // Each call gives another name; a folder without an extension gets none.
        #expect(TemporaryName.make(for: "/data/out/map.tif") != path)
        let staging = (TemporaryName.make(for: "stack") as NSString).lastPathComponent
        #expect(staging.hasPrefix(".stack.prospect-") && staging.hasSuffix(".partial"), "\(staging)")
        #expect(TemporaryName.parse(staging)?.rest == "")
    }

    @Test func aTemporaryOfATemporaryBelongsToTheSameOutput() throws {
        let first = TemporaryName.make(for: "/d/map.tif")
        let second = TemporaryName.make(for: first)
        let a = try #require(TemporaryName.parse((first as NSString).lastPathComponent))
        let b = try #require(TemporaryName.parse((second as NSString).lastPathComponent))
        #expect(b.target == "map.tif" && b.serial != a.serial && b.rest == "tif")
        #expect((second as NSString).deletingLastPathComponent == "/d")
    }

    @Test func sideFilesParseAsTheirTemporary() throws {
        let name = ".faults.shp.prospect-812-3.partial"
        for (suffix, rest) in [(".shp", "shp"), (".dbf", "dbf"), (".shp.aux.xml", "shp.aux.xml"), (".gpkg-journal", "gpkg-journal")] {
            let t = try #require(TemporaryName.parse(name + suffix))
            #expect(t == TemporaryName(target: "faults.shp", pid: 812, serial: 3, rest: rest))
        }
        #expect(TemporaryName.parse(".a.b.prospect-5-1.partial.tif")?.target == "a.b")
    }

    @Test(arguments: [
        "map.tif", ".map.tif.123.partial", "map.tif.tmp-4064911441.tif", ".map.tif.prospect-.partial",
        ".map.tif.prospect-12.partial", ".map.tif.prospect-x-1.partial", ".map.tif.prospect-12-1.partialx",
        ".map.tif.prospect-12-1.partial.", ".prospect-12-1.partial", ".map.tif.prospect-0-1.partial",
        ".map.tif.prospect-+12-1.partial", "map.tif.prospect-12-1.partial", ".map.tif.prospect-99999999999-1.partial",
    ])
    func otherNamesAreNotTemporaries(_ name: String) {
        #expect(TemporaryName.parse(name) == nil)
    }

    @Test func aDeadMakerIsStaleALiveOneIsNot() throws {
        let now = Date().timeIntervalSince1970
        #expect(StaleTemporaries.isStale(TemporaryName(target: "x", pid: Self.deadPID, serial: 1, rest: ""), modified: now))
        #expect(!StaleTemporaries.isStale(TemporaryName(target: "x", pid: getpid(), serial: 1, rest: ""), modified: now))
    }

    @Test func aTemporaryOlderThanTheProcessWithItsIDIsStale() throws {
        // The id was reused: this process started after the temporary was last written.
        let start = try #require(StaleTemporaries.startTime(of: getpid()))
        #expect(start <= Date().timeIntervalSince1970 + 1)
        let own = TemporaryName(target: "x", pid: getpid(), serial: 1, rest: "")
        #expect(StaleTemporaries.isStale(own, modified: start - 3600))
        #expect(!StaleTemporaries.isStale(own, modified: start + 1))
    }

    @Test func removesOnlyStaleTemporariesOfTheGivenOutputs() throws {
        try withTemporaryDirectory { dir in
            let fm = FileManager.default
            let dead = Self.deadPID
            let live = getpid()
            let staleMap = [".map.tif.prospect-\(dead)-1.partial.tif", ".map.tif.prospect-\(dead)-1.partial.tif.aux.xml"]
            let staleStaging = ".stack.prospect-\(dead)-2.partial"
            let kept = [
                ".map.tif.prospect-\(live)-1.partial.tif",  // a running process's
                ".other.tif.prospect-\(dead)-1.partial.tif",  // another output's
                ".map.tif.123.partial", "map.tif.tmp-77.tif", "notes.txt", "map.tif",  // not temporaries
            ]
            for name in staleMap + kept { try "x".write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
            try fm.createDirectory(atPath: dir + "/" + staleStaging + "/inner", withIntermediateDirectories: true)
            try "layer".write(toFile: dir + "/" + staleStaging + "/inner/a.tif", atomically: false, encoding: .utf8)
            try fm.createDirectory(atPath: dir + "/stack", withIntermediateDirectories: true)

            let removed = StaleTemporaries.remove(of: [dir + "/map.tif", dir + "/stack"])
            #expect(Set(removed.map { ($0 as NSString).lastPathComponent }) == Set(staleMap + [staleStaging]))
            #expect(Set(try fm.contentsOfDirectory(atPath: dir)) == Set(kept + ["stack"]))
        }
    }

    @Test func interruptCleanupRemovesEveryPartOfATemporary() throws {
        try withTemporaryDirectory { dir in
            let temporary = TemporaryName.make(for: dir + "/faults.shp")
            let stem = (temporary as NSString).deletingPathExtension
            for ext in ["shp", "shx", "dbf", "prj", "shp.aux.xml"] {
                try "x".write(toFile: stem + "." + ext, atomically: false, encoding: .utf8)
            }
            let other = TemporaryName.make(for: dir + "/faults.shp")
            try "x".write(toFile: other, atomically: false, encoding: .utf8)
            TemporaryFiles.shared.register(temporary)
            TemporaryFiles.shared.remove(temporary)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [(other as NSString).lastPathComponent])
        }
    }
}
