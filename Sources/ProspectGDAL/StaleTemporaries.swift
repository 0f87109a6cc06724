import Foundation

/// Finds and removes the temporaries that killed processes left beside an output.
///
/// A process stopped by SIGKILL (the out-of-memory killer, `kill -9`, a lost container) cannot
/// remove its temporaries: a 4096² COG leaves 128 MB. Each temporary carries its maker's
/// process id (`TemporaryName`), so a later command that writes the same output can tell its
/// leftovers from the work of a process still running, and removes only the former.
public enum StaleTemporaries {
    /// Seconds a temporary must predate the start of the running process with its id before it
    /// counts as another, earlier process's: Linux gives process start times to the clock tick
    /// but the boot time they count from only to the second.
    static let startMargin = 5.0

    /// Removes every stale temporary of the outputs at `paths` (files, or folders built in a
    /// staging folder beside them): entries of each output's folder whose name is a
    /// `TemporaryName` for that output's file name and whose maker is no longer running
    /// (`isStale`). A staging folder is removed with everything in it; side files GDAL added
    /// to a temporary's name (`.aux.xml`, Shapefile parts) go with it, since they carry the
    /// same name. Anything else, a running process's temporaries included, is left alone.
    /// - Returns: the paths removed.
    @discardableResult
    public static func remove(of paths: [String]) -> [String] {
        var removed: [String] = []
        for path in paths where !path.hasPrefix("/vsi") {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            let folder = url.deletingLastPathComponent().path
            let name = url.lastPathComponent
            // A folder that cannot be listed holds nothing to remove.
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                guard let temporary = TemporaryName.parse(entry), temporary.target == name else { continue }
                let full = folder + "/" + entry
                // An entry gone since the listing (its maker finished) has nothing to remove.
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                    let modified = attributes[.modificationDate] as? Date,
                    isStale(temporary, modified: modified.timeIntervalSince1970)
                else { continue }
                // Cleanup: a temporary that cannot be removed is left for the next run.
                if (try? FileManager.default.removeItem(atPath: full)) != nil { removed.append(full) }
            }
        }
        return removed
    }

    /// Whether the process that made `temporary` is gone: no process has its id
    /// (`kill(pid, 0)` fails with `ESRCH`), or the process with that id started after the
    /// temporary was last modified (the id was reused). A process of another user
    /// (`EPERM`) is running.
    /// - Parameter modified: the temporary's modification time, seconds since 1970.
    public static func isStale(_ temporary: TemporaryName, modified: Double) -> Bool {
        // 0 when the process exists and may be signalled, else -1 with errno.
        if kill(pid_t(temporary.pid), 0) != 0 { return errno == ESRCH }
        guard let start = startTime(of: temporary.pid) else { return false }
        return modified < start - startMargin
    }

    /// When the process `pid` started, in seconds since 1970, from Linux's `/proc/PID/stat`
    /// (field 22, clock ticks since boot) and `/proc/stat` (`btime`, the boot time); nil where
    /// there is no `/proc` or the process is gone.
    public static func startTime(of pid: Int32) -> Double? {
        guard let boot = bootTime,
            let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces and parentheses) start at 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard fields.count > 19, let ticks = Double(fields[19]), ticksPerSecond > 0 else { return nil }
        return boot + ticks / ticksPerSecond
    }

    /// The boot time from `/proc/stat`, seconds since 1970; nil without `/proc`.
    static let bootTime: Double? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }()
}
