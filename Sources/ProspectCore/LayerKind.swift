/// Whether an evidence layer holds measurements or class codes, and so how it enters a model.
public enum LayerKind: String, Codable, Sendable {
    /// A measured quantity (nT, ppm, %, m): a slope, or a binary pattern at a threshold.
    case continuous
    /// Integer class codes (lithology): one weight or coefficient per class.
    case categorical
}
