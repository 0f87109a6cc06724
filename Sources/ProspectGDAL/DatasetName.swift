internal import CGDAL
import Foundation

/// The names GDAL opens: plain file paths, and names that are not paths — virtual file systems
/// (`/vsizip/a.zip/b.tif`, `/vsicurl/https://…`) and subdatasets (`GPKG:file.gpkg:table`,
/// `NETCDF:"f.nc":var`, `HDF5:"f.h5"://dataset`, `GTIFF_DIR:2:f.tif`).
///
/// A plain path can be checked for existence before anything is opened; the others are only
/// known to GDAL, which is then asked, and its message reported.
public enum DatasetName {
    /// Whether `name` is a subdataset name, `DRIVER:…` with a driver GDAL has (`GPKG`, `NETCDF`,
    /// `HDF5`; or, before an underscore, `HDF4_SDS`, `GTIFF_DIR`, `SENTINEL2_L1C`). A file of
    /// that exact name in the working folder is a plain path.
    ///
    /// The corresponding C function is `GDALGetDriverByName` (NULL when no driver has the name;
    /// names compare ignoring case).
    public static func isSubdataset(_ name: String) -> Bool {
        guard let colon = name.firstIndex(of: ":"), colon != name.startIndex else { return false }
        let prefix = String(name[..<colon])
        guard prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return false }
        guard !FileManager.default.fileExists(atPath: name) else { return false }
        GDAL.initialize()
        let candidates = [prefix] + (prefix.contains("_") ? [String(prefix.prefix { $0 != "_" })] : [])
        return candidates.contains { GDALGetDriverByName($0) != nil }  // NULL when unknown
    }

    /// Whether `name` is a plain file path: neither a GDAL virtual path nor a subdataset name.
    public static func isPlainPath(_ name: String) -> Bool { !name.hasPrefix("/vsi") && !isSubdataset(name) }

    /// The error for a raster name that cannot be opened because nothing is there, or nil when
    /// there is something to open (a plain path that exists, or a name only GDAL can check).
    ///
    /// A path inside a File Geodatabase folder (`x.gdb/raster`) is explained: GDAL 3.6 reads
    /// no rasters from one (`fileGeodatabase`).
    public static func missing(_ name: String) -> GDALError? {
        if let gdb = fileGeodatabase(in: name) { return fileGeodatabaseError(gdb) }
        guard isPlainPath(name) else { return nil }
        if name.hasPrefix("/vsi") { return VSI.exists(name) ? nil : GDALError(path: name, message: "no such file") }
        return FileManager.default.fileExists(atPath: name) ? nil : GDALError(path: name, message: "no such file")
    }

    /// The File Geodatabase folder (`….gdb`) that `name` is or lies in, when GDAL cannot read
    /// rasters from it (before 3.7); nil otherwise.
    static func fileGeodatabase(in name: String) -> String? {
        guard GDAL.versionNumber < 3_070_000 else { return nil }
        var path = name
        if isSubdataset(name), let colon = name.firstIndex(of: ":") {
            path = String(name[name.index(after: colon)...]).replacingOccurrences(of: "\"", with: "")
            if let end = path.range(of: ".gdb", options: [.caseInsensitive])?.upperBound { path = String(path[..<end]) }
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var isDir: ObjCBool = false
            if component.lowercased().hasSuffix(".gdb"), FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir),
                isDir.boolValue
            {
                return prefix
            }
        }
        return nil
    }

    static func fileGeodatabaseError(_ gdb: String) -> GDALError {
        GDALError(
            path: gdb,
            message:
                "File Geodatabase rasters need GDAL 3.7 or later (this is GDAL \(GDAL.version)); export the raster to GeoTIFF")
    }

    /// The layer name a raster gets when none is given: the file name without its extension;
    /// for a subdataset, its last part (`GPKG:out.gpkg:grav` → `grav`, `HDF5:"f.h5"://g/v` → `v`).
    public static func layerName(for name: String) -> String {
        if isSubdataset(name), let last = name.split(separator: ":").last {
            let part = last.split(separator: "/").last.map(String.init) ?? String(last)
            let trimmed = part.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if !trimmed.isEmpty { return URL(fileURLWithPath: trimmed).deletingPathExtension().lastPathComponent }
        }
        return URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    }

    /// `name` with a relative file it names made absolute against `base`: a plain path, the
    /// file of a subdataset name (`GPKG:out.gpkg:grav` → `GPKG:/data/out.gpkg:grav`, quoted or
    /// not), or the archive of a `/vsizip/`-style path. Other names are returned as they are.
    public static func absolute(_ name: String, base: String) -> String {
        func resolved(_ file: String) -> String? {
            guard !file.isEmpty, !file.hasPrefix("/") else { return nil }
            let full = URL(fileURLWithPath: base).appendingPathComponent(file).standardizedFileURL.path
            return FileManager.default.fileExists(atPath: full) ? full : nil
        }
        if name.hasPrefix("/vsi") {
            let handlers = ["/vsizip/", "/vsigzip/", "/vsitar/", "/vsi7z/", "/vsirar/"]
            guard let handler = handlers.first(where: { name.hasPrefix($0) }) else { return name }
            let parts = name.dropFirst(handler.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            for end in parts.indices.reversed() {
                if let full = resolved(parts[0...end].joined(separator: "/")) {
                    return handler + full + (end + 1 < parts.count ? "/" + parts[(end + 1)...].joined(separator: "/") : "")
                }
            }
            return name
        }
        guard isSubdataset(name), let colon = name.firstIndex(of: ":") else {
            return name.hasPrefix("/") ? name : URL(fileURLWithPath: base).appendingPathComponent(name).standardizedFileURL.path
        }
        let driver = String(name[...colon])
        let rest = String(name[name.index(after: colon)...])
        if rest.hasPrefix("\""), let close = rest.dropFirst().firstIndex(of: "\"") {
            let file = String(rest[rest.index(after: rest.startIndex)..<close])
            guard let full = resolved(file) else { return name }
            return driver + "\"" + full + String(rest[close...])
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        for start in parts.indices {
            for end in (start..<parts.count).reversed() {
                if let full = resolved(parts[start...end].joined(separator: ":")) {
                    let before = parts[..<start].map { $0 + ":" }.joined()
                    let after = parts[(end + 1)...].map { ":" + $0 }.joined()
                    return driver + before + full + after
                }
            }
        }
        return name
    }
}
