import Foundation

/// A new empty folder in the temporary directory, removed with everything in it on deinit.
///
/// Keep the folder itself, not only its path, for as long as the test uses it:
/// `let folder = try TemporaryFolder(), dir = folder.path`. A local constant is not released
/// before the calls that follow it in its scope (lexical lifetimes); `withTemporaryDirectory`
/// ties the folder to one closure instead.
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path, without a trailing slash.
    public let path: String

    /// Creates `<temporary directory>/<prefix>-<UUID>`.
    /// - Throws: when the folder cannot be created.
    public init(prefix: String = "prospect-tests") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Calls `body` with the path of a fresh temporary folder, removed when `body` returns or throws.
public func withTemporaryDirectory<R>(prefix: String = "prospect-tests", _ body: (String) throws -> R) throws -> R {
    let folder = try TemporaryFolder(prefix: prefix)
    return try withExtendedLifetime(folder) { try body(folder.path) }
}
