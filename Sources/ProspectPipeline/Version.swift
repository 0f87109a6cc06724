/// The product's version, recorded in every model file and output.
public enum ProspectVersion {
    public static let string = "0.1.0"
    public static var tool: String { "prospect \(string)" }
}
