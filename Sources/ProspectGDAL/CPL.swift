internal import CGDAL
import Foundation

/// Helpers over GDAL's thread-local error state and its `char **` string lists.
///
/// The error state is per thread: reset, call, and read the message with no suspension in
/// between (these helpers are synchronous, so that holds by construction).
enum CPL {
    /// Clears the thread's last error. The corresponding C function is `CPLErrorReset`.
    static func reset() { CPLErrorReset() }

    /// The thread's last error message, or "unknown GDAL error" when GDAL left none.
    /// The corresponding C function is `CPLGetLastErrorMsg` (never NULL).
    static var lastMessage: String {
        let text = String(cString: CPLGetLastErrorMsg()).trimmingTrailingNewlines
        return text.isEmpty ? "unknown GDAL error" : text
    }

    /// True when the last error was `CE_Failure` or `CE_Fatal`. Wraps `CPLGetLastErrorType`.
    static var lastFailed: Bool {
        let type = CPLGetLastErrorType()
        return type == CE_Failure || type == CE_Fatal
    }

    /// `message` followed by the CPL message in parentheses.
    static func detail(_ message: String) -> String { "\(message) (\(lastMessage))" }

    /// Runs `body` with a NULL-terminated `char **` copy of `strings` (NULL when empty),
    /// freed afterwards with `CSLDestroy`.
    static func withList<R>(
        _ strings: [String],
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws -> R
    ) rethrows -> R {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        for s in strings { list = CSLAddString(list, s) }  // aborts on out-of-memory, never NULL with a string
        defer { CSLDestroy(list) }
        return try body(list)
    }

    /// Views a `char **` as the `const char * const *` that OSR entry points take
    /// (GDAL 3.6's `CSLConstList` is still plain `char **`).
    static func constList(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafePointer<UnsafePointer<CChar>?>? {
        list.map { UnsafeRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
    }

    /// Copies a NULL-terminated `KEY=VALUE` list into a dictionary (items without `=` are skipped).
    static func dictionary(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var result: [String: String] = [:]
        guard var p = list else { return result }
        while let item = p.pointee {
            let s = String(cString: item)
            if let eq = s.firstIndex(of: "=") {
                result[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        return result
    }
}

/// Files through GDAL's virtual file layer, so `/vsimem/` paths work like local ones.
///
/// Scratch outputs (warped rasters, translated layers) can live in GDAL's in-memory file
/// system under `/vsimem/…`; they take memory until removed with `remove` or
/// `removeDirectory`.
public enum VSI {
    /// Forces a local file's data to disk, so a write the file system fails only when it
    /// flushes (a full disk, a quota) shows before the file replaces anything; files in GDAL's
    /// virtual file systems (`/vsi…`) are left alone. The corresponding C functions are `open`
    /// (-1 on failure), `fsync` and `close` (both -1 on failure).
    /// - Returns: nil when the data is on disk, else the reason (`strerror`).
    public static func syncToDisk(_ path: String) -> String? {
        guard !path.hasPrefix("/vsi") else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let synced = fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        let closed = close(fd) == 0
        return synced && closed ? nil : reason
    }

    /// True when `path` exists. The corresponding C function is `VSIStatExL` (0 on success).
    public static func exists(_ path: String) -> Bool {
        GDAL.initialize()
        // VSIStatBufL (struct stat64) does not import into Swift; 512 bytes covers it on every ABI.
        let buf = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buf.deallocate() }
        return VSIStatExL(path, OpaquePointer(buf), VSI_STAT_EXISTS_FLAG) == 0
    }

    /// Removes `path`, ignoring a missing file. The corresponding C function is `VSIUnlink`
    /// (-1 on failure, ignored: there is nothing left to do about a file that cannot go).
    public static func remove(_ path: String) {
        GDAL.initialize()
        _ = VSIUnlink(path)
    }

    /// Creates a directory and any missing parents.
    ///
    /// In `/vsimem/` a folder exists only once created: files can be written under a path
    /// whose folder was never made, but then it cannot be listed or removed as a whole.
    /// The corresponding C function is `VSIMkdirRecursive` (0 on success).
    /// - Throws: `GDALError` naming the path.
    public static func makeDirectory(_ path: String) throws {
        GDAL.initialize()
        CPL.reset()
        guard VSIMkdirRecursive(path, 0o755) == 0 else {
            throw GDALError(path: path, message: CPL.detail("could not create the directory"))
        }
    }

    /// Creates a new, uniquely named folder for scratch files in GDAL's in-memory file
    /// system, `/vsimem/prospect-<UUID>`; free it and everything in it with `removeDirectory`.
    /// - Throws: `GDALError` when it cannot be created.
    public static func makeScratchDirectory() throws -> String {
        let path = "/vsimem/prospect-\(UUID().uuidString)"
        try makeDirectory(path)
        return path
    }

    /// Removes a directory and everything under it, ignoring a missing one: the way to free
    /// a `/vsimem/` scratch folder of intermediate files in one go. In `/vsimem/` only
    /// folders made with `makeDirectory` are found (see there).
    /// The corresponding C function is `VSIRmdirRecursive` (-1 on failure, ignored: there is
    /// nothing left to do about files that cannot go).
    public static func removeDirectory(_ path: String) {
        GDAL.initialize()
        _ = VSIRmdirRecursive(path)
    }

    /// Renames `from` to `to`, replacing `to`. The corresponding C function is `VSIRename`
    /// (0 on success).
    static func rename(_ from: String, _ to: String) throws {
        CPL.reset()
        guard VSIRename(from, to) == 0 else {
            throw GDALError(path: to, message: "could not rename \(from) into place")
        }
    }

    /// The files of a dataset written under `temporary` (`dir/.x.shp.prospect-PID-N.partial.shp`,
    /// a `TemporaryName`): every entry of its folder that is the same temporary, whatever
    /// follows `.partial` — a Shapefile's .shp/.shx/.dbf/.prj, say. The corresponding C
    /// function is `VSIReadDir` (a list to free with `CSLDestroy`).
    static func files(of temporary: String) -> [String] {
        let dir = (temporary as NSString).deletingLastPathComponent
        guard let own = TemporaryName.parse((temporary as NSString).lastPathComponent),
            let list = VSIReadDir(dir.isEmpty ? "." : dir)
        else { return [temporary] }
        defer { CSLDestroy(list) }
        var out: [String] = []
        var p = list
        while let item = p.pointee {
            let name = String(cString: item)
            if let t = TemporaryName.parse(name), t.target == own.target, t.pid == own.pid, t.serial == own.serial {
                out.append(dir.isEmpty ? name : dir + "/" + name)
            }
            p += 1
        }
        return out.isEmpty ? [temporary] : out
    }

    /// Renames every file of a dataset written under `temporary` to its name under `path`:
    /// the output's name with its extension replaced by what follows the temporary's
    /// `.partial.` (`.x.shp.prospect-PID-N.partial.dbf` → `x.dbf`), replacing existing files.
    static func renameFiles(temporary: String, to path: String) throws {
        let stem = (path as NSString).deletingPathExtension
        for file in files(of: temporary) {
            let rest = TemporaryName.parse((file as NSString).lastPathComponent)?.rest ?? (path as NSString).pathExtension
            try rename(file, rest.isEmpty ? stem : stem + "." + rest)
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
