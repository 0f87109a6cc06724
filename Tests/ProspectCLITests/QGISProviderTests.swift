import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

/// QGIS's `qgis_process`, headless; nil when QGIS is not installed.
///
/// Debian bookworm's `qgis_process` is a script that adds the options of /etc/default/qgis
/// (`--noversioncheck`), which QGIS 3.22's `qgis_process` refuses ("Command --noversioncheck not
/// known!"): the binary beside it, `qgis_process.bin`, is run when there is one.
let qgisProcess: String? = {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    for name in ["qgis_process.bin", "qgis_process"] {
        if let dir = path.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) { return "\(dir)/\(name)" }
    }
    print("QGISProviderTests skipped: qgis_process is not installed (apt-get install qgis python3-qgis qgis-providers)")
    return nil
}()

/// A QGIS profile in a temporary home folder with the Prospect plugin installed and enabled.
struct QGISProfile {
    let home: String
    var plugins: String { home + "/.local/share/QGIS/QGIS3/profiles/default/python/plugins" }
    var settings: String { home + "/.local/share/QGIS/QGIS3/profiles/default/QGIS/QGIS3.ini" }

    init(in dir: String) throws {
        home = dir + "/home"
        let fm = FileManager.default
        try fm.createDirectory(atPath: home + "/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try fm.copyItem(atPath: CLI.packageRoot + "/qgis/prospect_provider", toPath: plugins + "/prospect_provider")
        let enabled = try run(["plugins", "enable", "prospect_provider"])
        try #require(enabled.status == 0, "qgis_process plugins enable: \(enabled.stdout) \(enabled.stderr)")
    }

    /// Runs `qgis_process ARGUMENTS` with this profile, offscreen, with the built `prospect` on
    /// PATH (or not: `prospectOnPath: false`).
    func run(_ arguments: [String], in directory: String? = nil, prospectOnPath: Bool = true) throws -> CLIResult {
        var environment: [String: String?] = [
            "HOME": home, "XDG_RUNTIME_DIR": home + "/run", "QT_QPA_PLATFORM": "offscreen", "SOURCE_DATE_EPOCH": "1714564800",
            // QGIS reads statistics of the input rasters, which GDAL would save beside them (in
            // Rasters/) as .aux.xml files.
            "GDAL_PAM_ENABLED": "NO",
        ]
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").filter {
            !FileManager.default.isExecutableFile(atPath: "\($0)/prospect")
        }
        let binaryDir = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        environment["PATH"] = ((prospectOnPath ? [binaryDir] : []) + path.map(String.init)).joined(separator: ":")
        return try CLI.execute(qgisProcess!, arguments, in: directory, environment: environment)
    }
}

