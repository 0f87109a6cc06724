import Dispatch
import Foundation
import ProspectGDAL

/// Writes an output under a temporary name beside its final path and renames it into place
/// only when complete, so an interrupted or failed run leaves no partial file behind.
///
/// The temporary is named by `TemporaryName` (`.map.tif.prospect-PID-N.partial.tif`) and
/// registered with `TemporaryFiles`, which removes it when the process is interrupted (SIGINT,
/// SIGTERM, SIGHUP). Temporaries of the same output left by killed processes are removed first
/// (`StaleTemporaries`).
public final class AtomicOutput {
    public let finalPath: String
    public let temporaryPath: String
    private var committed = false

    public init(_ path: String) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError(path, "output folder \(dir) does not exist")
        }
        try OutputFiles.checkWritable(folder: dir, for: path)
        StaleTemporaries.remove(of: [path])
        temporaryPath = TemporaryName.make(for: dir + "/" + url.lastPathComponent)
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
