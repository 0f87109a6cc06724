internal import CGDAL

/// Transforms points between two coordinate reference systems, x/y (lon/lat) order.
///
/// Single owner of an `OGRCoordinateTransformationH`. Not `Sendable`: one per thread.
public final class CoordinateTransformer {
    /// The owned handle; borrowed by other types of this module for the length of one call.
    let handle: OGRCoordinateTransformationH
    /// The file whose coordinates are transformed, which errors name (else the two CRSs).
    private let file: String?
    /// "from EPSG:4326 to EPSG:32645", for error messages.
    private let fromTo: String

    /// Builds the transformation. The corresponding C function is `OCTNewCoordinateTransformation`.
    /// - Parameter file: the file whose coordinates these are, named by the errors.
    /// - Throws: `GDALError` when PROJ finds no operation between the two.
    public init(from source: SpatialReference, to target: SpatialReference, file: String? = nil) throws {
        GDAL.initialize()
        let fromTo = "from \(source.label) to \(target.label)"
        self.file = file
        self.fromTo = fromTo
        CPL.reset()
        guard let h = OCTNewCoordinateTransformation(source.handle, target.handle) else {  // NULL on failure
            throw Self.error(CPL.detail("no coordinate transformation \(fromTo)"), file: file)
        }
        handle = h
    }

    /// An error naming the file (with none, "coordinates"; the message says which CRSs).
    private static func error(_ message: String, file: String?) -> GDALError {
        GDALError(path: file ?? "coordinates", message: message)
    }

    private func error(_ message: String) -> GDALError { Self.error(message, file: file) }

    deinit { OCTDestroyCoordinateTransformation(handle) }

    /// Transforms points (x first: easting or longitude).
    ///
    /// The corresponding C function is `OCTTransformEx`.
    /// - Throws: `GDALError` when any point cannot be transformed.
    public func transform(_ points: [(x: Double, y: Double)]) throws -> [(x: Double, y: Double)] {
        guard !points.isEmpty else { return [] }
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        var zs = [Double](repeating: 0, count: points.count)
        var ok = [Int32](repeating: 0, count: points.count)
        CPL.reset()
        let allOK = OCTTransformEx(handle, Int32(points.count), &xs, &ys, &zs, &ok)  // TRUE only when every point succeeded
        guard allOK != 0 else {
            let failed = ok.filter { $0 == 0 }.count
            throw error(CPL.detail("\(failed) of \(points.count) points could not be transformed \(fromTo)") + "; check its CRS")
        }
        return (0..<points.count).map { (xs[$0], ys[$0]) }
    }

    /// Transforms a rectangle, densifying its edges so the result contains the whole
    /// transformed rectangle (curved edges, poles, the antimeridian).
    ///
    /// The corresponding C function is `OCTTransformBounds` with 21 points per edge
    /// (TRUE on success).
    /// - Throws: `GDALError` when the rectangle cannot be transformed.
    public func transformBounds(_ bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double))
        throws -> (minX: Double, minY: Double, maxX: Double, maxY: Double)
    {
        var minX = 0.0
        var minY = 0.0
        var maxX = 0.0
        var maxY = 0.0
        CPL.reset()
        guard
            OCTTransformBounds(
                handle, bounds.minX, bounds.minY, bounds.maxX, bounds.maxY,
                &minX, &minY, &maxX, &maxY, 21) != 0,  // TRUE on success
            minX.isFinite, minY.isFinite, maxX.isFinite, maxY.isFinite
        else {
            let extent = GDALAlgorithms.describe(bounds)
            let reason = CPL.lastMessage == "unknown GDAL error" ? "" : " (\(CPL.lastMessage))"
            throw error("its extent \(extent) could not be transformed \(fromTo)\(reason); check its CRS")
        }
        return (minX, minY, maxX, maxY)
    }
}
