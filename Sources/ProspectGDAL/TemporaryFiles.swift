import Dispatch
import Foundation

/// The temporaries this process is writing, removed if it is interrupted.
///
/// Every temporary named by `TemporaryName` is registered here while it exists: `AtomicOutput`,
/// prepare's staging folder, and the GDAL writers (`GDALAlgorithms.writeAtomically`,
/// `VectorWriter`). SIGKILL cannot be caught; what it leaves, `StaleTemporaries` removes on the
/// next run that writes the same output.
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    private init() {}

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every registered path,
    /// call `notice` with the signal and exit with status 128 + signal. Call once at start-up.
    public func installSignalHandlers(
        notice: @escaping @Sendable (Int32) -> Void = { _ in
            FileHandle.standardError.write("prospect: interrupted; partial outputs removed\n".data(using: .utf8)!)
        }
    ) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.removeAll()
                notice(sig)
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Adds a path to remove on interrupt; paths in GDAL's virtual file systems (`/vsimem/`) are
    /// not files and are skipped.
    public func register(_ path: String) {
        guard !path.hasPrefix("/vsi") else { return }
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }
    public func unregister(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Removes `path` and the files GDAL wrote beside it under its name: for a `TemporaryName`,
    /// every entry of its folder with the same output, process and count (`.aux.xml`, a
    /// Shapefile's `.dbf` and `.shx`), else every entry whose name starts with `path`'s. A
    /// folder (a staging folder) is removed with everything in it. Paths in GDAL's virtual
    /// file systems are left to GDAL.
    public func remove(_ path: String) {
        unregister(path)
        guard !path.hasPrefix("/vsi") else { return }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            // Cleanup after a failure or an interrupt: the error being reported is the first one.
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let temporary = TemporaryName.parse(name)
        func isPart(_ entry: String) -> Bool {
            guard let temporary else { return entry.hasPrefix(name) }
            guard let other = TemporaryName.parse(entry) else { return false }
            return other.target == temporary.target && other.pid == temporary.pid && other.serial == temporary.serial
        }
        unlink(path)
        // Cleanup: a folder that cannot be listed holds no side files to remove.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where isPart(entry) {
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
