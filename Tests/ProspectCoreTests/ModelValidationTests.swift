import Foundation
import Testing

@testable import ProspectCore

/// Model files whose numbers cannot score are refused on load, the problem named
/// (Tests/Fixtures/model-files edited).
@Suite("Model validation: finite numbers, one value per distinct code, a known format version")
struct ModelValidationTests {
    struct Edit: Sendable, CustomTestStringConvertible {
        var fixture: String
        /// A JSON path of keys and array indices, and the value to put there.
        var path: [String]
        var value: any Sendable
        var problem: String
        var testDescription: String { problem }
    }

    static let edits: [Edit] = [
        Edit(fixture: "logistic", path: ["model", "intercept"], value: "nan", problem: "the intercept is nan, not a finite number"),
        Edit(
            fixture: "logistic", path: ["model", "terms", "0", "linear", "coefficient"], value: "inf",
            problem: "layer 1 (a): linear coefficient is inf, not a finite number"),
        Edit(
            fixture: "logistic", path: ["model", "terms", "0", "linear", "center"], value: "-inf",
            problem: "layer 1 (a): linear center is -inf, not a finite number"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "0", "step", "threshold"], value: "nan",
            problem: "layer 1 (a): step threshold is nan, not a finite number"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "0", "step", "above"], value: "inf",
            problem: "layer 1 (a): step weight above is inf, not a finite number"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "1", "lookup", "values", "1"], value: "nan",
            problem: "layer 2 (lith): lookup value for code 2 is nan, not a finite number"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "1", "lookup", "otherwise"], value: "inf",
            problem: "layer 2 (lith): lookup otherwise is inf, not a finite number"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "1", "lookup", "codes"], value: [1, 2, 3, 4, 5, 6],
            problem: "layer 2 (lith): lookup has 6 codes but 2 values"),
        Edit(
            fixture: "logistic", path: ["model", "terms", "1", "lookup", "values"], value: [0.5],
            problem: "layer 2 (lith): lookup has 2 codes but 1 value"),
        Edit(
            fixture: "wofe", path: ["model", "terms", "1", "lookup", "codes"], value: [2, 2],
            problem: "layer 2 (lith): lookup lists code 2 twice"),
        Edit(
            fixture: "wofe", path: ["wofeVariance", "priorVariance"], value: "nan",
            problem: "wofeVariance.priorVariance is nan, not a finite number"),
        Edit(
            fixture: "wofe", path: ["wofeVariance", "terms", "1", "lookup", "values", "0"], value: "inf",
            problem: "wofeVariance layer 2 (lith): lookup value for code 1 is inf, not a finite number"),
        Edit(
            fixture: "wofe-unknown", path: ["wofeVariance", "missingClasses", "0", "weights", "0"], value: "nan",
            problem: "wofeVariance.missingClasses layer 1 (a): nan is not a finite number"),
        Edit(fixture: "gbt", path: ["trees", "base"], value: "inf", problem: "the trees' base score is inf, not a finite number"),
        Edit(
            fixture: "gbt", path: ["trees", "trees", "0", "value", "1"], value: "nan",
            problem: "tree 0 node 1: value nan is not a finite number"),
        Edit(
            fixture: "lightgbm", path: ["trees", "trees", "0", "threshold", "0"], value: "-inf",
            problem: "tree 0 node 0: threshold -inf is not a finite number"),
        Edit(fixture: "logistic", path: ["formatVersion"], value: 0, problem: "formatVersion 0 is not a format version (1…3)"),
        Edit(fixture: "wofe", path: ["formatVersion"], value: -1, problem: "formatVersion -1 is not a format version (1…3)"),
    ]

    /// `value` put at `path` inside a JSON value.
    static func put(_ value: Any, at path: ArraySlice<String>, in json: Any) throws -> Any {
        guard let key = path.first else { return value }
        if var array = json as? [Any] {
            let i = try #require(Int(key))
            array[i] = try put(value, at: path.dropFirst(), in: array[i])
            return array
        }
        var object = try #require(json as? [String: Any])
        object[key] = try put(value, at: path.dropFirst(), in: object[key] as Any)
        return object
    }

    @Test("an edited fixture is refused with one line naming what is wrong", arguments: edits)
    func refused(_ edit: Edit) throws {
        let original = try JSONSerialization.jsonObject(with: ModelPayloadTests.fixture(edit.fixture))
        #expect(ModelPayloadTests.refusal(try JSONSerialization.data(withJSONObject: original)) == nil, "the fixture itself reads")
        let edited = try Self.put(edit.value, at: edit.path[...], in: original)
        let message = ModelPayloadTests.refusal(try JSONSerialization.data(withJSONObject: edited))
        #expect(message == "malformed model file: " + edit.problem)
        #expect(message?.contains("\n") == false)
    }

    @Test("a NaN nodata value is a layer's missing value, not a malformed number")
    func nanNodataReads() throws {
        let original = try JSONSerialization.jsonObject(with: ModelPayloadTests.fixture("logistic"))
        let edited = try Self.put(["nan", "nan"], at: ["model", "nodata"], in: original)
        #expect(ModelPayloadTests.refusal(try JSONSerialization.data(withJSONObject: edited)) == nil)
    }
}
