internal import CGDAL

/// Transforms points between two coordinate reference systems, x/y (lon/lat) order.
///
/// Single owner of an `OGRCoordinateTransformationH`. Not `Sendable`: one per thread.
public final class CoordinateTransformer {
    /// The owned handle; borrowed by other types of this module for the length of one call.
    let handle: OGRCoordinateTransformationH
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
        var xs = points.map(\.x)
        var ys = points.map(\.y)
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
            throw GDALError(path: name, message: CPL.detail("could not transform the extent \(bounds)"))
        }
        return (minX, minY, maxX, maxY)
    }
}
