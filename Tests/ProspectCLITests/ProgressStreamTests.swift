import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

/// One `--progress json` event, as a program reading the stream sees it.
struct ProgressEvent {
    var object: [String: Any]
    var event: String { object["event"] as? String ?? "" }
    var step: String? { object["step"] as? String }
    var state: String? { object["state"] as? String }
    var fraction: Double? { object["fraction"] as? Double }
    var message: String? { object["message"] as? String }

    /// Every line of `stderr` as an event; a line that is not a JSON object with an `event`
    /// fails the test, but for a final `prospect: error:` line when `allowingErrorLine`.
    static func parse(_ stderr: String, allowingErrorLine: Bool = false, sourceLocation: SourceLocation = #_sourceLocation)
        -> [ProgressEvent]
    {
        var lines = stderr.split(separator: "\n").map(String.init)
        if allowingErrorLine, let last = lines.last, last.hasPrefix("prospect: error: ") { lines.removeLast() }
        return lines.compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] is String, "not a JSON event: \(line)", sourceLocation: sourceLocation)
            return object.map(ProgressEvent.init)
        }
    }

    /// Checks the stream's rules: steps start and finish nested, each progress event belongs to
    /// a running step, fractions lie in [0, 1] and grow within a step; returns each step's
    /// last fraction.
    @discardableResult
    static func checkSteps(_ events: [ProgressEvent], sourceLocation: SourceLocation = #_sourceLocation) -> [String: Double] {
        var running: [String] = []
        var last: [String: Double] = [:]
        for e in events {
            switch e.event {
            case "step" where e.state == "start":
                running.append(e.step ?? "")
                last[e.step ?? ""] = nil
            case "step" where e.state == "done":
                #expect(running.last == e.step, "\(e.step ?? "?") done while \(running) run", sourceLocation: sourceLocation)
                running.removeLast()
            case "progress":
                let step = e.step ?? ""
                #expect(running.contains(step), "progress of \(step) outside it", sourceLocation: sourceLocation)
                let f = e.fraction ?? -1
                #expect(f >= 0 && f <= 1, "fraction \(f)", sourceLocation: sourceLocation)
                #expect(f > last[step] ?? -1, "\(step): fraction \(f) after \(last[step] ?? -1)", sourceLocation: sourceLocation)
                last[step] = f
            case "warning", "error":
                #expect(e.message?.isEmpty == false, sourceLocation: sourceLocation)
            default:
                Issue.record("unknown event \(e.object)", sourceLocation: sourceLocation)
            }
        }
        #expect(running.isEmpty, "steps never done: \(running)", sourceLocation: sourceLocation)
        return last
    }
}

@Suite("--progress json: one event per line on stderr")
struct ProgressStreamTests {
    /// Runs `arguments --progress json` and checks the stream: the command's step first and
    /// last, the rules above.
    static func stream(_ arguments: [String], step: String, in dir: String) throws -> (CLIResult, [ProgressEvent], [String: Double]) {
        let result = try CLI.run(arguments + ["--progress", "json"], in: dir)
        #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
        let events = ProgressEvent.parse(result.stderr)
        #expect(events.first?.event == "step" && events.first?.step == step && events.first?.state == "start")
        #expect(events.last?.event == "step" && events.last?.step == step && events.last?.state == "done")
        let last = ProgressEvent.checkSteps(events)
        return (result, events, last)
    }

