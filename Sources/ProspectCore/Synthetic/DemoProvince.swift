/// A small synthetic rare-earth province (carbonatite / alkaline complexes along a NE–SW rift
/// corridor), as pure data: evidence rasters, fault lines, a study area, deposits and the hidden
/// model that placed them.
///
/// The GDAL layer writes the rasters and vectors and computes the distance-to-fault raster from
/// `faults`; `faultDistance` is the exact distance the hidden model used.
public struct DemoProvince: Sendable {
    /// EPSG:32645 (WGS 84 / UTM 45N), north-up; `crsWKT` is left empty for the writer to fill.
    public var grid: Grid
    /// Evidence layers, full grid; excludes the distance to faults.
    public var layers: [SyntheticLayer]
    /// Fault traces as polylines in map coordinates.
    public var faults: [[(x: Double, y: Double)]]
    /// Closed (first == last), counter-clockwise ring inside the grid.
    public var studyArea: [(x: Double, y: Double)]
    public var deposits: [SyntheticDeposit]
    /// Exact distance (m) from each cell centre to the nearest fault segment, row-major.
    public var faultDistance: [Float]
    public var truth: HiddenModel
    /// The hidden model's probability for every cell (row-major); deposits were drawn from it
    /// only at cells whose centres lie inside the study area.
    public var probability: [Float]

    /// Lithology class codes of the `lithology` layer (0 is nodata).
    public static let lithologyLegend: [Int32: String] = [
        1: "granite gneiss",
        2: "charnockite",
        3: "mafic schist",
        4: "alkaline-carbonatite complex",
        5: "laterite cover",
        6: "alluvium",
    ]
    /// The lithology code the hidden model favours.
    public static let favourableLithology: Int32 = 4
    /// Name the hidden model uses for the distance to faults.
    public static let faultDistanceLayerName = "fault_distance"
    /// Nodata of the continuous layers (only `ree_geochem` has missing cells).
    public static let nodata: Float = -9999

    /// The layer called `name`, if any.
    public func layer(named name: String) -> SyntheticLayer? {
        layers.first { $0.name == name }
    }

    /// True when map point (x, y) lies inside the study area (even–odd rule).
    public func studyAreaContains(x: Double, y: Double) -> Bool {
        SyntheticGeometry.contains(studyArea, x: x, y: y)
    }

    /// Study-area membership of every cell centre, row-major.
    public var studyAreaMask: [Bool] { SyntheticGeometry.mask(studyArea, grid: grid) }
}
