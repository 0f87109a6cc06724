import Foundation
import Testing

@testable import ProspectGDAL

@Suite struct ResamplingTests {
    @Test func namesForUsersAndForGDAL() {
        #expect(Resampling.allCases.map(\.rawValue) == ["nearest", "bilinear", "cubic", "average", "mode", "min", "max", "median"])
        #expect(Resampling.allCases.map(\.gdalName) == ["near", "bilinear", "cubic", "average", "mode", "min", "max", "med"])
    }

    /// Encoded as the user-facing name, so files written with these names read back.
    @Test func codableAsTheUserName() throws {
        let data = try JSONEncoder().encode([Resampling.nearest, .median])
        #expect(String(decoding: data, as: UTF8.self) == #"["nearest","median"]"#)
        #expect(try JSONDecoder().decode([Resampling].self, from: Data(#"["average","mode"]"#.utf8)) == [.average, .mode])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Resampling].self, from: Data(#"["near"]"#.utf8)) }
    }
}
