internal import CGDAL
public import Foundation
public import ProspectCore

extension GDALAlgorithms {
    /// Band 1 of `source` resampled to `width` × `height` pixels and coloured by a colour table:
    /// the raster part of a quicklook.
    ///
    /// The equivalent of `gdal_translate -b 1 -outsize W H -r average -ot Float32 -of MEM` (each
    /// pixel the mean of the valid cells under it; nodata cells left out of the mean, a pixel
    /// with none stays nodata), then `gdaldem color-relief -alpha -of MEM` with `colorTable` (GDAL's
    /// colour-relief text: "value R G B A" lines, linear between them, and "nv 0 0 0 0" for nodata,
    /// so nodata is transparent).
    /// The corresponding C functions are `GDALTranslate` and `GDALDEMProcessing` (NULL on failure).
    /// - Returns: the RGBA pixels, and the resampled values (NaN where nodata).
    /// - Throws: `GDALError` naming `source`.
    public static func colorRelief(
        source: String, width: Int, height: Int, colorTable: String
    ) throws -> (image: RGBAImage, values: [Float]) {
        precondition(width > 0 && height > 0, "a quicklook needs at least one pixel")
        let input = try RasterDataset.open(source)
        let nodata = input.nodata()
        CPL.reset()
        let translateArguments = [
            "-of", "MEM", "-b", "1", "-ot", "Float32", "-outsize", String(width), String(height), "-r", "average",
        ]
        guard let translateOptions = CPL.withList(translateArguments, { GDALTranslateOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: source, message: CPL.detail("invalid resampling options"))
        }
        defer { GDALTranslateOptionsFree(translateOptions) }
        var usageError: Int32 = 0
        CPL.reset()
        guard let small = GDALTranslate("", input.openHandle, translateOptions, &usageError) else {  // NULL on failure
            throw GDALError(path: source, message: CPL.detail("could not resample the map"))
        }
        let resampled = OwnedDataset(handle: small, path: source)
        var values = [Float](repeating: .nan, count: width * height)
        CPL.reset()
        let readErr = values.withUnsafeMutableBytes {
            GDALRasterIO(
                resampled.firstBand, GF_Read, 0, 0, Int32(width), Int32(height), $0.baseAddress, Int32(width), Int32(height),
                GDT_Float32, 0, 0)  // CE_None on success
        }
        guard readErr == CE_None else { throw GDALError(path: source, message: CPL.detail("could not read the resampled map")) }
        if let nodata {
            let nd = Float(nodata)
            for i in values.indices where values[i] == nd { values[i] = .nan }
        }

        let tablePath = "/vsimem/prospect-colors-\(UUID().uuidString).txt"
        try VSI.write(Data(colorTable.utf8), to: tablePath)
        defer { VSI.remove(tablePath) }
        CPL.reset()
        guard let demOptions = CPL.withList(["-of", "MEM", "-alpha"], { GDALDEMProcessingOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: source, message: CPL.detail("invalid colour-relief options"))
        }
        defer { GDALDEMProcessingOptionsFree(demOptions) }
        CPL.reset()
        // NULL on failure
        guard let coloured = GDALDEMProcessing("", resampled.h, "color-relief", tablePath, demOptions, &usageError) else {
            throw GDALError(path: source, message: CPL.detail("could not colour the map"))
        }
        let rgba = OwnedDataset(handle: coloured, path: source)
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        var bands: [Int32] = [1, 2, 3, 4]
        CPL.reset()
        let err = pixels.withUnsafeMutableBytes {
            GDALDatasetRasterIO(
                rgba.h, GF_Read, 0, 0, Int32(width), Int32(height), $0.baseAddress, Int32(width), Int32(height), GDT_Byte, 4,
                &bands, 4, Int32(4 * width), 1)  // CE_None on success
        }
        guard err == CE_None else { throw GDALError(path: source, message: CPL.detail("could not read the coloured map")) }
        return (RGBAImage(width: width, height: height, pixels: pixels), values)
    }

    /// Writes an RGBA image as a PNG through GDAL: a 4-band MEM raster copied by the PNG driver
    /// under a temporary name beside `path`, renamed into place when complete (no side files).
    /// The corresponding C functions are `GDALCreate` (MEM), `GDALDatasetRasterIO` and `GDALCreateCopy`.
    /// - Throws: `GDALError` naming `path`.
    public static func writePNG(_ image: RGBAImage, to path: String) throws {
        let memory = try encodedMEM(image, label: path)
        CPL.reset()
        guard let driver = GDALGetDriverByName("PNG") else {  // NULL when not registered
            throw GDALError(path: path, message: "GDAL has no PNG driver")
        }
        try writeAtomically(to: path, failure: "could not write the PNG") { temporary in
            GDALCreateCopy(driver, temporary, memory.h, 0, nil, nil, nil)  // NULL on failure
        } finish: { _ in
        }
    }

