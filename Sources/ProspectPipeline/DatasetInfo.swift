import Foundation
import ProspectCore
import ProspectGDAL

/// What `prospect info` reports about a file.
public struct DatasetInfo: Sendable, Codable {
    public struct Band: Sendable, Codable {
        public var band: Int
        public var dataType: String
        public var nodata: Double?
        public var blockColumns: Int, blockRows: Int
        public var description: String
        public var min: Double?, max: Double?, mean: Double?, stdDev: Double?
        /// True when the band was too large to scan without `--exact` and has no overviews.
        public var statisticsSkipped: Bool?
    }
    public struct Raster: Sendable, Codable {
        public var driver: String
        public var columns: Int, rows: Int
        public var cellWidth: Double, cellHeight: Double
        public var extent: [Double]  // minX, minY, maxX, maxY
        public var crs: String
        public var epsg: Int?
        public var bands: [Band]
        public var metadata: [String: String]
    }
    public struct Layer: Sendable, Codable {
        public var name: String
        public var geometryType: String
        public var features: Int
        public var crs: String
        public var extent: [Double]?
        public var fields: [String]
    }
    public var path: String
    public var raster: Raster?
    public var vectorLayers: [Layer]?

    /// Cells up to which `info` computes exact statistics without `--exact` (2048 × 2048).
    public static let exactStatisticsCells = 1 << 22

    /// Describes a raster (size, cell size, extent, CRS, bands, types, nodata, blocks, value
    /// summary) and/or a vector file (layers, geometry type, feature count, CRS).
    /// - Throws: when the file is missing or GDAL reads it as neither.
    public static func describe(_ path: String, exactStatistics: Bool = false) throws -> DatasetInfo {
        GDAL.initialize()
        guard FileManager.default.fileExists(atPath: path) || !DatasetName.isPlainPath(path) else {
            throw PipelineError(path, "no such file")
        }
        var info = DatasetInfo(path: path)
        var rasterError: Error?
        do {
            let ds = try RasterDataset.open(path)
            let g = ds.grid
            let e = g.extent
            let srs = g.crsWKT.isEmpty ? nil : ds.spatialReference
            var bands: [Band] = []
            for b in 1...max(1, ds.bandCount) where ds.bandCount > 0 {
                let block = ds.blockSize(band: b)
                // Above `exactStatisticsCells` a full scan is not cheap: statistics come from a
                // nearest-neighbour view that GDAL reads from overviews, or are skipped when
                // there are none (a 10^6 × 10^6 sparse TIFF took 3 minutes and 1.5 GB).
                let large = !exactStatistics && g.cellCount > exactStatisticsCells
                let skipped = large && ds.overviewCount(band: b) == 0
                let stats = skipped ? nil : try ds.statistics(band: b, approximate: large)
                bands.append(
                    Band(
                        band: b, dataType: ds.dataType(band: b).gdalName, nodata: ds.nodata(band: b),
                        blockColumns: block.columns, blockRows: block.rows, description: ds.bandDescription(band: b),
                        min: stats?.min, max: stats?.max, mean: stats?.mean, stdDev: stats?.stdDev,
                        statisticsSkipped: skipped ? true : nil))
            }
            var metadata = ds.metadata()
            metadata["PROSPECT_MODEL_JSON"] = metadata["PROSPECT_MODEL_JSON"].map { json in "(embedded model, \(json.utf8.count) bytes)" }
            info.raster = Raster(
                driver: ds.driverName, columns: g.columns, rows: g.rows,
                cellWidth: abs(g.transform.cellWidth), cellHeight: abs(g.transform.cellHeight),
                extent: [e.minX, e.minY, e.maxX, e.maxY], crs: srs?.name ?? "none", epsg: srs?.epsgCode,
                bands: bands, metadata: metadata)
            try ds.close()
        } catch {
            rasterError = error
        }
        // A probe: a raster-only file does not open as a vector dataset, and a file that is
        // neither is reported below, naming it.
        if let vds = try? VectorDataset.open(path), !vds.layers.isEmpty {
            info.vectorLayers = vds.layers.map {
                Layer(
                    name: $0.name, geometryType: $0.geometryType, features: $0.featureCount,
                    crs: $0.crsLabel.isEmpty ? "none" : $0.crsLabel,
                    extent: $0.extent.map { [$0.minX, $0.minY, $0.maxX, $0.maxY] }, fields: $0.fields)
            }
        }
        if info.raster == nil && info.vectorLayers == nil {
            // A raster GDAL opened but could not read is reported as such; otherwise name both.
            if let e = rasterError as? GDALError, !e.message.hasPrefix("not a raster") { throw e }
            throw PipelineError(path, "not a raster or vector file that GDAL can read")
        }
        return info
    }

    init(path: String) { self.path = path }

    /// A human-readable description.
    public var text: String {
        var out = "\(path)\n"
        if let r = raster {
            out += "  raster (\(r.driver)): \(r.columns) × \(r.rows) cells of \(r.cellWidth) × \(r.cellHeight)\n"
            out += "  extent: \(r.extent.map { String(format: "%.3f", $0) }.joined(separator: ", ")) (min x, min y, max x, max y)\n"
            out += "  CRS: \(r.crs)\(r.epsg.map { " (EPSG:\($0))" } ?? "")\n"
            for b in r.bands {
                out +=
                    "  band \(b.band): \(b.dataType), nodata \(b.nodata.map { "\($0)" } ?? "none"), blocks \(b.blockColumns) × \(b.blockRows)"
                out += b.description.isEmpty ? "\n" : ", \"\(b.description)\"\n"
                if b.statisticsSkipped == true {
                    out += "    values: statistics skipped: \(r.columns * r.rows) cells and no overviews; use --exact\n"
                } else if let mn = b.min, let mx = b.max, let mean = b.mean, let sd = b.stdDev {
                    out += String(format: "    values: min %.6g, max %.6g, mean %.6g, std dev %.6g\n", mn, mx, mean, sd)
                } else {
                    out += "    values: every cell is nodata\n"
                }
            }
            for key in r.metadata.keys.sorted() where key.hasPrefix("PROSPECT_") {
                out += "  \(key): \(r.metadata[key]!.replacingOccurrences(of: "\n", with: "; "))\n"
            }
        }
        for l in vectorLayers ?? [] {
            out += "  vector layer \"\(l.name)\": \(l.features) \(l.geometryType) features, CRS \(l.crs)"
            out += l.fields.isEmpty ? "\n" : ", fields: \(l.fields.joined(separator: ", "))\n"
        }
        return out
    }
}
