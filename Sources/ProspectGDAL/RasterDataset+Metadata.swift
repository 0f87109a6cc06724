internal import CGDAL

extension RasterDataset {
    /// Sets dataset metadata items in `domain` (nil = the default domain).
    ///
    /// The corresponding C function is `GDALSetMetadataItem`.
    /// - Throws: `GDALError` when the format refuses an item.
    public func setMetadata(_ items: [String: String], domain: String? = nil) throws {
        let h = openHandle
        for (key, value) in items.sorted(by: { $0.key < $1.key }) {
            CPL.reset()
            guard GDALSetMetadataItem(h, key, value, domain) == CE_None else {  // CE_None on success
                throw GDALError(path: path, message: CPL.detail("could not set metadata \(key)"))
            }
        }
    }

    /// Dataset metadata of `domain` (nil = the default domain; "IMAGE_STRUCTURE" for layout,
    /// compression, …). The corresponding C function is `GDALGetMetadata` (borrowed list).
    public func metadata(domain: String? = nil) -> [String: String] {
        CPL.dictionary(GDALGetMetadata(openHandle, domain))  // NULL when empty
    }

    /// One metadata item of `band` in `domain`, nil when absent: the GeoTIFF driver answers
    /// "BLOCK_OFFSET_x_y" and "BLOCK_SIZE_x_y" in the "TIFF" domain with where a block's bytes
    /// lie in the file. The corresponding C function is `GDALGetMetadataItem` (NULL when absent).
    public func bandMetadataItem(_ name: String, band: Int = 1, domain: String? = nil) -> String? {
        withBand(band) { b in GDALGetMetadataItem(b, name, domain).map { String(cString: $0) } }
    }

    /// Sets the description of `band`. The corresponding C function is `GDALSetDescription`.
    public func setBandDescription(_ text: String, band: Int = 1) {
        withBand(band) { GDALSetDescription($0, text) }  // void
    }

    /// The description of `band` ("" when unset). The corresponding C function is `GDALGetDescription`.
    public func bandDescription(band: Int = 1) -> String {
        withBand(band) { b in GDALGetDescription(b).map { String(cString: $0) } ?? "" }
    }

    /// Class names of `band`, indexed by class value (GeoTIFF/ERDAS category names), empty
    /// when the band has none. The corresponding C function is `GDALGetRasterCategoryNames`
    /// (a borrowed list; NULL when there are none).
    ///
    /// GDAL 3.6's GeoTIFF driver reads a `.aux.xml` side file only when something asks for
    /// its georeferencing or a table, and its `GetCategoryNames` does not: asked first, it
    /// found no names in the side file. Asking for the attribute table (`GDALGetDefaultRAT`)
    /// first loads the side file.
    public func categoryNames(band: Int = 1) -> [String] {
        withBand(band) { b in
            _ = GDALGetDefaultRAT(b)  // NULL when there is none; loads the side file
            guard let list = GDALGetRasterCategoryNames(b) else { return [] }
            var names: [String] = []
            var i = 0
            while let item = list[i] {
                names.append(String(cString: item))
                i += 1
            }
            return names
        }
    }
}
