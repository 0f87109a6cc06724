import Foundation
import Yams

/// The job files of a shard plan: `slurm.sh` (sbatch, each step waiting on the last with
/// `--dependency=afterok`), `k8s-job.yaml` (Kubernetes Jobs, the array steps Indexed) with
/// `k8s.sh` (which releases each Job once the one before completed), and `local.sh` (the same
/// steps on this machine, `-j` tasks at a time).
struct ShardJobs {
    let plan: ShardPlan
    let image: String
    let volumeClaim: String

    var shards: Int { plan.shards.count }
    var planPath: String { plan.output + "/" + ShardPlan.fileName }
    var executable: String { plan.steps.first?.command.first ?? "prospect" }

    /// A word for a POSIX shell, single-quoted when it holds anything but safe characters.
    static func quoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The study and its shards, as the files' first comment names them.
    var header: String {
        "study \"\(plan.studyName)\" in \(shards) shard\(shards == 1 ? "" : "s") (\(plan.across) across × \(plan.down) down)"
    }

    /// The last line of the files' first comment.
    var madeBy: String { "# Made by prospect plan (\(plan.tool)) for \(Self.quoted(planPath))." }

    /// `slurm.sh`: submits the chain with sbatch.
    func slurm() -> String {
        """
        #!/usr/bin/env bash
        # Submits the \(header)
        # to Slurm: the prepare array, training, the score array and the merge, each waiting for
        # the one before (--dependency=afterok; a failed task cancels what waits on it).
        #
        #   bash slurm.sh                                    # submit; the job ids go to slurm-jobs.txt
        #   bash slurm.sh --partition=long --time=02:00:00   # more sbatch options, for every job
        #
        # Tasks write their logs to logs/. Submitting again redoes only what is not finished:
        # each task skips a shard whose done-marker checks out.
        \(madeBy)
        set -euo pipefail
        plan=\(Self.quoted(planPath))
        folder=\(Self.quoted(plan.output))
        prospect=\(Self.quoted(executable))
        threads=\(plan.threads)
        shards=\(shards)
        mkdir -p "$folder/logs"
        command_line() { printf '%q ' "$prospect" "$@" --threads "$threads"; }
        submit() {
            local id
            id=$(sbatch --parsable --cpus-per-task="$threads" "$@") || exit 1
            echo "${id%%;*}"
        }
        prepare=$(submit --job-name=prospect-prepare --array=0-$((shards - 1)) --output="$folder/logs/prepare-%a.log" \\
            "$@" --wrap="exec $(command_line shard "$plan" --step prepare)")
        train=$(submit --job-name=prospect-train --dependency=afterok:"$prepare" --kill-on-invalid-dep=yes \\
            --output="$folder/logs/train.log" "$@" --wrap="exec $(command_line shard "$plan" --step train)")
        score=$(submit --job-name=prospect-score --array=0-$((shards - 1)) --dependency=afterok:"$train" \\
            --kill-on-invalid-dep=yes --output="$folder/logs/score-%a.log" \\
            "$@" --wrap="exec $(command_line shard "$plan" --step score)")
        merge=$(submit --job-name=prospect-merge --dependency=afterok:"$score" --kill-on-invalid-dep=yes \\
            --output="$folder/logs/merge.log" "$@" --wrap="exec $(command_line merge "$plan")")
        printf 'prepare %s\\ntrain %s\\nscore %s\\nmerge %s\\n' "$prepare" "$train" "$score" "$merge" >"$folder/slurm-jobs.txt"
        echo "submitted: prepare $prepare ($shards tasks), train $train, score $score ($shards tasks), merge $merge"

        """
    }

    /// `local.sh`: the steps on this machine.
    func local() -> String {
        """
        #!/usr/bin/env bash
        # Runs the \(header)
        # on this machine: prepare (JOBS shards at a time), train, score (JOBS at a time), merge.
        #
        #   bash local.sh          # JOBS = the number of cores, one thread each
        #   bash local.sh -j 2     # 2 shards at a time, each with cores / 2 threads
        #
        # A failed step stops the run; running it again redoes only what is not finished.
        \(madeBy)
        set -euo pipefail
        plan=\(Self.quoted(planPath))
        prospect=\(Self.quoted(executable))
        shards=\(shards)
        cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
        jobs=$cores
        while getopts 'j:' option; do
            case $option in
            j) jobs=$OPTARG ;;
            *)
                echo "usage: bash local.sh [-j JOBS]" >&2
                exit 2
                ;;
            esac
        done
        case $jobs in
        '' | *[!0-9]* | 0)
            echo "local.sh: -j takes a whole number at least 1, got '$jobs'" >&2
            exit 2
            ;;
        esac
        threads=$((cores / jobs))
        [ "$threads" -ge 1 ] || threads=1
        array() {
            seq 0 $((shards - 1)) | xargs -P "$jobs" -I '{}' "$prospect" shard "$plan" --step "$1" --index '{}' --threads "$threads"
        }
        array prepare
        "$prospect" shard "$plan" --step train --threads "$cores"
        array score
        "$prospect" merge "$plan" --threads "$cores"

        """
    }

