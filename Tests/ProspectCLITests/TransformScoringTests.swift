import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("transforms: fitted by train, repeated exactly by score")
struct TransformScoringTests {
    @Test func scoredCellsEqualTheModelAppliedByHand() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            [
                "train", "--method", "logistic", "--deposits", s.deposits,
                "--evidence", s.a, "--transform", "a=fuzzy-large:spread=4",
                "--evidence", s.b, "--transform", "b=log:offset=1", "--transform", "b=zscore",
                "--out", "model.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/model.json")))
        // Parameters taken from the data were filled in: a's midpoint is the middle of its range.
        guard case .fuzzyLarge(let midpoint?, let spread) = model.layers[0].transforms.first else {
            Issue.record("a's transform: \(model.layers[0].transforms)")
            return
        }
        let a = try readRaster(s.a)
        let b = try readRaster(s.b)
        #expect(abs(midpoint - Double(a.min()! + a.max()!) / 2) < 1e-6)
        #expect(spread == 4)
        guard case .zScore(let mean?, let std?) = model.layers[1].transforms.last else {
            Issue.record("b's transforms: \(model.layers[1].transforms)")
            return
        }
        let logs = b.map { Foundation.log(Double($0) + 1) }
        let m = logs.reduce(0, +) / Double(logs.count)
        #expect(abs(mean - m) < 1e-6)
        #expect(abs(std - (logs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(logs.count)).squareRoot()) < 1e-6)

        let sc = try CLI.run(["score", "--model", "model.json", "--out", "map.tif", "--compress", "none"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        let map = try readRaster(dir + "/map.tif")
        var worst: Double = 0
        for i in stride(from: 0, to: map.count, by: 37) {
            var logit = Double(model.additive!.intercept)
            for (k, x) in [a[i], b[i]].enumerated() {
                let y = model.layers[k].transforms.reduce(Double(x)) { $1.transform($0) }
                logit += Double(model.additive!.terms[k].contribution(Float(y)))
            }
            worst = max(worst, abs(1 / (1 + Foundation.exp(-logit)) - Double(map[i])))
        }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func depositsFromALonLatCSV() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let cells = [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10)].map { Fixture.centre($0.0, $0.1) }
        let lonLat = try CoordinateTransformer(from: Fixture.utm(), to: SpatialReference(epsg: 4326)).transform(
            cells.map { (x: $0.0, y: $0.1) })
        var csv = "name,Longitude,Latitude\n"
        for (i, p) in lonLat.enumerated() { csv += "D\(i),\(String(format: "%.8f", p.x)),\(String(format: "%.8f", p.y))\n" }
        try csv.write(toFile: dir + "/deposits.csv", atomically: true, encoding: .utf8)
        let fromCSV = try CLI.run(["train", "--deposits", "deposits.csv", "--evidence", s.a, "--out", "m1.json"], in: dir)
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        #expect(fromCSV.stdout.contains("6 deposits used of 6"), "\(fromCSV.stdout)")
        let fromGPKG = try CLI.run(["train", "--deposits", s.deposits, "--evidence", s.a, "--out", "m2.json"], in: dir)
        #expect(fromGPKG.status == 0)
        let strip = { (p: String) throws in
            try String(contentsOfFile: dir + "/" + p, encoding: .utf8).split(separator: "\n").filter { !$0.contains("\"created\"") }
        }
        #expect(try strip("m1.json") == strip("m2.json"))
    }
}
