/// What weights of evidence counts as the deposits of a class: every deposit point, or every
/// cell holding at least one.
///
/// Areas are in unit cells and each deposit occupies one unit cell (Bonham-Carter 1994, ch. 9),
/// so a class's deposit-free area is its area less one unit cell per deposit counted, and
/// `s²(W+) = 1/N(B∩D) + 1/(area(B) − N(B∩D))`.
public enum WofEDepositCount: String, Sendable, Codable, CaseIterable {
    /// Every deposit point counts, several in one cell included: each adds one to the deposit
    /// count of its cell's class. ArcSDM's "Calculate Weights" (the training points' frequency
    /// per class value) and Geoscience Australia's MPM-WofE count this way. With a unit cell as
    /// large as a grid cell, two points in one cell leave the cell's class with more deposits
    /// than unit cells, and its weights undefined.
    case points
    /// Each cell holding at least one deposit counts once (eis_toolkit rasterizes the deposits
    /// onto the grid and counts deposit pixels).
    case cells
}
