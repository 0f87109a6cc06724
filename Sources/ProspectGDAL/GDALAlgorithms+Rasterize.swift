internal import CGDAL
import Foundation
public import ProspectCore

/// What `GDALAlgorithms.rasterize` writes into the cells a feature covers.
public enum BurnSource: Sendable {
    /// The same value for every feature.
    case constant(Double)
    /// The value of a numeric (integer or real) field; features where it is null are not burned.
    case attribute(String)
    /// A code per value of a text field (a geology map's rock unit → class code); features
    /// whose value is null or absent from `values` are not burned.
    case mapped(field: String, values: [String: Double])
}

extension GDALAlgorithms {
    /// Rasterizes one layer onto exactly `grid`: a Float32 GeoTIFF with the grid's
    /// geotransform, size and CRS, every cell `initialValue` except those burned.
    ///
    /// A cell is burned when its centre lies inside a polygon (or, with `allTouched`, when
    /// any part of it touches the feature); lines and points burn the cells they pass
    /// through. Where features overlap, the one read last wins. Features in a CRS other than
    /// the grid's are reprojected to it; features with no CRS (none declared, or a placeholder
    /// such as GeoPackage's "Undefined SRS") are taken to be in the grid's CRS already.
    ///
    /// `.constant` and `.attribute` go through `GDALRasterizeLayers` (`ATTRIBUTE=<field>` for
    /// the latter). `.mapped` — and any source whose CRS is implied rather than declared (a
    /// longitude/latitude CSV) — goes through `GDALRasterizeGeometries` with one burn value
    /// per feature, on copies of the geometries reprojected here (`OGR_G_Clone`, `OGR_G_Transform`),
    /// so it holds the burned geometries in memory. The output is written under a temporary
    /// name beside `outputPath` and renamed on success.
    /// The corresponding C functions are `GDALRasterizeLayers` and `GDALRasterizeGeometries`
    /// (CE_None on success), and `GDALFillRaster`.
    /// - Parameters:
    ///   - vectorPath: any OGR-readable vector file (opened with `VectorDataset.open`).
    ///   - layer: the layer name, or nil for the first layer.
    ///   - grid: the output grid.
    ///   - burn: the value to burn; see `BurnSource`.
    ///   - allTouched: burn every cell a feature touches, not only those whose centre it covers.
    ///   - initialValue: the value of cells no feature burns.
    ///   - nodata: the band's nodata value, or nil for none.
    ///   - outputPath: the GeoTIFF to write (replaced if present).
    ///   - creationOptions: GTiff creation options, e.g. "TILED=YES", "COMPRESS=DEFLATE".
    /// - Throws: `GDALError` naming the vector file ("has no layer named …", "layer L has no
    ///   field F (fields: …)", "field F of layer L is not numeric") or the output file.
    public static func rasterize(
        vectorPath: String, layer name: String?, grid: Grid, burn: BurnSource, allTouched: Bool,
        initialValue: Double, nodata: Double?, outputPath: String, creationOptions: [String]
    ) throws {
        let source = try VectorDataset.open(vectorPath)
        let layer = try source.layer(name)
        let options = allTouched ? ["ALL_TOUCHED=TRUE"] : []
        // Each case: how to burn through GDALRasterizeLayers (nil: not possible) and the per-feature value.
        let layerValue: (value: Double, options: [String])?
        let featureValue: (OGRFeatureH) -> Double?
        switch burn {
        case .constant(let value):
            layerValue = (value, options)
            featureValue = { _ in value }
        case .attribute(let field):
            let index = try source.fieldIndex(field, in: layer)
            let fieldName = try source.fields(layer: name)[Int(index)]
            guard fieldName.isNumeric else {
                throw GDALError(
                    path: vectorPath, message: "field \(fieldName.name) of layer \(VectorDataset.name(of: layer)) is not numeric")
            }
            layerValue = (0, options + ["ATTRIBUTE=\(fieldName.name)"])
            featureValue = { f in
                OGR_F_IsFieldSetAndNotNull(f, index) != 0 ? OGR_F_GetFieldAsDouble(f, index) : nil
            }
        case .mapped(let field, let values):
            let index = try source.fieldIndex(field, in: layer)
            layerValue = nil
            featureValue = { f in
                // never NULL for a valid index
                guard OGR_F_IsFieldSetAndNotNull(f, index) != 0, let text = OGR_F_GetFieldAsString(f, index) else { return nil }
                return values[String(cString: text)]
            }
        }

        try writeFloat32GeoTIFF(grid: grid, to: outputPath, creationOptions: creationOptions) { output in
            CPL.reset()
            if let nodata, GDALSetRasterNoDataValue(output.firstBand, nodata) != CE_None {  // CE_None on success
                throw GDALError(path: outputPath, message: CPL.detail("could not set nodata \(nodata)"))
            }
            CPL.reset()
            guard GDALFillRaster(output.firstBand, initialValue, 0) == CE_None else {  // CE_None on success
                throw GDALError(path: outputPath, message: CPL.detail("could not fill the raster with \(initialValue)"))
            }
            if let layerValue, source.impliedCRS == nil {
                if case .attribute(let field) = burn {
                    // GDALRasterizeLayers burns 0 for a null ATTRIBUTE value; leave those features out.
                    let quoted = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                    try setAttributeFilter("\(quoted) IS NOT NULL", on: layer, of: source)
                }
                defer { _ = OGR_L_SetAttributeFilter(layer, nil) }  // OGRERR_NONE; clearing cannot fail
                try burnLayer(layer, of: source, into: output, value: layerValue.value, options: layerValue.options)
            } else {
                try burnGeometries(of: layer, in: source, into: output, grid: grid, value: featureValue, options: options)
            }
        }
    }

