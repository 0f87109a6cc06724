/// One raster layer of a synthetic province, as pure data.
public struct SyntheticLayer: Sendable {
    /// Short machine name, used as the file stem (`magnetics`, `thorium`, …).
    public var name: String
    /// Human description with units.
    public var title: String
    /// The unit of the values ("nT", "ppm"), written as the band's unit type; nil for classes.
    public var unit: String? = nil
    public var kind: LayerKind
    /// Row-major values, `grid.cellCount` of them.
    public var values: [Float]
    /// The value that marks a missing cell.
    public var nodata: Float
    /// True when the layer is part of the hidden mineral-system model that placed the deposits.
    public var isTrueEvidence: Bool
}

/// A known occurrence drawn from the hidden model.
public struct SyntheticDeposit: Sendable, Equatable {
    /// "D001", "D002", … in north-to-south, west-to-east order.
    public var id: String
    /// A place-like name with a number, such as "Kusumi-3".
    public var name: String
    /// Map coordinates (EPSG:32645 metres) inside the deposit's cell.
    public var x: Double
    public var y: Double
    /// The cell holding (x, y).
    public var column: Int
    public var row: Int
}

/// The mineral-system model that placed the synthetic deposits, kept so a pipeline's
/// result can be compared with the truth.
///
/// `logit(p) = intercept + Σ effects[name] · term(name)`, with the terms described in
/// `description`: an indicator for the favourable lithology, standardized values for
/// continuous layers, kilometres for the fault distance.
public struct HiddenModel: Sendable, Codable, Equatable {
    public var intercept: Double
    /// Layer name → coefficient of that layer's term.
    public var effects: [String: Double]
    /// Human-readable formula.
    public var description: String
    /// Layers the model uses (including the fault distance, which the writer computes).
    public var trueLayers: [String]
    /// Layers unrelated to the deposits.
    public var decoyLayers: [String]
    /// Layers correlated with the deposits without being in the model (geochemical dispersion).
    public var indicatorLayers: [String]
    /// Grid means and standard deviations used to standardize the continuous true layers.
    public var means: [String: Double]
    public var standardDeviations: [String: Double]
    /// The lithology class whose indicator carries `effects["lithology"]`.
    public var favourableLithology: Int32
    /// Σ p over the study area with the final intercept.
    public var expectedDeposits: Double
}