@Suite("The QGIS Processing provider, run by qgis_process", .serialized, .enabled(if: qgisProcess != nil, "qgis_process is not installed"))
struct QGISProviderTests {
    @Test("qgis_process lists the eight algorithms of the enabled plugin")
    func listsAlgorithms() throws {
        let folder = try TemporaryFolder()
        let profile = try QGISProfile(in: folder.path)
        let list = try profile.run(["list"])
        #expect(list.status == 0, "\(list.stderr)")
        let ours = list.stdout.split(separator: "\n").compactMap { line -> String? in
            let id = line.trimmingCharacters(in: .whitespaces).split(separator: "\t").first.map(String.init) ?? ""
            return id.hasPrefix("prospect:") ? id : nil
        }
        #expect(
            Set(ours)
                == [
                    "prospect:prepare", "prospect:train", "prospect:score", "prospect:targets", "prospect:validate", "prospect:cv",
                    "prospect:run", "prospect:report",
                ])
    }

    @Test("the demo through prepare → train → score → targets in qgis_process equals the CLI's run")
    func demoEqualsCLI() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let profile = try QGISProfile(in: dir)
        let r = CLI.demoData
        for sub in ["q", "c"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }

        // qgis_process, the layers named by QGIS after their files.
        func qgis(_ algorithm: String, _ parameters: [String], prospectOnPath: Bool = true) throws {
            let result = try profile.run(["run", "prospect:\(algorithm)", "--"] + parameters, in: dir, prospectOnPath: prospectOnPath)
            #expect(result.status == 0, "prospect:\(algorithm): \(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("\(algorithm): done"), "prospect:\(algorithm) reported no finished step: \(result.stdout)")
        }
        try qgis(
            "prepare",
            [
                "REFERENCE=\(r)/thorium.tif", "STUDY_AREA=\(r)/study_area.gpkg", "EVIDENCE=\(r)/thorium.tif", "EVIDENCE=\(r)/magnetics.tif",
                "CATEGORICAL=\(r)/lithology.tif", "DISTANCE=\(r)/faults.gpkg", "OUTPUT=q/stack",
            ])
        try qgis("train", ["STACK=q/stack", "DEPOSITS=\(r)/deposits.gpkg", "METHOD=0", "UNIT_CELL_KM2=0.01", "OUTPUT=q/model.json"])
        try qgis("score", ["MODEL=q/model.json", "OUTPUT=q/map.tif"])
        // The binary from the provider's setting, with no prospect on PATH.
        let ini = (try? String(contentsOfFile: profile.settings, encoding: .utf8)) ?? ""
        try (ini + "\n[Processing]\nConfiguration\\PROSPECT_BINARY=\(CLI.binary)\n").write(
            toFile: profile.settings, atomically: true, encoding: .utf8)
        try qgis("targets", ["MAP=q/map.tif", "DEPOSITS=\(r)/deposits.gpkg", "TOP=10", "OUTPUT=q/targets.geojson"], prospectOnPath: false)

        // The CLI, the same steps.
        func cli(_ arguments: [String]) throws {
            let result = try CLI.run(arguments, in: dir, environment: ["SOURCE_DATE_EPOCH": "1714564800"])
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
        }
        try cli([
            "prepare", "--reference", "\(r)/thorium.tif", "--study-area", "\(r)/study_area.gpkg", "--raster", "thorium=\(r)/thorium.tif",
            "--raster", "magnetics=\(r)/magnetics.tif", "--categorical", "lithology=\(r)/lithology.tif", "--distance",
            "faults=\(r)/faults.gpkg", "--out", "c/stack",
        ])
        try cli(["train", "--stack", "c/stack", "--deposits", "\(r)/deposits.gpkg", "--unit-cell-km2", "0.01", "--out", "c/model.json"])
        try cli(["score", "--model", "c/model.json", "--out", "c/map.tif"])
        try cli(["targets", "c/map.tif", "--deposits", "\(r)/deposits.gpkg", "--top", "10", "--out", "c/targets.geojson"])

        for layer in ["thorium", "magnetics", "lithology", "faults"] {
            let q = try readRaster("\(dir)/q/stack/\(layer).tif").map(\.bitPattern)
            let c = try readRaster("\(dir)/c/stack/\(layer).tif").map(\.bitPattern)
            #expect(q == c, "layer \(layer)")
        }
        let model = { (sub: String) in try String(contentsOfFile: "\(dir)/\(sub)/model.json", encoding: .utf8) }
        #expect(try model("q") == model("c"))
        let q = try readRaster("\(dir)/q/map.tif").map(\.bitPattern)
        let c = try readRaster("\(dir)/c/map.tif").map(\.bitPattern)
        #expect(q.count == 512 * 512 && q == c, "maps differ in \(zip(q, c).filter { $0 != $1 }.count) cells")
        // The targets name their map: the same file but for its folder.
        let targets = { (sub: String) in
            try String(contentsOfFile: "\(dir)/\(sub)/targets.geojson", encoding: .utf8).replacingOccurrences(
                of: "\(dir)/\(sub)/", with: ""
            )
            .replacingOccurrences(of: "\(sub)/map.tif", with: "map.tif")
        }
        let qTargets = try targets("q")
        #expect(qTargets.contains("\"rank\""))
        #expect(qTargets == (try targets("c")))
        #expect(!CLI.files(in: r).contains { $0.hasSuffix(".aux.xml") }, "side files written beside the demo's rasters")
    }

    @Test("cancelling prospect:score in QGIS stops prospect and leaves no map and no temporary")
    func cancelScore() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let profile = try QGISProfile(in: folder.path)
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        _ = try InterruptTests.startLargeScore(in: work)  // the model and the large layers only
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [CLI.packageRoot + "/qgis/tests/cancel_score.py", profile.plugins, work]
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.home
        environment["XDG_RUNTIME_DIR"] = profile.home + "/run"
        environment["QT_QPA_PLATFORM"] = "offscreen"
        environment["GDAL_PAM_ENABLED"] = "NO"
        environment["PATH"] = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stdout)")
        #expect(stdout.contains("RESULT [] cancelled"), "\(stdout)")
        // prospect stops on SIGTERM well within the provider's grace period (5 s) before SIGKILL.
        let stopped = stdout.split(separator: "\n").first { $0.hasPrefix("STOPPED ") }.flatMap { Double($0.dropFirst(8)) }
        #expect((stopped ?? 99) < 5, "\(stdout)")
        let left = CLI.files(in: work)
        #expect(!left.contains("map.tif"))
        #expect(!left.contains { $0.hasPrefix(".") }, "partial files left: \(left)")
    }
}