    /// The PNG bytes of an image, encoded by GDAL's PNG driver in `/vsimem/` (for a data: URI).
    /// - Throws: `GDALError` when GDAL cannot encode it.
    public static func pngData(_ image: RGBAImage) throws -> Data {
        let memory = try encodedMEM(image, label: "PNG image")
        let path = "/vsimem/prospect-\(UUID().uuidString).png"
        defer { VSI.remove(path) }
        CPL.reset()
        guard let driver = GDALGetDriverByName("PNG") else {  // NULL when not registered
            throw GDALError(path: path, message: "GDAL has no PNG driver")
        }
        try GDAL.withoutSideFiles {
            CPL.reset()
            guard let copy = GDALCreateCopy(driver, path, memory.h, 0, nil, nil, nil) else {  // NULL on failure
                throw GDALError(path: "PNG image", message: CPL.detail("could not encode"))
            }
            try OwnedDataset(handle: copy, path: "PNG image").close()
        }
        return try VSI.read(path)
    }

    /// A 4-band Byte MEM raster holding the image.
    private static func encodedMEM(_ image: RGBAImage, label: String) throws -> OwnedDataset {
        GDAL.initialize()
        CPL.reset()
        guard let driver = GDALGetDriverByName("MEM") else {  // NULL when not registered
            throw GDALError(path: label, message: "GDAL has no MEM driver")
        }
        guard let h = GDALCreate(driver, "", Int32(image.width), Int32(image.height), 4, GDT_Byte, nil) else {  // NULL on failure
            throw GDALError(path: label, message: CPL.detail("could not create an image in memory"))
        }
        let memory = OwnedDataset(handle: h, path: label)
        var bands: [Int32] = [1, 2, 3, 4]
        var pixels = image.pixels
        CPL.reset()
        let err = pixels.withUnsafeMutableBytes {
            GDALDatasetRasterIO(
                memory.h, GF_Write, 0, 0, Int32(image.width), Int32(image.height), $0.baseAddress, Int32(image.width),
                Int32(image.height), GDT_Byte, 4, &bands, 4, Int32(4 * image.width), 1)  // CE_None on success
        }
        guard err == CE_None else { throw GDALError(path: label, message: CPL.detail("could not fill the image")) }
        for (band, interpretation) in [GCI_RedBand, GCI_GreenBand, GCI_BlueBand, GCI_AlphaBand].enumerated() {
            // CE_None on success; MEM accepts any interpretation
            GDALSetRasterColorInterpretation(GDALGetRasterBand(memory.h, Int32(band + 1)), interpretation)
        }
        return memory
    }

    /// One layer of a vector file as GeoJSON text in `targetCRS` (not RFC 7946: the coordinates
    /// stay in that CRS), written by `GDALVectorTranslate` into `/vsimem/` and read back.
    /// - Throws: `GDALError` naming `source`.
    public static func geoJSON(source: String, layer name: String?, targetCRS: SpatialReference) throws -> String {
        let input = try VectorDataset.open(source)
        let layer = try input.layer(name)
        let layerName = VectorDataset.name(of: layer)
        let path = "/vsimem/prospect-\(UUID().uuidString).geojson"
        defer { VSI.remove(path) }
        _ = try vectorTranslate(
            input, arguments: ["-f", "GeoJSON", "-t_srs", targetCRS.wkt, layerName], destination: path, layerName: layerName)
        return String(decoding: try VSI.read(path), as: UTF8.self)
    }
}

extension VSI {
    /// Writes `data` to `path` (a `/vsimem/` path or a local file), replacing it.
    /// The corresponding C functions are `VSIFOpenL` (NULL on failure), `VSIFWriteL` (the
    /// count written) and `VSIFCloseL` (0 on success).
    /// - Throws: `GDALError` naming the path.
    public static func write(_ data: Data, to path: String) throws {
        GDAL.initialize()
        CPL.reset()
        guard let f = VSIFOpenL(path, "wb") else { throw GDALError(path: path, message: CPL.detail("could not open for writing")) }
        let written = data.withUnsafeBytes { VSIFWriteL($0.baseAddress, 1, data.count, f) }
        let closed = VSIFCloseL(f) == 0
        guard written == data.count, closed else { throw GDALError(path: path, message: CPL.detail("could not write")) }
    }

    /// The whole content of `path` (a `/vsimem/` path or a local file).
    /// The corresponding C functions are `VSIFOpenL` (NULL on failure), `VSIFSeekL`, `VSIFTellL`
    /// and `VSIFReadL` (the count read).
    /// - Throws: `GDALError` naming the path.
    public static func read(_ path: String) throws -> Data {
        GDAL.initialize()
        CPL.reset()
        guard let f = VSIFOpenL(path, "rb") else { throw GDALError(path: path, message: CPL.detail("could not open")) }
        defer { VSIFCloseL(f) }
        VSIFSeekL(f, 0, SEEK_END)
        let size = Int(VSIFTellL(f))
        VSIFSeekL(f, 0, SEEK_SET)
        var data = Data(count: size)
        let read = data.withUnsafeMutableBytes { VSIFReadL($0.baseAddress, 1, size, f) }
        guard read == size else { throw GDALError(path: path, message: CPL.detail("could not read")) }
        return data
    }
}

extension SpatialReference {
    /// Metres per unit of a projected CRS's coordinates; nil for a geographic CRS.
    /// The corresponding C function is `OSRGetLinearUnits`.
    public var metresPerUnit: Double? {
        guard isProjected else { return nil }
        let m = OSRGetLinearUnits(handle, nil)
        return m > 0 ? m : nil
    }
}
