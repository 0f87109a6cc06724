import Foundation

/// The vector formats a command writes features in, chosen by the file's extension.
public enum VectorFormat: Sendable, Equatable {
    /// RFC 7946 GeoJSON (`.geojson`, `.json`): WGS 84 longitude/latitude, counter-clockwise
    /// exterior rings.
    case geoJSON
    /// GeoPackage (`.gpkg`), in the features' own CRS.
    case geoPackage
    /// FlatGeobuf (`.fgb`), in the features' own CRS, with a spatial index.
    case flatGeobuf

    /// The format for a file name (extension compared ignoring case), or nil.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "geojson", "json": self = .geoJSON
        case "gpkg": self = .geoPackage
        case "fgb": self = .flatGeobuf
        default: return nil
        }
    }

    /// Writes one layer under a temporary name beside `path` and checks it (see
    /// `VectorWriter.stage`), to be renamed into place by the caller.
    /// - Throws: `GDALError` naming `path`.
    public func stage(path: String, layerName: String, features: [GeoJSONFeature], crs: SpatialReference) throws
        -> StagedVectorFile
    {
        switch self {
        case .geoJSON:
            try GeoJSONWriter.stage(path: path, layerName: layerName, features: features, crs: crs)
        case .geoPackage:
            try VectorWriter.stage(path: path, driver: "GPKG", layerName: layerName, features: features, crs: crs)
        case .flatGeobuf:
            try VectorWriter.stage(
                path: path, driver: "FlatGeobuf", layerName: layerName, features: features, crs: crs,
                layerOptions: ["SPATIAL_INDEX=YES"])
        }
    }
}
