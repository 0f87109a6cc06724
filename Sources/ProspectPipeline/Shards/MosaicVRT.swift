import Foundation
import ProspectCore

/// A GDAL VRT that puts rasters lying side by side on one grid back together: the tiles of a
/// sharded study's layers, or its maps.
///
/// Each source is a raster on its own window of the grid, read whole (`SimpleSource`: the
/// cells copied, not resampled), so a cell of the mosaic is the cell of its tile bit for bit.
/// The bands are `Float32` with 256 × 256 blocks, the prepared layers' own, so a stack of
/// mosaics is streamed in the same tiles, in the same order, as a stack prepared in one run
/// (training draws its background sample in that order).
struct MosaicVRT {
    struct Source {
        /// The tile's file; written relative to the VRT (`relativePath`).
        var path: String
        /// The tile's band read.
        var band: Int = 1
        /// Where the tile lies in the grid.
        var window: Window
        /// The tile's blocks. Given, the VRT declares the tile's size, type (`Float32`) and
        /// blocks (`SourceProperties`), and GDAL opens it only when a read reaches it, through
        /// its pool of at most `GDAL_MAX_DATASET_POOL_SIZE` (100) open files: a mosaic of
        /// hundreds of tiles then holds a hundred files open, not every one.
        var blockSize: (columns: Int, rows: Int)? = nil
    }

    struct Band {
        var description: String
        var nodata: Double
        /// The unit of the values (GDAL's unit type), as the tiles' band declares it.
        var unitType: String? = nil
        /// The tiles filling the band.
        var sources: [Source]
    }

    var grid: Grid
    var bands: [Band]
    /// Dataset metadata (the default domain).
    var metadata: [String: String] = [:]
    static let blockSize = 256

    /// The VRT's XML, with source paths relative to `folder` when they lie inside it.
    func xml(folder: String) -> String {
        let t = grid.transform
        var out = "<VRTDataset rasterXSize=\"\(grid.columns)\" rasterYSize=\"\(grid.rows)\">\n"
        if !grid.crsWKT.isEmpty { out += "  <SRS dataAxisToSRSAxisMapping=\"1,2\">\(Self.escape(grid.crsWKT))</SRS>\n" }
        let coefficients = [t.originX, t.cellWidth, t.rowRotation, t.originY, t.colRotation, t.cellHeight]
        out += "  <GeoTransform>\(coefficients.map { Self.number($0) }.joined(separator: ", "))</GeoTransform>\n"
        if !metadata.isEmpty {
            out += "  <Metadata>\n"
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                out += "    <MDI key=\"\(Self.escape(key))\">\(Self.escape(value))</MDI>\n"
            }
            out += "  </Metadata>\n"
        }
        for (k, band) in bands.enumerated() {
            out +=
                "  <VRTRasterBand dataType=\"Float32\" band=\"\(k + 1)\" blockXSize=\"\(Self.blockSize)\" blockYSize=\"\(Self.blockSize)\">\n"
            out += "    <Description>\(Self.escape(band.description))</Description>\n"
            out += "    <NoDataValue>\(Self.number(band.nodata))</NoDataValue>\n"
            if let unit = band.unitType { out += "    <UnitType>\(Self.escape(unit))</UnitType>\n" }
            for source in band.sources {
                let relative = Self.relativePath(source.path, from: folder)
                let name = relative ?? URL(fileURLWithPath: source.path).standardizedFileURL.path
                let w = source.window
                out += "    <SimpleSource>\n"
                out += "      <SourceFilename relativeToVRT=\"\(relative == nil ? 0 : 1)\">\(Self.escape(name))</SourceFilename>\n"
                if let b = source.blockSize {
                    out +=
                        "      <SourceProperties RasterXSize=\"\(w.columns)\" RasterYSize=\"\(w.rows)\" DataType=\"Float32\" BlockXSize=\"\(b.columns)\" BlockYSize=\"\(b.rows)\"/>\n"
                }
                out += "      <SourceBand>\(source.band)</SourceBand>\n"
                out += "      <SrcRect xOff=\"0\" yOff=\"0\" xSize=\"\(w.columns)\" ySize=\"\(w.rows)\"/>\n"
                out += "      <DstRect xOff=\"\(w.column)\" yOff=\"\(w.row)\" xSize=\"\(w.columns)\" ySize=\"\(w.rows)\"/>\n"
                out += "    </SimpleSource>\n"
            }
            out += "  </VRTRasterBand>\n"
        }
        out += "</VRTDataset>\n"
        return out
    }

    /// Writes the VRT at `path` (under a temporary name, renamed when complete).
    func write(to path: String) throws {
        try Reports.writeText(xml(folder: URL(fileURLWithPath: path).deletingLastPathComponent().path), to: path)
    }

    /// `path` relative to `folder` (`../shards/0003/stack/a.tif`), so the plan's folder can
    /// move as a whole; nil when the two share no folder but the root.
    static func relativePath(_ path: String, from folder: String) -> String? {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path.split(separator: "/")
        let base = URL(fileURLWithPath: folder).standardizedFileURL.path.split(separator: "/")
        let common = zip(file, base).prefix { $0 == $1 }.count
        guard common > 0 else { return nil }
        return (Array(repeating: "..", count: base.count - common) + file[common...].map(String.init)).joined(separator: "/")
    }

    /// A number as text that reads back as the same `Double` (Swift's shortest round-trip form).
    static func number(_ x: Double) -> String { "\(x)" }

    /// Text for XML content and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
