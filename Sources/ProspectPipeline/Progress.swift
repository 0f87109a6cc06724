import Foundation

/// The progress of one task (one or more passes over a grid): a one-line bar on standard error,
/// drawn only when standard error is a terminal and `--progress` is `bar`, and the fraction of
/// the step running (`ProgressStream`) in JSON mode.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let bar: Bool
    private let passes: Int
    private let share: ClosedRange<Double>
    private let lock = NSLock()
    private var lastPercent = -1
    private var passesDone = 0

    /// - Parameters:
    ///   - passes: the passes this task makes (each ends with `finish()`); its fraction of the
    ///     step runs over all of them.
    ///   - share: the part of the step's fraction this task covers (cross-validation: one fold).
    ///   - bar: whether to draw the terminal bar (off where the task prints lines of its own).
    public init(_ label: String, passes: Int = 1, share: ClosedRange<Double> = 0...1, bar: Bool = true) {
        self.label = label
        self.passes = max(passes, 1)
        self.share = share
        self.bar = bar && ProgressStream.shared.mode == .bar && isatty(STDERR_FILENO) != 0
    }

    /// Reports `done` of `total` units of the pass under way.
    public func update(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let percent = done * 100 / total
        lock.lock()
        defer { lock.unlock() }
        guard percent != lastPercent else { return }
        lastPercent = percent
        let pass = (Double(min(passesDone, passes - 1)) + Double(done) / Double(total)) / Double(passes)
        ProgressStream.shared.report(share.lowerBound + (share.upperBound - share.lowerBound) * pass, task: label)
        guard bar else { return }
        let width = 30
        let filled = width * done / total
        let text = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write("\r\(label) [\(text)] \(percent)%".data(using: .utf8)!)
    }

    /// Ends a pass: clears the bar.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        passesDone += 1
        lastPercent = -1
        guard bar else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }
}
