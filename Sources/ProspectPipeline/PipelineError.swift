/// A user or data error: one line that names the file and the problem.
public struct PipelineError: Error, CustomStringConvertible, Equatable {
    public var path: String?
    public var message: String

    public init(_ path: String?, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
