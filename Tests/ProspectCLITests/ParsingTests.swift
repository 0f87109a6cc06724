import ArgumentParser
import Testing

@testable import ProspectCLI

/// Argument parsing and validation, in process.
@Suite("Command-line parsing")
struct ParsingTests {
    @Test("train needs evidence, a positive unit cell and a known method")
    func trainValidation() throws {
        #expect(throws: (any Error).self) { try ProspectCommand.parseAsRoot(["train", "--deposits", "d.gpkg", "--out", "m.json"]) }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot([
                "train", "--deposits", "d.gpkg", "--evidence", "a.tif", "--out", "m.json", "--unit-cell-km2", "0",
            ])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot([
                "train", "--deposits", "d.gpkg", "--evidence", "a.tif", "--out", "m.json", "--method", "magic",
            ])
        }
        let ok = try ProspectCommand.parseAsRoot([
            "train", "--deposits", "d.gpkg", "--evidence", "a.tif", "--categorical", "geo=l.tif",
            "--method", "logistic", "--out", "m.json",
        ])
        let train = try #require(ok as? ProspectCommand.Train)
        #expect(train.training.method == .logistic)
        #expect(train.training.categorical == ["geo=l.tif"])
        #expect(train.training.background == nil)
        #expect(try train.training.settings().options(layers: nil).sampling.size == 1_000_000)
    }

    @Test("score defaults to ZSTD, takes NAME=PATH overrides and rejects bad ones")
    func scoreOptions() throws {
        let parsed = try ProspectCommand.parseAsRoot(["score", "--model", "m.json", "--out", "map.tif", "--evidence", "a=b.tif"])
        let score = try #require(parsed as? ProspectCommand.Score)
        #expect(score.compress == .zstd)
        #expect(!score.cog)
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["score", "--model", "m.json", "--out", "map.tif", "--evidence", "b.tif"])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["score", "--model", "m.json", "--out", "map.tif", "--compress", "rar"])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["score", "--model", "m.json", "--out", "map.tif", "--threads", "0"])
        }
    }

    @Test("targets rejects a non-positive tile size and an out-of-range area percent")
    func targetsOptions() throws {
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["targets", "map.tif", "--out", "t.geojson", "--tile-size", "0"])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["targets", "map.tif", "--out", "t.geojson", "--top-area", "150"])
        }
        let t = try #require(try ProspectCommand.parseAsRoot(["targets", "map.tif", "--out", "t.geojson"]) as? ProspectCommand.Targets)
        #expect(t.tileSize == 1000 && t.top == 10 && t.threshold == nil)
    }
}
