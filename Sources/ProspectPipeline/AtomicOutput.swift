import Dispatch
import Foundation
import ProspectGDAL

/// Writes an output under a temporary name beside its final path and renames it into place
/// only when complete, so an interrupted or failed run leaves no partial file behind.
///
/// Temporary files are registered with `TemporaryFiles`, which removes them when the process
/// is interrupted (SIGINT, SIGTERM, SIGHUP).
public final class AtomicOutput {
    public let finalPath: String
    public let temporaryPath: String
    private var committed = false

    public init(_ path: String, suffix: String = "") throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError(path, "output folder \(dir) does not exist")
        }
        try OutputFiles.checkWritable(folder: dir, for: path)
        temporaryPath = dir + "/." + url.lastPathComponent + ".\(ProcessInfo.processInfo.processIdentifier).partial" + suffix
        TemporaryFiles.shared.register(temporaryPath)
    }

    /// Flushes the finished temporary file to disk and renames it to the final path.
    /// - Throws: `PipelineError` naming the final path when the flush or the rename fails; the
    ///   temporary is then removed and the final path left as it was.
    public func commit() throws {
        try flush()
        try moveIntoPlace()
    }

    /// Commits a set of outputs that belong together (targets and tiles, a model and its
    /// weights table): every temporary is flushed first and only then is each renamed, so the
    /// old set is replaced only once the whole new set is complete. When a flush fails, every
    /// temporary is removed and every old file stays.
    /// - Throws: `PipelineError` naming the output that failed.
    public static func commit(_ outputs: [AtomicOutput]) throws {
        do {
            for output in outputs { try output.flush() }
        } catch {
            for output in outputs { output.discard() }
            throw error
        }
        for output in outputs { try output.moveIntoPlace() }
    }

    /// Forces the temporary file's data to disk, so a write that the file system only fails
    /// when it flushes (a full disk, a quota) is reported before the file replaces anything.
    /// A temporary folder (a staging folder) is left as it is (`VSI.syncToDisk`).
    func flush() throws {
        var info = stat()
        guard stat(temporaryPath, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw PipelineError(finalPath, "the finished output cannot be found: \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return }
        if let reason = VSI.syncToDisk(temporaryPath) {
            discard()
            throw PipelineError(finalPath, "cannot write the output to disk: \(reason)")
        }
    }

    /// Renames the flushed temporary file to the final path.
    func moveIntoPlace() throws {
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw PipelineError(finalPath, "cannot move the finished output into place: \(reason)")
        }
        committed = true
        TemporaryFiles.shared.unregister(temporaryPath)
    }

    /// Removes the temporary file (and GDAL side files such as `.aux.xml`).
    public func discard() {
        TemporaryFiles.shared.remove(temporaryPath)
    }

    deinit { if !committed { discard() } }
}

/// Paths to delete if the process is interrupted.
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    private init() {}

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every registered path and
    /// exit with status 128 + signal. Call once at start-up.
    public func installSignalHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.removeAll()
                FileHandle.standardError.write("prospect: interrupted; partial outputs removed\n".data(using: .utf8)!)
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    public func register(_ path: String) {
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }
    public func unregister(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Removes `path` and every file beside it whose name starts with its name (GDAL side files
    /// such as `.aux.xml`, and the writers' own temporaries, named `path.tmp-N…`).
    /// A folder (a staging folder) is removed with everything in it.
    public func remove(_ path: String) {
        unregister(path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            // Cleanup after a failure or an interrupt: the error being reported is the first one.
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        unlink(path)
        // Cleanup: a folder that cannot be listed holds no side files to remove.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where entry.hasPrefix(name) {
            unlink(dir + "/" + entry)
        }
    }

    func removeAll() {
        lock.lock()
        let all = paths
        lock.unlock()
        for p in all { remove(p) }
    }
}
