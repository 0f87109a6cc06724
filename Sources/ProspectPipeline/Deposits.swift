import Foundation
import ProspectCore
import ProspectGDAL

/// Which features of a deposits file are the deposits, and what names them: `--deposits-where`
/// and `--deposits-id` (study file: `deposits: {path:, layer:, where:, id:}`), for every command
/// that reads deposits.
public struct DepositSelection: Sendable, Equatable {
    /// An OGR SQL `WHERE` clause on the file's attributes (e.g. `commodity = 'Au'`); nil: every
    /// point.
    public var filter: String?
    /// The field whose values name the deposits in reports; nil: `id`, `name` or `ID` when the
    /// file has one, else the feature's position (`#3`).
    public var idField: String?

    public init(filter: String? = nil, idField: String? = nil) {
        self.filter = filter
        self.idField = idField
    }
}

/// Known deposits placed on an evidence grid.
public struct DepositSet: Sendable {
    public struct Deposit: Sendable {
        public var id: String
        public var x: Double, y: Double
        public var column: Int, row: Int
        /// Row-major index of the cell on the grid.
        public var cellIndex: Int
    }

    public var path: String
    /// Points given in the file.
    public var given: Int
    /// Deposits inside the grid, one per point (several may share a cell).
    public var inside: [Deposit]
    /// Identifiers of points that fall outside the grid.
    public var outside: [String]
    /// The CRS the file's points were reprojected from, when it differed from the grid's.
    public var reprojectedFrom: String?
    /// The CRS assumed for a file that declares none (`--assume-crs`).
    public var assumedCRS: String?
    /// Features of the file that gave no usable point (bad or missing coordinates, not a point).
    public var unreadable = SkippedFeatures()

    /// One warning per kind of feature left out while reading:
    /// `deposits.csv: 3 rows skipped: bad coordinates (rows 4, 9, 12)`.
    public var readWarnings: [String] { unreadable.warnings(path: DisplayPath.of(path)) }

    /// Distinct cells holding at least one deposit, sorted.
    public var cells: [Int] { Array(Set(inside.map(\.cellIndex))).sorted() }

    /// Loads the points of a vector file (any OGR format, CSV with coordinate columns; first
    /// layer unless `layer` is given), reprojects them into the grid's CRS when their CRS
    /// differs, and places them on cells.
    ///
    /// - Parameters:
    ///   - assumedCRS: the CRS of points whose file declares none.
    ///   - selection: the attribute filter and the field naming the deposits.
    /// - Throws: `OptionError` for `--deposits-where` (GDAL's message when it refuses the
    ///   clause, or no point matches it) or `--deposits-id` (no such field); `PipelineError` naming
    ///   the file when it has no points, when it declares no CRS and none is assumed (while the
    ///   grid has one), or when no point falls on the grid.
    public static func load(
        _ path: String, layer: String? = nil, grid: Grid, assumedCRS: String? = nil, selection: DepositSelection = DepositSelection()
    ) throws -> DepositSet {
        GDAL.initialize()
        let ds = try VectorDataset.open(path)
        let info = ds.layers.first { $0.name == layer } ?? (layer == nil ? ds.layers.first : nil)
        let idField = try select(selection, in: ds, layer: layer ?? info?.name)
        let (points, declared, unreadable) = try ds.pointsWithSkipped(layer: layer ?? info?.name)
        guard !points.isEmpty else {
            if let clause = selection.filter { throw OptionError(.depositsWhere, "no point of the deposits matches \(clause)") }
            throw PipelineError(path, "holds no point features")
        }
        var xy = points.map { (x: $0.x, y: $0.y) }
        var reprojected: String?
        var crs = (info?.hasCRS ?? false) ? declared : nil
        var assumed = false
        if crs == nil, let assumedCRS {
            do { crs = try SpatialReference(userInput: assumedCRS) } catch {
                throw PipelineError(path, "--assume-crs \(Echo.short(assumedCRS)) is not a CRS GDAL knows")
            }
            assumed = true
        }
        if crs == nil, !grid.crsWKT.isEmpty {
            throw PipelineError(path, "declares no CRS; give its CRS with --assume-crs EPSG:N (the grid's is \(grid.crsName))")
        }
        if let crs, !grid.crsWKT.isEmpty {
            let gridCRS = try SpatialReference(wkt: grid.crsWKT)
            if !crs.isSame(gridCRS) {
                xy = try CoordinateTransformer(from: crs, to: gridCRS, file: path).transform(xy)
                reprojected = crs.label
            }
        }
        var inside: [Deposit] = []
        var outside: [String] = []
        for (i, p) in points.enumerated() {
            // With an id field, a feature without a value there is named by its position.
            let named = idField.map { p.attributes[$0] } ?? p.attributes["id"] ?? p.attributes["name"] ?? p.attributes["ID"]
            let id = named ?? "#\(i + 1)"
            if let cell = grid.cellIndex(x: xy[i].x, y: xy[i].y) {
                inside.append(
                    Deposit(
                        id: id, x: xy[i].x, y: xy[i].y, column: cell.column, row: cell.row,
                        cellIndex: cell.row * grid.columns + cell.column))
            } else {
                outside.append(id)
            }
        }
        guard !inside.isEmpty else {
            throw PipelineError(
                path,
                "none of its \(points.count) points falls on the evidence grid (\(grid.crsName.isEmpty ? "no CRS" : grid.crsName), extent \(grid.extent)); check the CRS"
            )
        }
        return DepositSet(
            path: path, given: points.count, inside: inside, outside: outside, reprojectedFrom: reprojected,
            assumedCRS: assumed ? crs?.label : nil, unreadable: unreadable)
    }

    /// Applies the selection's filter to the layer and finds its id field (exactly, else
    /// without regard to case).
    /// - Returns: the id field as the file spells it, nil when none was asked for.
    /// - Throws: `OptionError` for `--deposits-where` with GDAL's message, or for `--deposits-id`
    ///   naming the fields there are.
    @discardableResult
    static func select(_ selection: DepositSelection, in ds: VectorDataset, layer: String?) throws -> String? {
        if let clause = selection.filter {
            do { try ds.setAttributeFilter(clause, layer: layer) } catch let e as GDALError {
                throw OptionError(.depositsWhere, e.message)
            }
        }
        guard let wanted = selection.idField else { return nil }
        let fields = try ds.fields(layer: layer).map(\.name)
        guard let field = fields.first(where: { $0 == wanted }) ?? fields.first(where: { $0.lowercased() == wanted.lowercased() }) else {
            throw OptionError(.depositsID, "the deposits have no field \(wanted) (fields: \(fields.joined(separator: ", ")))")
        }
        return field
    }

    /// Checks a deposits file against a selection without reading its points: the clause
    /// parses and the id field is there (what a study checks before its first step).
    /// - Throws: as `load`.
    public static func check(_ source: VectorSource, selection: DepositSelection) throws {
        guard selection.filter != nil || selection.idField != nil else { return }
        let ds = try VectorDataset.open(source.path)
        try select(selection, in: ds, layer: try ds.checkLayer(source.layer))
    }
}
