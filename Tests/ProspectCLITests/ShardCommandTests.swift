import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing
import Yams

/// Runs a shell script, capturing both streams.
func runScript(_ arguments: [String], environment: [String: String?] = [:]) throws -> CLIResult {
    try CLI.execute("/bin/bash", arguments, environment: environment)
}

/// What a sharded study and one run of the same study are compared on.
enum ShardComparison {
    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The study's outputs under `one` (prospect run) and `many` (plan, shards, merge) that
    /// differ beyond the paths they name: none when the runs agree.
    static func differences(_ one: String, _ many: String) throws -> [String] {
        var found: [String] = []
        if try readRaster(one + "/prospectivity.tif") != readRaster(many + "/prospectivity.tif") { found.append("prospectivity.tif cells") }
        // The validation names the map and the model it read; everything else must agree.
        var v1 = try json(one + "/validation.json") as! [String: Any]
        var v2 = try json(many + "/validation.json") as! [String: Any]
        for key in ["map", "source_map", "model"] {
            v1[key] = nil
            v2[key] = nil
        }
        if !NSDictionary(dictionary: v1).isEqual(to: v2) { found.append("validation.json") }
        if (v1["auc"] as? Double) == nil || v1["auc"] as? Double != v2["auc"] as? Double { found.append("validation AUC") }
        // Targets: the same polygons and properties but the paths of the map and the model.
        func targets(_ dir: String) throws -> [NSDictionary] {
            let collection = try json(dir + "/targets.geojson") as! [String: Any]
            return (collection["features"] as! [[String: Any]]).map { feature in
                var f = feature
                var properties = f["properties"] as! [String: Any]
                properties["source_map"] = nil
                properties["model"] = nil
                f["properties"] = properties
                return NSDictionary(dictionary: f)
            }
        }
        let t1 = try targets(one)
        let t2 = try targets(many)
        if t1.isEmpty || t1 != t2 { found.append("targets.geojson") }
        // The CSV names the map and the model in every row: compared with the folders swapped.
        if FileManager.default.fileExists(atPath: one + "/targets.csv") {
            let a = try String(contentsOfFile: one + "/targets.csv", encoding: .utf8).replacingOccurrences(of: one + "/", with: many + "/")
            let b = try String(contentsOfFile: many + "/targets.csv", encoding: .utf8)
            if a != b || !a.contains("expected_deposits") { found.append("targets.csv") }
        }
        for file in ["tiles.geojson", "weights.csv", "cv.json"] where FileManager.default.fileExists(atPath: one + "/" + file) {
            if FileManager.default.contents(atPath: one + "/" + file) != FileManager.default.contents(atPath: many + "/" + file) {
                found.append(file)
            }
        }
        if !FileManager.default.fileExists(atPath: many + "/run.log") { found.append("run.log missing") }
        if FileManager.default.fileExists(atPath: one + "/report.html"), !FileManager.default.fileExists(atPath: many + "/report.html") {
            found.append("report.html missing")
        }
        return found
    }
}

@Suite("Shards: plan, shard and merge commands")
struct ShardCommandTests {
    static let created = "2024-05-01T00:00:00Z"