    /// Restricts the features `layer` yields. The corresponding C function is
    /// `OGR_L_SetAttributeFilter` (OGRERR_NONE on success).
    static func setAttributeFilter(_ filter: String, on layer: OGRLayerH, of source: VectorDataset) throws {
        CPL.reset()
        guard OGR_L_SetAttributeFilter(layer, filter) == OGRERR_NONE else {
            throw GDALError(path: source.path, message: CPL.detail("could not filter features by \(filter)"))
        }
    }

    /// Burns copies of the geometries of `layer`, reprojected to the grid CRS when the layer
    /// has a different one, each with its own value (features where `value` is nil are
    /// skipped). The corresponding C functions are `OGR_G_Clone` (NULL on failure),
    /// `OGR_G_Transform` (OGRERR_NONE on success) and `GDALRasterizeGeometries` (CE_None on success).
    static func burnGeometries(
        of layer: OGRLayerH, in source: VectorDataset, into target: OwnedDataset, grid: Grid,
        value: (OGRFeatureH) -> Double?, options: [String]
    ) throws {
        var transformer: CoordinateTransformer?
        if let layerCRS = source.crs(of: layer), !grid.crsWKT.isEmpty {
            let gridCRS = try SpatialReference(userInput: grid.crsWKT)
            if !layerCRS.isSame(gridCRS) { transformer = try CoordinateTransformer(from: layerCRS, to: gridCRS, file: source.path) }
        }
        var geometries: [OGRGeometryH?] = []
        var values: [Double] = []
        defer { for g in geometries { OGR_G_DestroyGeometry(g) } }
        try source.forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0, let v = value(f) else { return }  // NULL when no geometry
            CPL.reset()
            guard let copy = OGR_G_Clone(g) else {  // NULL on failure
                throw GDALError(path: source.path, message: CPL.detail("could not copy the geometry of feature \(OGR_F_GetFID(f))"))
            }
            geometries.append(copy)
            values.append(v)
            if let transformer {
                CPL.reset()
                guard OGR_G_Transform(copy, transformer.handle) == OGRERR_NONE else {  // OGRERR_NONE on success
                    throw GDALError(
                        path: source.path, message: CPL.detail("could not reproject feature \(OGR_F_GetFID(f)) to the grid CRS"))
                }
            }
        }
        guard !geometries.isEmpty else { return }
        var bands: [Int32] = [1]
        CPL.reset()
        let err = CPL.withList(options) {
            // CE_None on success
            GDALRasterizeGeometries(target.h, 1, &bands, Int32(geometries.count), &geometries, nil, nil, &values, $0, nil, nil)
        }
        guard err == CE_None else {
            throw GDALError(path: source.path, message: CPL.detail("could not rasterize"))
        }
    }
}
