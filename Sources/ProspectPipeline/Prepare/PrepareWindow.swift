import ProspectCore
import ProspectGDAL

/// The part of the grid a prepare run writes: one shard of a study cut into tiles.
///
/// The grid is still the whole study's (its cells, its extent for the overlap checks); only
/// the cells of `window` are computed and written, on the window's own part of the grid, so
/// the tiles of every shard put side by side are the layers one run over the whole grid writes:
/// - distance and density fields are computed from every feature of the layer with each cell's
///   centre taken from the whole grid (`CellCenters`), so a cell's value does not depend on
///   the window it is computed in;
/// - rasters in the grid's CRS are warped onto the window alone: GDAL computes each cell from
///   the source cells around it and reads what it needs beyond the window;
/// - rasters from another CRS are warped onto the whole grid and cut to the window
///   (`wholeGridLayers`): GDAL's approximate transformer interpolates positions between points
///   it spaces over the warped extent, so the same cell warped in a smaller extent lands up to
///   an eighth of a cell elsewhere;
/// - the study area and rasterized layers are burned onto the window, each cell by its centre.
///
/// A window may hold no cell of the study area, or no data of a layer: the checks that every
/// layer holds data, and the warnings counting cells, are made when the windows are put back
/// together (`ShardMerge`).
public struct PrepareWindow: Sendable, Equatable, Codable {
    /// The cells written, in cells of the whole grid.
    public var window: Window
    /// Layers warped over the whole grid and cut to the window (rasters in another CRS).
    public var wholeGridLayers: [String]

    public init(window: Window, wholeGridLayers: [String] = []) {
        self.window = window
        self.wholeGridLayers = wholeGridLayers
    }
}

extension Grid {
    /// The grid of the cells of `window`: the same cells and CRS, its origin at the window's
    /// top-left corner.
    public func part(_ window: Window) -> Grid {
        let origin = transform.map(column: Double(window.column), row: Double(window.row))
        var t = transform
        t.originX = origin.x
        t.originY = origin.y
        return Grid(columns: window.columns, rows: window.rows, transform: t, crsWKT: crsWKT, crsName: crsName)
    }
}

extension Preparer {
    /// The grid a prepare run of `request` makes (a reference raster's, or a CRS, cell size
    /// and extent snapped to whole cells), without preparing anything.
    /// - Throws: as `run` does for the grid: `PipelineError` naming the reference raster, the
    ///   study area or the option.
    public static func grid(of request: PrepareRequest) throws -> Grid {
        GDAL.initialize()
        try request.validate()
        let scratch = try VSI.makeScratchDirectory()
        defer { VSI.removeDirectory(scratch) }
        return try Context.makeGrid(request: request, scratch: scratch).grid
    }
}
