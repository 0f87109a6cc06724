import Foundation

/// The time outputs are stamped with: a model's `created`, a stack manifest's `created`, a
/// map's `PROSPECT_CREATED`.
///
/// The stamp is the only part of an output that changes from run to run. Fixing it (`--created`,
/// a study's `outputs.created`, or the reproducible-builds variable `SOURCE_DATE_EPOCH`) makes
/// a run's outputs byte-identical to another's on the same inputs, whatever the thread count.
/// Stamps are whole seconds in UTC, written as ISO 8601 (`2024-05-01T12:00:00Z`).
public struct CreationTime: Sendable, Hashable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    /// The latest time an ISO 8601 stamp of four-digit years can hold, 9999-12-31T23:59:59Z.
    static let latest: Int64 = 253_402_300_799

    /// The environment variable read when no time is given (https://reproducible-builds.org/specs/source-date-epoch/).
    public static let environmentVariable = "SOURCE_DATE_EPOCH"

    public init(seconds: Int64) {
        precondition((0...Self.latest).contains(seconds), "a creation time from 1970 to 9999")
        self.seconds = seconds
    }

    /// The current time, to the second.
    public static var now: CreationTime {
        CreationTime(seconds: min(Self.latest, max(0, Int64(Date().timeIntervalSince1970.rounded(.down)))))
    }

    /// The stamp as written into outputs: ISO 8601 in UTC, `2024-05-01T12:00:00Z`.
    public var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    public var description: String { iso8601 }

    /// Reads a time as a user gives it: a Unix time in whole seconds (`1714564800`), an ISO 8601
    /// date and time with a zone (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00+02:00`, fractions of
    /// a second dropped) or a date alone (`2024-05-01`, midnight UTC).
    /// - Throws: `OptionError` naming `option` for anything else, or a time before 1970 or after 9999.
    public init(parsing text: String, option: OptionName = .created) throws(OptionError) {
        let given = text.trimmingCharacters(in: .whitespaces)
        let seconds: Int64
        if !given.isEmpty, given.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let s = Int64(given), s <= Self.latest else {
                throw OptionError(option, "give a Unix time from 0 to \(Self.latest) seconds, got \(given)")
            }
            seconds = s
        } else if let date = Self.parseISO8601(given) {
            let s = date.timeIntervalSince1970.rounded(.down)
            guard s >= 0, s <= Double(Self.latest) else {
                throw OptionError(option, "give a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, got \(given)")
            }
            seconds = Int64(s)
        } else {
            throw OptionError(
                option,
                "give an ISO 8601 time with its zone (2024-05-01T12:00:00Z), a date (2024-05-01) or a Unix time in seconds, got \"\(text)\""
            )
        }
        self.init(seconds: seconds)
    }

    /// An ISO 8601 date and time with a zone, with or without fractional seconds, or a date.
    static func parseISO8601(_ text: String) -> Date? {
        // Foundation reads a form from the start of the text and ignores the rest
        // (`2024-05-01T12:00:00` would be midnight, `…Zjunk` accepted): the shape is checked
        // first, Foundation then checks the ranges (month 13 is refused).
        guard text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?/#) != nil else { return nil }
        let dateOnly = text.utf8.count == 10
        let forms: [ISO8601DateFormatter.Options] =
            dateOnly ? [[.withFullDate]] : [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]]
        for options in forms {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// The time to stamp outputs with: `given` (a command's `--created`), else `study` (a study
    /// file's `outputs.created`), else `SOURCE_DATE_EPOCH` from `environment` when set and not
    /// empty, else nil (the time of writing).
    /// - Throws: `OptionError` naming `--created`, or `SOURCE_DATE_EPOCH`, when its value is not a
    ///   time (the reproducible-builds convention: a malformed value is an error, not ignored).
    public static func resolve(
        given: String?, study: CreationTime? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(OptionError) -> CreationTime? {
        if let given { return try CreationTime(parsing: given, option: .created) }
        if let study { return study }
        guard let epoch = environment[environmentVariable], !epoch.isEmpty else { return nil }
        guard epoch.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw OptionError(.sourceDateEpoch, "give a Unix time in whole seconds, got \"\(epoch)\"")
        }
        return try CreationTime(parsing: epoch, option: .sourceDateEpoch)
    }
}

extension Optional where Wrapped == CreationTime {
    /// The stamp to write: the time given, or the current time.
    public var stamp: String { (self ?? .now).iso8601 }
}
