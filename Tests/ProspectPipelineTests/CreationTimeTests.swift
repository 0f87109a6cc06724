import Foundation
import Testing

@testable import ProspectPipeline

@Suite("Creation time: --created, outputs.created and SOURCE_DATE_EPOCH")
struct CreationTimeTests {
    @Test(
        "the forms a time is given in",
        arguments: [
            ("1714564800", "2024-05-01T12:00:00Z"), ("0", "1970-01-01T00:00:00Z"), ("253402300799", "9999-12-31T23:59:59Z"),
            ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"), ("2024-05-01T14:30:00+02:30", "2024-05-01T12:00:00Z"),
            ("2024-05-01T12:00:00.999Z", "2024-05-01T12:00:00Z"), ("2024-05-01", "2024-05-01T00:00:00Z"),
            (" 1714564800 ", "2024-05-01T12:00:00Z"),
        ])
    func parses(text: String, stamp: String) throws {
        #expect(try CreationTime(parsing: text).iso8601 == stamp)
    }

    @Test(
        "anything else is refused naming --created",
        arguments: [
            "", "now", "1714564800.5", "-1", "+5", "2024-05-01T12:00:00", "2024-05-01T12:00:00Zjunk", "2024-05-01x", "2024-13-01",
            "1969-12-31T23:59:59Z", "253402300800", "1e9",
        ])
    func refuses(text: String) {
        let error = #expect(throws: OptionError.self) { try CreationTime(parsing: text) }
        #expect(error?.option == .created)
        #expect(error?.description.hasPrefix("--created: give ") == true, "\(error?.description ?? "")")
    }

    @Test("--created, then the study's, then SOURCE_DATE_EPOCH, then none")
    func precedence() throws {
        let env = ["SOURCE_DATE_EPOCH": "86400"]
        let study = CreationTime(seconds: 3600)
        #expect(try CreationTime.resolve(given: "60", study: study, environment: env) == CreationTime(seconds: 60))
        #expect(try CreationTime.resolve(given: nil, study: study, environment: env) == study)
        #expect(try CreationTime.resolve(given: nil, environment: env) == CreationTime(seconds: 86400))
        #expect(try CreationTime.resolve(given: nil, environment: ["SOURCE_DATE_EPOCH": ""]) == nil)
        #expect(try CreationTime.resolve(given: nil, environment: [:]) == nil)
        #expect(Optional<CreationTime>.none.stamp.hasSuffix("Z"))
    }

    @Test(
        "SOURCE_DATE_EPOCH takes whole seconds only, and an error names it",
        arguments: ["abc", "1.5", "-1", "2024-05-01", "999999999999999999999"])
    func environmentRefused(value: String) {
        let error = #expect(throws: OptionError.self) { try CreationTime.resolve(given: nil, environment: ["SOURCE_DATE_EPOCH": value]) }
        #expect(error?.option == .sourceDateEpoch)
        #expect(error?.description.hasPrefix("SOURCE_DATE_EPOCH: give ") == true, "\(error?.description ?? "")")
    }
}
