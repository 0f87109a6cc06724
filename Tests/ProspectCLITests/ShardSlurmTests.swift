import Foundation
import ProspectTestSupport
import Testing

/// Whether Slurm's `sbatch` is on PATH (CI starts a one-node cluster with scripts/slurm-up.sh).
let sbatchOnPath: Bool = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
    FileManager.default.isExecutableFile(atPath: "\($0)/sbatch")
}

@Suite("Shards on a real Slurm cluster")
struct ShardSlurmTests {
    /// Rasters/demo.yaml without its cross-validation (the 4-shard test runs that), its paths
    /// made absolute: the same study, quicker to merge.
    static func demoWithoutCrossValidation(in dir: String) throws -> String {
        var lines: [String] = []
        for line in try String(contentsOfFile: CLI.demoData + "/demo.yaml", encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            if line.hasPrefix("validation:") || line.hasPrefix("  cv:") { continue }
            var text = String(line)
            for key in ["reference", "study_area", "raster", "categorical", "distance", "deposits"] {
                text = text.replacingOccurrences(of: "\(key): ", with: "\(key): \(CLI.demoData)/")
            }
            lines.append(text)
        }
        let path = dir + "/demo.yaml"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "slurm.sh submits the demo study in 16 shards; the merged outputs equal prospect run",
        .enabled(if: sbatchOnPath, "sbatch is not on PATH: start a cluster with scripts/slurm-up.sh"),
        .timeLimit(.minutes(10)))
    func demoOnSlurm() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let study = try Self.demoWithoutCrossValidation(in: dir)
        let created = ShardCommandTests.created
        let plan = try CLI.run(["plan", study, "--out", dir + "/many", "--shards", "16", "--threads", "1", "--created", created])
        #expect(plan.status == 0, "\(plan.stderr)")
        let submit = try runScript([dir + "/many/slurm.sh"])
        try #require(submit.status == 0, "\(submit.stderr)")
        let jobs = try String(contentsOfFile: dir + "/many/slurm-jobs.txt", encoding: .utf8)
            .split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(jobs.count == 4)
        // While the jobs run, the same study in one run.
        let one = try CLI.run(["run", study, "--out", dir + "/one", "--created", created])
        #expect(one.status == 0, "\(one.stderr)")
        let deadline = Date().addingTimeInterval(540)
        while Date() < deadline {
            let queue = try runScript(["-c", "squeue -h -j \(jobs.joined(separator: ",")) -o %i 2>/dev/null || true"])
            if queue.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            Thread.sleep(forTimeInterval: 1)
        }
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/many/logs")) ?? []
        try #require(
            FileManager.default.fileExists(atPath: dir + "/many/run.log"),
            "the merge did not finish; logs: \(logs.sorted().map { name in "\(name): \((try? String(contentsOfFile: dir + "/many/logs/" + name, encoding: .utf8)) ?? "")" }.joined(separator: "\n"))"
        )
        #expect(logs.filter { $0.hasPrefix("prepare-") }.count == 16 && logs.filter { $0.hasPrefix("score-") }.count == 16)
        let differences = try ShardComparison.differences(dir + "/one", dir + "/many")
        #expect(differences.isEmpty, "\(differences)")
    }
}
