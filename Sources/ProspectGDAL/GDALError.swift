/// A failure reported by GDAL, OGR or OSR, naming the file (or input) and the problem.
///
/// The message comes from `CPLGetLastErrorMsg` read right after the failing call, so it
/// describes that call and nothing earlier.
public struct GDALError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, layer or input text the failing call worked on.
    public let path: String
    /// What went wrong, in one line.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `"<path>: <message>"`, one line.
    public var description: String { "\(path): \(message)" }
}
