import Foundation
import Synchronization

/// The one form of every temporary Prospect makes beside an output, file or staging folder:
/// `.NAME.prospect-PID-N.partial[.EXT]`.
///
/// `NAME` is the output's file name, `PID` the process that made the temporary, `N` a count
/// within that process (an output can have several temporaries at once: a map's plain GeoTIFF
/// and its COG copy), and `EXT` the output's extension, kept so that drivers that go by the
/// extension (Shapefile, GeoPackage) still recognise the file. Whatever GDAL adds to the name
/// (`.aux.xml`, a Shapefile's `.dbf`, a GeoPackage's `-journal`) keeps the form, so those side
/// files belong to the same temporary. The name is hidden, says which program made it, and
/// tells a later run whether its maker is still running (`StaleTemporaries`).
public struct TemporaryName: Equatable, Sendable {
    /// The file name of the output the temporary is for (`map.tif`).
    public var target: String
    /// The process that made it.
    public var pid: Int32
    /// Its count within that process.
    public var serial: Int
    /// What follows `.partial.` (`tif`, `tif.aux.xml`, `dbf`); empty when nothing does.
    public var rest: String

    static let marker = ".prospect-"
    private static let count = Atomic<Int>(0)

    /// A new temporary path beside `path`, for this process: `dir/x.shp` →
    /// `dir/.x.shp.prospect-4242-1.partial.shp`. A temporary of a temporary
    /// (`dir/.x.tif.prospect-4242-1.partial`) is another temporary of the same output
    /// (`dir/.x.tif.prospect-4242-2.partial.tif`), so a cleaner that looks for the output's
    /// temporaries finds both.
    public static func make(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = (path as NSString).deletingLastPathComponent
        let name = url.lastPathComponent
        let target = parse(name)?.target ?? name
        let ext = (target as NSString).pathExtension
        let serial = count.add(1, ordering: .relaxed).newValue
        let file = ".\(target)\(marker)\(getpid())-\(serial).partial" + (ext.isEmpty ? "" : ".\(ext)")
        return folder.isEmpty ? file : folder + "/" + file
    }

    /// Reads a file name made by `make` (or a side file of one); nil for any other name.
    public static func parse(_ fileName: String) -> TemporaryName? {
        guard fileName.hasPrefix(".") else { return nil }
        var search = fileName.index(after: fileName.startIndex)..<fileName.endIndex
        while let found = fileName.range(of: marker, range: search) {
            let target = String(fileName[fileName.index(after: fileName.startIndex)..<found.lowerBound])
            if !target.isEmpty, let parsed = parseTail(fileName[found.upperBound...], target: target) { return parsed }
            search = found.upperBound..<fileName.endIndex
        }
        return nil
    }

    /// Reads `PID-N.partial[.REST]`.
    private static func parseTail(_ tail: Substring, target: String) -> TemporaryName? {
        guard let dash = tail.firstIndex(of: "-"), let pid = number(tail[..<dash]), pid > 0, pid <= Int(Int32.max) else { return nil }
        let afterDash = tail[tail.index(after: dash)...]
        guard let dot = afterDash.firstIndex(of: "."), let serial = number(afterDash[..<dot]) else { return nil }
        let suffix = afterDash[dot...]
        guard suffix.hasPrefix(".partial") else { return nil }
        let after = suffix.dropFirst(".partial".count)
        guard after.isEmpty || (after.hasPrefix(".") && after.count > 1) else { return nil }
        return TemporaryName(target: target, pid: Int32(pid), serial: serial, rest: String(after.dropFirst()))
    }

    /// A run of 1 to 18 ASCII digits as a number.
    private static func number(_ text: Substring) -> Int? {
        guard (1...18).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
