internal import CGDAL

/// The cell type of a raster band.
public enum RasterDataType: String, Sendable, CaseIterable {
    case byte, int16, uint16, int32, uint32, float32, float64, other

    /// GDAL's name for the type ("Byte", "Float32", …; "Unknown" for `.other`).
    public var gdalName: String {
        switch self {
        case .byte: "Byte"
        case .int16: "Int16"
        case .uint16: "UInt16"
        case .int32: "Int32"
        case .uint32: "UInt32"
        case .float32: "Float32"
        case .float64: "Float64"
        case .other: "Unknown"
        }
    }

    /// Bytes per cell (0 for `.other`). The corresponding C function is `GDALGetDataTypeSizeBytes`.
    public var byteSize: Int { Int(GDALGetDataTypeSizeBytes(gdalType)) }

    var gdalType: GDALDataType {
        switch self {
        case .byte: GDT_Byte
        case .int16: GDT_Int16
        case .uint16: GDT_UInt16
        case .int32: GDT_Int32
        case .uint32: GDT_UInt32
        case .float32: GDT_Float32
        case .float64: GDT_Float64
        case .other: GDT_Unknown
        }
    }

    init(_ type: GDALDataType) {
        switch type {
        case GDT_Byte: self = .byte
        case GDT_Int16: self = .int16
        case GDT_UInt16: self = .uint16
        case GDT_Int32: self = .int32
        case GDT_UInt32: self = .uint32
        case GDT_Float32: self = .float32
        case GDT_Float64: self = .float64
        default: self = .other
        }
    }
}
