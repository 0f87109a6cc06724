import Foundation

/// How a command reports its progress on standard error (`--progress`).
public enum ProgressMode: String, CaseIterable, Sendable {
    /// A one-line bar, drawn only when standard error is a terminal (the default).
    case bar
    /// One JSON object per line (`ProgressStream`), for programs driving Prospect.
    case json
    /// Nothing but warnings and errors as text.
    case none
}

/// The process's progress reports: steps starting and finishing, their fraction done, warnings
/// and errors, written on standard error as text or, with `--progress json`, as JSON lines.
///
/// JSON mode writes one object per line, each with an `event`:
/// - `{"event":"step","state":"start","step":"score"}` when a step starts, and
///   `{"event":"step","seconds":1.25,"state":"done","step":"score"}` when it finished;
///   steps nest (`run` holds `prepare`, `train`, `score`, `targets`, `validate`, `cv`).
/// - `{"event":"progress","fraction":0.42,"step":"score","task":"scoring"}`: the fraction of
///   the step done, in whole percents, never decreasing within a step; `task` names the pass
///   under way. A step that finishes quickly may report none; `done` means all of it.
/// - `{"event":"warning","message":"…","step":"train"}` and
///   `{"event":"error","message":"…","step":"score"}` (`step`: the innermost step running, left
///   out outside any). The error's `message` is the text printed after `prospect: error: `;
///   that line follows it, the last line of the stream.
///
/// Lines are written whole under one lock, so they never interleave.
public final class ProgressStream: @unchecked Sendable {
    public static let shared = ProgressStream()

    private struct Step {
        var name: String
        var started: UInt64
        /// Child steps expected (for the fraction of a step made of steps), and those done.
        var parts: Int
        var partsDone = 0
        var lastPercent = -1
    }

    private let lock = NSLock()
    private var current: ProgressMode = .bar
    private var steps: [Step] = []

    init() {}

    /// The reporting mode, `--progress` (default: `.bar`).
    public var mode: ProgressMode {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Reports that step `name` starts.
    /// - Parameter parts: the steps it is made of (`run`), which then make its fraction.
    public func start(_ name: String, parts: Int = 0) {
        lock.withLock {
            steps.append(Step(name: name, started: DispatchTime.now().uptimeNanoseconds, parts: parts))
            emit(Event(event: "step", step: name, state: "start"))
        }
    }

    /// Reports that the innermost step, `name`, finished.
    public func done(_ name: String) {
        lock.withLock {
            guard let last = steps.last, last.name == name else {
                preconditionFailure("step \(name) is not the innermost step running")
            }
            steps.removeLast()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - last.started) / 1e9
            emit(Event(event: "step", step: name, state: "done", seconds: (seconds * 1000).rounded() / 1000))
            // A step that is a part of its parent moves the parent's fraction on.
            if !steps.isEmpty, steps[steps.count - 1].parts > 0 {
                steps[steps.count - 1].partsDone += 1
                advance(steps.count - 1, fraction: 0, task: nil)
            }
        }
    }

    /// Runs `body` as step `name`: started, then done unless it throws.
    public func step<T>(_ name: String, parts: Int = 0, _ body: () throws -> T) rethrows -> T {
        start(name, parts: parts)
        let value = try body()
        done(name)
        return value
    }

    /// Reports the fraction of the innermost step done (in [0, 1]), during `task`.
    public func report(_ fraction: Double, task: String?) {
        lock.withLock {
            guard current == .json, !steps.isEmpty else { return }
            advance(steps.count - 1, fraction: fraction, task: task)
        }
    }

    /// A warning: `prospect: warning: MESSAGE` as text, or a warning event.
    /// - Parameter text: whether to print it as text outside JSON mode (false when the caller
    ///   reports it another way, such as `run`'s log).
    public func warning(_ message: String, text: Bool = true) {
        lock.withLock {
            if current == .json {
                emit(Event(event: "warning", step: steps.last?.name, message: message))
            } else if text {
                write("prospect: warning: \(message)\n")
            }
        }
    }

    /// An error: in JSON mode an error event, then in every mode `prospect: error: MESSAGE`.
    public func error(_ message: String) {
        lock.withLock {
            if current == .json { emit(Event(event: "error", step: steps.last?.name, message: message)) }
            write("prospect: error: \(message)\n")
        }
    }

    /// The notice printed when a signal ends the process after its temporaries were removed.
    /// In JSON mode an error event names the signal: `interrupted by SIGTERM; partial outputs removed`.
    public func interrupted(signal: Int32) {
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
        lock.withLock {
            if current == .json {
                emit(Event(event: "error", step: steps.last?.name, message: "interrupted by \(name); partial outputs removed"))
            }
            write("prospect: interrupted; partial outputs removed\n")
        }
    }

    // MARK: - Under the lock

    /// Sets step `index`'s fraction (of the part under way, for a step made of parts) and
    /// emits it when its whole percent grew; then its parent's.
    private func advance(_ index: Int, fraction: Double, task: String?) {
        guard current == .json else { return }
        var f = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        if steps[index].parts > 0 {
            f = min(1, (Double(steps[index].partsDone) + f) / Double(steps[index].parts))
        }
        let percent = Int((f * 100).rounded(.down))
        if percent > steps[index].lastPercent {
            steps[index].lastPercent = percent
            emit(Event(event: "progress", step: steps[index].name, fraction: Double(percent) / 100, task: task))
        }
        if index > 0, steps[index - 1].parts > 0 { advance(index - 1, fraction: f, task: nil) }
    }

    private struct Event: Encodable {
        var event: String
        var step: String?
        var state: String?
        var seconds: Double?
        var fraction: Double?
        var task: String?
        var message: String?
    }

    private func emit(_ event: Event) {
        guard current == .json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every member is a finite number or a string: encoding cannot fail.
        let data = try! encoder.encode(event)
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
