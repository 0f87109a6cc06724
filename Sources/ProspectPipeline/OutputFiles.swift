import Foundation

/// Creates folders and writes files with the POSIX calls, so that a failure is one line naming
/// the path and the system's reason (`strerror`, as `Read-only file system` or `Permission
/// denied`), not Foundation's error text (`NSCocoaErrorDomain Code=642 …`).
public enum OutputFiles {
    /// The error for `path` that could not be written: `PATH: cannot write: REASON`.
    public static func cannotWrite(_ path: String, _ reason: String) -> PipelineError {
        PipelineError(DisplayPath.of(path), "cannot write: \(reason)")
    }

    /// The system's text for `errno` now.
    static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Creates the folder `path` and any missing folders above it (as `mkdir -p`); an existing
    /// folder is fine.
    ///
    /// The corresponding C function is `mkdir`, called once per missing folder.
    /// - Parameter reportedAs: the path the error names (default `path`).
    /// - Throws: `PipelineError` `PATH: cannot write: REASON`, also when a file (not a folder)
    ///   of that name is in the way.
    public static func createFolder(_ path: String, reportedAs: String? = nil) throws {
        let named = reportedAs ?? path
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var prefix = ""
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o777) == 0 { continue }
            let code = errno
            var info = stat()
            guard stat(prefix, &info) == 0 else { throw cannotWrite(named, reason(code)) }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                let what = prefix == absolute ? "" : " (\(DisplayPath.of(prefix)))"
                throw cannotWrite(named, "a file is in the way of the folder\(what)")
            }
        }
        // A folder that exists but cannot be written to is refused here, not at the first file.
        guard access(absolute, W_OK) == 0 else { throw cannotWrite(named, reason()) }
    }

    /// Refuses an output whose folder cannot be written (read-only file system, no permission),
    /// before anything is computed or written.
    ///
    /// The corresponding C function is `access(folder, W_OK)`.
    /// - Throws: `PipelineError` `PATH: cannot write: REASON`, naming `path`.
    public static func checkWritable(folder: String, for path: String) throws {
        guard access(folder.isEmpty ? "." : folder, W_OK) == 0 else { throw cannotWrite(path, reason()) }
    }

    /// Writes `data` to a new file at `path` (replacing one there), and closes it.
    ///
    /// The corresponding C functions are `open(O_WRONLY | O_CREAT | O_TRUNC)`, `write` and
    /// `close`; a short write is retried until every byte is written or `write` fails.
    /// - Parameter reportedAs: the path the error names (the final path of a temporary).
    /// - Throws: `PipelineError` `PATH: cannot write: REASON`.
    public static func write(_ data: Data, to path: String, reportedAs: String? = nil) throws {
        let named = reportedAs ?? path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw cannotWrite(named, reason()) }
        var failure: Int32?
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = writeBytes(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0, failure == nil { failure = errno }
        if let failure { throw cannotWrite(named, reason(failure)) }
    }
}

/// The C function `write` (the name is taken by `OutputFiles.write` inside the type).
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
