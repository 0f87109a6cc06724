internal import CGDAL

/// Transforms points between two coordinate reference systems, x/y (lon/lat) order.
///
/// Single owner of an `OGRCoordinateTransformationH`. Not `Sendable`: one per thread.
public final class CoordinateTransformer {
    private let handle: OGRCoordinateTransformationH
    /// The source CRS label, for error messages.
    private let name: String

    /// Builds the transformation. The corresponding C function is `OCTNewCoordinateTransformation`.
    /// - Throws: `GDALError` when PROJ finds no operation between the two.
    public init(from source: SpatialReference, to target: SpatialReference) throws {
        GDAL.initialize()
        name = "\(source.label) → \(target.label)"
        CPL.reset()
        guard let h = OCTNewCoordinateTransformation(source.handle, target.handle) else {  // NULL on failure
            throw GDALError(path: name, message: CPL.detail("no coordinate transformation"))
        }
        handle = h
    }

    deinit { OCTDestroyCoordinateTransformation(handle) }

    /// Transforms points (x first: easting or longitude).
    ///
    /// The corresponding C function is `OCTTransformEx`.
    /// - Throws: `GDALError` when any point cannot be transformed.
    public func transform(_ points: [(x: Double, y: Double)]) throws -> [(x: Double, y: Double)] {
        guard !points.isEmpty else { return [] }
        var xs = points.map(\.x), ys = points.map(\.y)
        var zs = [Double](repeating: 0, count: points.count)
        var ok = [Int32](repeating: 0, count: points.count)
        CPL.reset()
        let allOK = OCTTransformEx(handle, Int32(points.count), &xs, &ys, &zs, &ok)  // TRUE only when every point succeeded
        guard allOK != 0 else {
            let failed = ok.filter { $0 == 0 }.count
            throw GDALError(path: name, message: CPL.detail("\(failed) of \(points.count) points could not be transformed"))
        }
        return (0..<points.count).map { (xs[$0], ys[$0]) }
    }
}