    @Test("prepare, train, score, targets, validate and cv on the demo: events only, fractions growing to 1")
    func demoSteps() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let r = CLI.demoData
        let (_, _, prepared) = try Self.stream(
            [
                "prepare", "--reference", r + "/thorium.tif", "--study-area", r + "/study_area.gpkg", "--raster",
                "thorium=\(r)/thorium.tif", "--raster", "magnetics=\(r)/magnetics.tif", "--categorical", "lithology=\(r)/lithology.tif",
                "--distance", "fault_distance=\(r)/faults.gpkg", "--out", "stack",
            ], step: "prepare", in: dir)
        #expect(prepared["prepare"] == 1)
        let (_, trainEvents, trained) = try Self.stream(
            ["train", "--stack", "stack", "--deposits", r + "/deposits.gpkg", "--unit-cell-km2", "0.01", "--out", "model.json"],
            step: "train", in: dir)
        #expect(trained["train"] == 1)
        // The demo's wofe model is not conditionally independent: its warnings are events.
        #expect(trainEvents.contains { $0.event == "warning" && $0.message?.contains("conditional independence") == true })
        let (_, _, scored) = try Self.stream(["score", "--model", "model.json", "--out", "map.tif"], step: "score", in: dir)
        #expect(scored["score"] == 1)
        let (targets, _, _) = try Self.stream(["targets", "map.tif", "--out", "t.geojson"], step: "targets", in: dir)
        #expect(targets.stdout.contains("targets"))
        try Self.stream(["validate", "map.tif", "--deposits", r + "/deposits.gpkg"], step: "validate", in: dir)
        let (_, _, crossValidated) = try Self.stream(
            ["cv", "--stack", "stack", "--deposits", r + "/deposits.gpkg", "--unit-cell-km2", "0.01", "--folds", "2"], step: "cv", in: dir)
        #expect(crossValidated["cv"] == 1)
        // Logistic regression takes two passes (as trees do): still one climb from 0 to 1.
        let (_, events, last) = try Self.stream(
            [
                "train", "--stack", "stack", "--deposits", r + "/deposits.gpkg", "--method", "logistic", "--background", "2000", "--out",
                "logistic.json",
            ],
            step: "train", in: dir)
        #expect(last["train"] == 1)
        #expect(events.contains { $0.event == "progress" && $0.fraction == 0.5 }, "the first pass is half")
    }

    @Test("run nests its steps; its own fraction climbs over them to 1")
    func studySteps() throws {
        let folder = try TemporaryFolder()
        let study = try ShardSlurmTests.demoWithoutCrossValidation(in: folder.path)
        let (_, events, last) = try Self.stream(["run", study, "--out", "out"], step: "run", in: folder.path)
        let started = events.filter { $0.event == "step" && $0.state == "start" }.compactMap(\.step)
        #expect(started == ["run", "prepare", "train", "score", "targets", "validate"])
        #expect(last["run"] == 1)
        #expect(events.contains { $0.event == "warning" && $0.step == "train" })
    }

    @Test("an error is an event, then the usual line; without --progress json only the line")
    func errors() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(
            try CLI.run(["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--out", "model.json"], in: dir)
                .status == 0)
        let failed = try CLI.run(["score", "--model", "model.json", "--out", "model.json", "--progress", "json"], in: dir)
        #expect(failed.status == 1)
        let events = ProgressEvent.parse(failed.stderr, allowingErrorLine: true)
        let message = "model.json: --out would overwrite an input of this command (the model)"
        #expect(events.map(\.event) == ["step", "error"])
        #expect(events.last?.message == message && events.last?.step == "score")
        #expect(failed.stderr.hasSuffix("\nprospect: error: \(message)\n"))
        // A refused option, found before the command runs.
        let refused = try CLI.run(
            ["score", "--model", "model.json", "--out", "m.tif", "--created", "yesterday", "--progress", "json"], in: dir)
        #expect(refused.status == 1)
        let refusal = ProgressEvent.parse(refused.stderr, allowingErrorLine: true)
        #expect(refusal.count == 1 && refusal.first?.event == "error" && refusal.first?.message?.hasPrefix("--created:") == true)
        let plain = try CLI.run(["score", "--model", "model.json", "--out", "model.json"], in: dir)
        #expect(plain.stderr == "prospect: error: \(message)\n")
        let quiet = try CLI.run(["score", "--model", "model.json", "--out", "m.tif", "--progress", "none"], in: dir)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
    }

    @Test("SIGTERM during score: exit 143, no map, no temporary, an error event naming the signal")
    func terminatedScore() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let process = try InterruptTests.startLargeScore(in: dir, extra: ["--progress", "json"])
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try InterruptTests.waitForPartial(process, in: dir)
        process.terminate()  // SIGTERM
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        let left = CLI.files(in: dir)
        #expect(!left.contains("map.tif"))
        #expect(!left.contains { $0.hasPrefix(".") }, "partial files left: \(left)")
        var lines = stderr.split(separator: "\n").map(String.init)
        #expect(lines.last == "prospect: interrupted; partial outputs removed")
        lines.removeLast()
        let events = ProgressEvent.parse(lines.joined(separator: "\n"))
        #expect(events.last?.event == "error" && events.last?.message == "interrupted by SIGTERM; partial outputs removed")
    }
}