    /// The Jobs' names: `prospect-<study>-<step>`, lower-case letters, digits and dashes.
    var jobPrefix: String {
        var slug = ""
        for ch in plan.studyName.lowercased() {
            if ch.isASCII, ch.isLetter || ch.isNumber {
                slug.append(ch)
            } else if !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        slug = String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
        while slug.hasSuffix("-") { slug.removeLast() }
        return "prospect-" + (slug.isEmpty ? "study" : slug)
    }

    /// Where the volume is mounted in every pod: the folder holding both the plan's folder and
    /// the study file (the plan's folder when only the root holds both).
    var mountPath: String {
        let a = plan.output.split(separator: "/")
        let b = URL(fileURLWithPath: plan.study).deletingLastPathComponent().path.split(separator: "/")
        let common = zip(a, b).prefix { $0 == $1 }.map { String($0.0) }
        return common.isEmpty ? plan.output : "/" + common.joined(separator: "/")
    }

    /// `k8s-job.yaml`: one Job per step, the array steps Indexed (`completionMode: Indexed`,
    /// one completion per shard, the index in `JOB_COMPLETION_INDEX`); every Job but the first
    /// is created suspended, for `k8s.sh` to release in turn.
    func kubernetes() throws -> String {
        var documents: [String] = []
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = false
        for (k, step) in plan.steps.enumerated() {
            let indexed = step.name == ShardPlan.StepName.prepare.rawValue || step.name == ShardPlan.StepName.score.rawValue
            var command = step.command
            command[0] = "prospect"
            let labels = ["app.kubernetes.io/name": "prospect", "prospect/step": step.name]
            let container = KubeContainer(
                name: "prospect", image: image, command: command,
                env: indexed
                    ? [
                        KubeEnv(
                            name: "JOB_COMPLETION_INDEX",
                            valueFrom: .init(fieldRef: .init(fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"))
                        )
                    ] : nil,
                resources: .init(requests: ["cpu": String(plan.threads)]),
                volumeMounts: [.init(name: "data", mountPath: mountPath)])
            let job = KubeJob(
                metadata: .init(name: "\(jobPrefix)-\(step.name)", labels: labels),
                spec: .init(
                    completionMode: indexed ? "Indexed" : nil, completions: step.tasks, parallelism: step.tasks,
                    backoffLimit: 3 * step.tasks, suspend: k > 0,
                    template: .init(
                        metadata: .init(name: nil, labels: labels),
                        spec: .init(
                            restartPolicy: "Never", containers: [container],
                            volumes: [.init(name: "data", persistentVolumeClaim: .init(claimName: volumeClaim))]))))
            documents.append(try encoder.encode(job))
        }
        return """
            # Kubernetes Jobs of the \(header).
            # One Job per step: prepare (Indexed, \(shards) completions), train, score (Indexed, \(shards)
            # completions), merge. Every Job but the first is created suspended: bash k8s.sh applies
            # this file and releases each Job once the one before has completed.
            # The image (\(image)) must have prospect on its PATH; the volume claim \(volumeClaim),
            # mounted at \(mountPath), must hold the plan folder, the study file and its inputs at
            # the paths plan.json names.
            \(madeBy)

            """ + documents.joined(separator: "---\n")
    }

    /// `k8s.sh`: applies `k8s-job.yaml`, then releases each suspended Job once the one before completed.
    func kubernetesScript() -> String {
        let names = plan.steps.map { "\(jobPrefix)-\($0.name)" }
        return """
            #!/usr/bin/env bash
            # Runs the \(header)
            # on Kubernetes: applies k8s-job.yaml, then releases each suspended Job once the one before
            # has completed (kubectl patch … suspend: false). Stops at the first Job that fails.
            #
            #   bash k8s.sh
            \(madeBy)
            set -euo pipefail
            here=$(cd "$(dirname "$0")" && pwd)
            kubectl apply -f "$here/k8s-job.yaml"
            wait_for() {
                local state
                while :; do
                    state=$(kubectl get job "$1" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
                    case " $state " in
                    *" Complete "*) return 0 ;;
                    *" Failed "*)
                        echo "k8s.sh: job $1 failed (kubectl logs job/$1)" >&2
                        exit 1
                        ;;
                    esac
                    sleep 10
                done
            }
            previous=\(names[0])
            for job in \(names.dropFirst().joined(separator: " ")); do
                wait_for "$previous"
                kubectl patch job "$job" --type=merge -p '{"spec":{"suspend":false}}'
                previous=$job
            done
            wait_for "$previous"
            echo "done: the merged outputs are in $here"

            """
    }
}

/// The parts of a Kubernetes Job that `k8s-job.yaml` sets (batch/v1).
struct KubeJob: Encodable {
    var apiVersion = "batch/v1"
    var kind = "Job"
    var metadata: KubeMeta
    var spec: KubeJobSpec
}

struct KubeMeta: Encodable {
    var name: String?
    var labels: [String: String]
}

struct KubeJobSpec: Encodable {
    var completionMode: String?
    var completions: Int
    var parallelism: Int
    var backoffLimit: Int
    var suspend: Bool
    var template: KubePodTemplate
}

struct KubePodTemplate: Encodable {
    var metadata: KubeMeta
    var spec: KubePodSpec
}

struct KubePodSpec: Encodable {
    var restartPolicy: String
    var containers: [KubeContainer]
    var volumes: [KubeVolume]
}

struct KubeContainer: Encodable {
    var name: String
    var image: String
    var command: [String]
    var env: [KubeEnv]?
    var resources: KubeResources
    var volumeMounts: [KubeMount]
}

struct KubeEnv: Encodable {
    struct Source: Encodable {
        struct Field: Encodable { var fieldPath: String }
        var fieldRef: Field
    }
    var name: String
    var valueFrom: Source
}

struct KubeResources: Encodable { var requests: [String: String] }

struct KubeMount: Encodable {
    var name: String
    var mountPath: String
}

struct KubeVolume: Encodable {
    struct Claim: Encodable { var claimName: String }
    var name: String
    var persistentVolumeClaim: Claim
}
