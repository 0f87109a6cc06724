import Foundation
import ProspectCore
import ProspectGDAL

/// Class names of a categorical raster, as stacks and models keep them (code as text → name).
public enum RasterLegend {
    /// The raster's class names: GDAL's category names and raster attribute table
    /// (`RasterDataset.legend`), else `CLASS_<code>=name` metadata items (as the demo rasters
    /// carry); nil when it has none.
    /// - Throws: `GDALError` naming the file when it cannot be opened.
    public static func read(_ path: String) throws -> [String: String]? {
        let ds = try RasterDataset.open(path)
        var legend: [String: String] = [:]
        for (code, name) in ds.legend() { legend[String(code)] = name }
        if legend.isEmpty {
            for (key, value) in ds.metadata() where key.hasPrefix("CLASS_") {
                if let code = Int(key.dropFirst(6)) { legend[String(code)] = value }
            }
        }
        return legend.isEmpty ? nil : legend
    }

    /// The unit of the raster's values (`GDALGetRasterUnitType`), nil when unset.
    /// - Throws: `GDALError` naming the file when it cannot be opened.
    public static func unit(_ path: String) throws -> String? {
        try RasterDataset.open(path).unitType()
    }

    /// `legend` with the class names of every categorical layer that has none and no
    /// transforms (which would change its codes) read from its raster. A raster that cannot be
    /// opened adds nothing: opening the stack reports it.
    public static func filling(_ legend: [String: [String: String]], for layers: [LayerSpec]) -> [String: [String: String]] {
        var out = legend
        for layer in layers where layer.kind == .categorical && layer.transforms.isEmpty && out[layer.name] == nil {
            if let found = try? read(layer.path) { out[layer.name] = found }
        }
        return out
    }
}