    @Test("the demo study in 4 shards through local.sh equals prospect run: map cells, targets, AUC, cross-validation")
    func demoInFourShards() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let study = CLI.demoData + "/demo.yaml"
        let one = try CLI.run(["run", study, "--out", dir + "/one", "--created", Self.created])
        #expect(one.status == 0, "\(one.stderr)")
        let plan = try CLI.run(["plan", study, "--out", dir + "/many", "--shards", "4", "--threads", "1", "--created", Self.created])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("512 × 512 cells in 4 shards (2 across × 2 down"))
        let local = try runScript([dir + "/many/local.sh", "-j", "2"])
        #expect(local.status == 0, "\(local.stderr)")
        let differences = try ShardComparison.differences(dir + "/one", dir + "/many")
        #expect(differences.isEmpty, "\(differences)")
        let log = try String(contentsOfFile: dir + "/many/run.log", encoding: .utf8)
        #expect(log.contains("in 4 shards (2 across × 2 down)") && log.contains("validate: ROC AUC") && log.hasSuffix("done\n"))
    }

    /// A demo study of two layers and no cross-validation, quick to run in shards.
    static func smallStudy(in dir: String) throws -> String {
        let text = """
            name: Small
            grid: {reference: \(CLI.demoData)/thorium.tif}
            study_area: \(CLI.demoData)/study_area.gpkg
            layers:
              - {name: thorium, raster: \(CLI.demoData)/thorium.tif}
              - {name: lithology, categorical: \(CLI.demoData)/lithology.tif}
            deposits: \(CLI.demoData)/deposits.gpkg
            model: {method: wofe, unit_cell_km2: 0.01}
            """
        try text.write(toFile: dir + "/small.yaml", atomically: true, encoding: .utf8)
        return dir + "/small.yaml"
    }

    @Test("steps refuse, naming the shard, until what they need is done; skip what is done; redo what is half-written")
    func stepsAreIdempotent() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let study = try Self.smallStudy(in: dir)
        #expect(try CLI.run(["plan", study, "--out", dir + "/p", "--shards", "2", "--created", Self.created]).status == 0)
        let plan = dir + "/p/plan.json"
        let noIndex: [String: String?] = Dictionary(uniqueKeysWithValues: ShardVariables.all.map { ($0, nil) })

        let train = try CLI.run(["shard", plan, "--step", "train"], in: dir)
        #expect(train.status == 1)
        #expect(
            train.stderr
                == "prospect: error: \(plan): shard 0 has not finished prepare (no complete shards/0000/prepare.done); run prospect shard p/plan.json --step prepare --index 0\n"
        )
        let merge = try CLI.run(["merge", plan], in: dir)
        #expect(merge.status == 1)
        #expect(merge.stderr.hasPrefix("prospect: error: \(plan): shard 0 has not finished score (no complete shards/0000/score.done)"))
        #expect(merge.stderr.split(separator: "\n").count == 1)
        #expect(!CLI.files(in: dir + "/p").contains("prospectivity.tif"))
        let none = try CLI.run(["shard", plan, "--step", "prepare"], environment: noIndex)
        #expect(none.status == 1)
        #expect(none.stderr.hasPrefix("prospect: error: --index: give --index I, or run the step as an array task ("))

        // Shard 0 from the scheduler's variable; again: skipped.
        var r = try CLI.run(["shard", plan, "--step", "prepare"], environment: noIndex.merging(["SLURM_ARRAY_TASK_ID": "0"]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("shard 0: prepared 512×256 at (0, 0)"))
        r = try CLI.run(["shard", plan, "--step", "prepare"], environment: noIndex.merging(["JOB_COMPLETION_INDEX": "0"]) { $1 })
        #expect(r.stdout.contains("shard 0: prepare finished before") && !r.stdout.contains("prepared"))
        // An output changed in place (same size): the checksum tells, and the shard is redone.
        let vrt = dir + "/p/shards/0000/stack/stack.vrt"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: vrt))
        bytes[bytes.count - 2] = bytes[bytes.count - 2] == 0x20 ? 0x21 : 0x20
        try bytes.write(to: URL(fileURLWithPath: vrt))
        r = try CLI.run(["shard", plan, "--step", "prepare", "--index", "0"])
        #expect(r.stdout.contains("shard 0: prepared"), "\(r.stdout)")
        // No marker (a run killed before writing it): redone.
        unlink(dir + "/p/shards/0000/prepare.done")
        r = try CLI.run(["shard", plan, "--step", "prepare", "--index", "0"])
        #expect(r.stdout.contains("shard 0: prepared"))
        #expect(FileManager.default.fileExists(atPath: dir + "/p/shards/0000/prepare.done"))

        #expect(try CLI.run(["shard", plan, "--step", "train"]).stderr.contains("shard 1 has not finished prepare"))
        #expect(try CLI.run(["shard", plan, "--step", "prepare", "--index", "1"]).status == 0)
        #expect(try CLI.run(["shard", plan, "--step", "score", "--index", "0"]).stderr.contains("the model has not been trained"))
        r = try CLI.run(["shard", plan, "--step", "train"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.run(["shard", plan, "--step", "train"]).stdout.contains("train finished before"))
        #expect(try CLI.run(["shard", plan, "--step", "score", "--index", "1"]).status == 0)
        #expect(try CLI.run(["merge", plan]).stderr.contains("shard 0 has not finished score"))
        #expect(try CLI.run(["shard", plan, "--step", "score", "--index", "0"]).status == 0)
        r = try CLI.run(["merge", plan])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("written under"))

        // The study changed: every step refuses the plan.
        try (String(contentsOfFile: study, encoding: .utf8) + "\n# changed\n").write(toFile: study, atomically: true, encoding: .utf8)
        r = try CLI.run(["shard", plan, "--step", "score", "--index", "0"], in: dir)
        #expect(r.status == 1)
        #expect(
            r.stderr
                == "prospect: error: \(plan): the study file small.yaml changed since the plan was made; make the plan again (prospect plan)\n"
        )
    }

    @Test("plan refuses a shard count the grid cannot hold and writes nothing")
    func planRefuses() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let study = try Self.smallStudy(in: dir)
        let r = try CLI.run(["plan", study, "--out", dir + "/p", "--shards", "0"])
        #expect(r.status == 1)
        #expect(r.stderr == "prospect: error: --shards: give at least 1 shard, got 0\n")
        let big = try CLI.run(["plan", study, "--out", dir + "/p", "--shards", "1031"])
        #expect(
            big.stderr
                == "prospect: error: --shards: 1031 shards do not fit a grid of 512 × 512 cells (give at most one shard per row and column)\n"
        )
        #expect(!FileManager.default.fileExists(atPath: dir + "/p"))
        let train = try CLI.run(["shard", dir + "/nothing.json", "--step", "train"])
        #expect(train.stderr == "prospect: error: \(dir)/nothing.json: no such file\n")
    }

    @Test("k8s-job.yaml holds one Job per step, prepare and score Indexed with a completion per shard; the scripts parse")
    func jobFiles() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let study = try Self.smallStudy(in: dir)
        let r = try CLI.run([
            "plan", study, "--out", dir + "/p", "--shards", "6", "--threads", "3", "--image", "registry.example/prospect:1",
            "--volume-claim",
            "survey",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: dir + "/p/k8s-job.yaml", encoding: .utf8)
        let jobs = try Array(Yams.load_all(yaml: text)).map { $0 as! [String: Any] }
        #expect(jobs.count == 4)
        let plan = dir + "/p/plan.json"
        for (job, step) in zip(jobs, ["prepare", "train", "score", "merge"]) {
            #expect(job["apiVersion"] as? String == "batch/v1" && job["kind"] as? String == "Job")
            let name = (job["metadata"] as! [String: Any])["name"] as! String
            #expect(name == "prospect-small-\(step)")
            let spec = job["spec"] as! [String: Any]
            let pod = (spec["template"] as! [String: Any])["spec"] as! [String: Any]
            #expect(pod["restartPolicy"] as? String == "Never")
            let container = (pod["containers"] as! [[String: Any]])[0]
            #expect(container["image"] as? String == "registry.example/prospect:1")
            let command = container["command"] as! [String]
            #expect(command.first == "prospect" && command.contains(plan) && command.suffix(2) == ["--threads", "3"])
            let requests = (container["resources"] as! [String: Any])["requests"] as! [String: Any]
            #expect(requests["cpu"] as? String == "3")
            let claim = ((pod["volumes"] as! [[String: Any]])[0]["persistentVolumeClaim"] as! [String: Any])["claimName"]
            #expect(claim as? String == "survey")
            #expect(spec["suspend"] as? Bool == (step != "prepare"))
            if step == "prepare" || step == "score" {
                #expect(spec["completionMode"] as? String == "Indexed")
                #expect(spec["completions"] as? Int == 6 && spec["parallelism"] as? Int == 6)
                #expect(command == ["prospect", "shard", plan, "--step", step, "--threads", "3"])
                let env = container["env"] as! [[String: Any]]
                let index = env.first { $0["name"] as? String == "JOB_COMPLETION_INDEX" }
                let field = ((index?["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"]
                #expect(field as? String == "metadata.annotations['batch.kubernetes.io/job-completion-index']")
            } else {
                #expect(spec["completionMode"] == nil && spec["completions"] as? Int == 1)
            }
        }
        for script in ["slurm.sh", "local.sh", "k8s.sh"] {
            let syntax = try runScript(["-n", dir + "/p/" + script])
            #expect(syntax.status == 0, "\(script): \(syntax.stderr)")
        }
        let slurm = try String(contentsOfFile: dir + "/p/slurm.sh", encoding: .utf8)
        #expect(slurm.contains("--array=0-$((shards - 1))") && slurm.contains("--dependency=afterok:\"$prepare\""))
        let bad = try runScript([dir + "/p/local.sh", "-j", "0"])
        #expect(bad.status == 2 && bad.stderr == "local.sh: -j takes a whole number at least 1, got '0'\n")
    }
}

/// The array-index variables a scheduler sets, which the tests clear.
enum ShardVariables {
    static let all = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "PBS_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"]
}
