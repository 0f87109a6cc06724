import Foundation
import Testing

@testable import ProspectCore

/// One default province shared by the tests (generation is deterministic, so sharing is safe).
private let province = DemoProvince.generate()

@Suite("Synthetic demo province")
struct SyntheticProvinceTests {
    private func values(_ name: String) throws -> [Float] {
        try #require(province.layer(named: name)).values
    }

    @Test func generationIsDeterministic() {
        let again = DemoProvince.generate()
        #expect(again.grid == province.grid)
        #expect(again.layers.count == province.layers.count)
        for (a, b) in zip(again.layers, province.layers) {
            #expect(a.name == b.name)
            #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "layer \(a.name)")
        }
        #expect(again.faultDistance.map(\.bitPattern) == province.faultDistance.map(\.bitPattern))
        #expect(again.probability.map(\.bitPattern) == province.probability.map(\.bitPattern))
        #expect(again.deposits == province.deposits)
        #expect(again.truth == province.truth)
        #expect(again.faults.count == province.faults.count)
        for (a, b) in zip(again.faults, province.faults) {
            #expect(a.map(\.x) == b.map(\.x) && a.map(\.y) == b.map(\.y))
        }
        #expect(again.studyArea.map(\.x) == province.studyArea.map(\.x))
        #expect(again.studyArea.map(\.y) == province.studyArea.map(\.y))
    }

    @Test func otherSeedsGiveOtherProvinces() {
        let other = DemoProvince.generate(columns: 128, rows: 96, cellSize: 200, seed: 7)
        let same = DemoProvince.generate(columns: 128, rows: 96, cellSize: 200, seed: 7)
        let different = DemoProvince.generate(columns: 128, rows: 96, cellSize: 200, seed: 8)
        #expect(other.grid.cellCount == 128 * 96)
        #expect(other.layers.allSatisfy { $0.values.count == 128 * 96 })
        #expect(other.layers[0].values == same.layers[0].values)
        #expect(other.layers[0].values != different.layers[0].values)
        #expect((40...80).contains(other.deposits.count))
        #expect((40...80).contains(different.deposits.count))
    }

    @Test func gridIsTheKeonjharMayurbhanjRegion() {
        let g = province.grid
        #expect(g.columns == 512 && g.rows == 512)
        #expect(g.crsName == "EPSG:32645")
        #expect(g.crsWKT.isEmpty)
        #expect(g.transform == .northUp(left: 340_000, top: 2_390_000, cellSize: 50))
    }

    @Test func layersHaveTheAgreedNamesKindsAndRoles() {
        #expect(province.layers.map(\.name) == ["magnetics", "thorium", "ree_geochem", "lithology", "potassium", "elevation"])
        #expect(province.layers.map(\.kind) == [.continuous, .continuous, .continuous, .categorical, .continuous, .continuous])
        #expect(province.layers.map(\.isTrueEvidence) == [true, true, false, true, false, false])
        #expect(province.layers.allSatisfy { $0.values.count == province.grid.cellCount && !$0.title.isEmpty })
        #expect(province.layer(named: "lithology")?.nodata == 0)
        #expect(province.layer(named: "ree_geochem")?.nodata == -9999)
        #expect(Set(province.truth.trueLayers) == ["lithology", "thorium", "magnetics", DemoProvince.faultDistanceLayerName])
        #expect(Set(province.truth.decoyLayers) == ["potassium", "elevation"])
        #expect(province.truth.effects["lithology"] == 2.0)
        #expect(province.truth.effects["thorium"] == 1.0)
        #expect(province.truth.effects["magnetics"] == 0.8)
        #expect(province.truth.effects[DemoProvince.faultDistanceLayerName] == -1.5)
        #expect(DemoProvince.lithologyLegend.keys.sorted() == [1, 2, 3, 4, 5, 6])
    }

    @Test(arguments: [
        ("magnetics", -300.0, 800.0), ("thorium", 5, 60), ("ree_geochem", 50, 3000),
        ("potassium", 0.2, 4), ("elevation", 300, 900),
    ])
    func continuousValuesAreInRange(name: String, low: Double, high: Double) throws {
        let layer = try #require(province.layer(named: name))
        let valid = layer.values.filter { $0 != layer.nodata }
        #expect(valid.allSatisfy { $0.isFinite && Double($0) >= low && Double($0) <= high })
        let lo = Double(valid.min()!)
        let hi = Double(valid.max()!)
        // The field uses most of its range, not a sliver of it.
        #expect(hi - lo > 0.4 * (high - low), "\(name) spans \(lo)…\(hi)")
        if name != "ree_geochem" { #expect(valid.count == layer.values.count) }
    }

    @Test func lithologyHasAllClassesAndPlugsCoverAFewPercent() throws {
        let lith = try values("lithology")
        var counts = [Int](repeating: 0, count: 7)
        for v in lith {
            let code = Int(v)
            #expect(Float(code) == v && (1...6).contains(code))
            if (1...6).contains(code) { counts[code] += 1 }
        }
        #expect(counts[1...6].allSatisfy { $0 > 0 }, "\(counts)")
        let plugFraction = Double(counts[4]) / Double(lith.count)
        #expect((0.01...0.08).contains(plugFraction), "\(plugFraction)")
        #expect(counts[1] == counts.max(), "gneiss is the basement")
    }

    @Test func geochemistryHasUnsampledHolesOfAboutEightPercent() throws {
        let ree = try values("ree_geochem")
        let holes = ree.filter { $0 == -9999 }.count
        let fraction = Double(holes) / Double(ree.count)
        #expect((0.04...0.13).contains(fraction), "\(fraction)")
        #expect(province.layers.filter { $0.name != "ree_geochem" }.allSatisfy { !$0.values.contains($0.nodata) })
    }

    @Test func studyAreaIsAClosedCounterClockwiseRingCoveringMostOfTheGrid() {
        let ring = province.studyArea
        #expect(ring.first! == ring.last!)
        #expect((12...20).contains(ring.count - 1))
        let e = province.grid.extent
        #expect(ring.allSatisfy { $0.x > e.minX && $0.x < e.maxX && $0.y > e.minY && $0.y < e.maxY })
        let area = SyntheticGeometry.signedArea(ring)
        #expect(area > 0, "counter-clockwise")
        let fraction = area / ((e.maxX - e.minX) * (e.maxY - e.minY))
        #expect((0.8...0.9).contains(fraction), "\(fraction)")
        let mask = province.studyAreaMask
        let maskFraction = Double(mask.filter { $0 }.count) / Double(mask.count)
        #expect(abs(maskFraction - fraction) < 0.01)
    }

    @Test func faultsFormACorridorWithSplays() {
        let lengths = province.faults.map { line in
            zip(line, line.dropFirst()).reduce(0.0) { $0 + hypot($1.1.x - $1.0.x, $1.1.y - $1.0.y) }
        }
        let long = lengths.filter { $0 > 15_000 }.count
        #expect((2...3).contains(long), "\(lengths)")
        #expect((10...20).contains(province.faults.count - long))
        #expect(province.faults.allSatisfy { $0.count >= 3 })
        let e = province.grid.extent
        #expect(province.faults.joined().allSatisfy { $0.x >= e.minX && $0.x <= e.maxX && $0.y >= e.minY && $0.y <= e.maxY })
        // The main fault runs SW → NE.
        let main = province.faults[0]
        #expect(main.last!.x > main.first!.x + 10_000 && main.last!.y > main.first!.y + 10_000)
    }

    @Test func faultDistanceIsZeroAtFaultsAndExactElsewhere() {
        let g = province.grid
        let halfDiagonal = Float(50 * 2.0.squareRoot() / 2)
        for p in province.faults.joined() {
            guard let cell = g.cellIndex(x: p.x, y: p.y) else { continue }
            #expect(province.faultDistance[cell.row * g.columns + cell.column] <= halfDiagonal)
        }
        #expect(province.faultDistance.allSatisfy { $0 >= 0 && $0.isFinite })
        #expect(province.faultDistance.max()! > 1_500)
        // Brute force over every segment at scattered cells.
        var rng = SplitMix64(seed: 99)
        for _ in 0..<300 {
            let c = Int(rng.next() % UInt64(g.columns))
            let r = Int(rng.next() % UInt64(g.rows))
            let x = g.transform.originX + (Double(c) + 0.5) * 50
            let y = g.transform.originY - (Double(r) + 0.5) * 50
            var best = Double.infinity
            for line in province.faults {
                for (a, b) in zip(line, line.dropFirst()) {
                    best = min(best, SyntheticGeometry.segmentDistance2(x, y, a.x, a.y, b.x, b.y))
                }
            }
            #expect(province.faultDistance[r * g.columns + c] == Float(best.squareRoot()))
        }
    }

    @Test func depositsLieInsideTheGridAndStudyArea() {
        let deposits = province.deposits
        #expect((40...80).contains(deposits.count))
        let ids: [String] = (1...deposits.count).map { (k: Int) -> String in
            let digits = String(k)
            return "D" + String(repeating: "0", count: 3 - digits.count) + digits
        }
        #expect(deposits.map(\.id) == ids)
        #expect(Set(deposits.map(\.name)).count == deposits.count)
        for d in deposits {
            let cell = province.grid.cellIndex(x: d.x, y: d.y)
            #expect(cell?.column == d.column && cell?.row == d.row, "\(d.id)")
            #expect(province.studyAreaContains(x: d.x, y: d.y), "\(d.id)")
            #expect(d.name.split(separator: "-").count == 2 && Int(d.name.split(separator: "-")[1]) != nil)
        }
    }

    @Test func depositsFavourThePlugsAndTheFaults() throws {
        let lith = try values("lithology")
        let ree = try values("ree_geochem")
        let mask = province.studyAreaMask
        let inside = mask.indices.filter { mask[$0] }
        let cells = province.deposits.map { $0.row * province.grid.columns + $0.column }
        let onPlugs = Double(cells.filter { lith[$0] == 4 }.count) / Double(cells.count)
        let plugArea = Double(inside.filter { lith[$0] == 4 }.count) / Double(inside.count)
        #expect(onPlugs > 0.25 && onPlugs > 5 * plugArea, "deposits on lithology 4: \(onPlugs), area \(plugArea)")
        let meanAtDeposits = cells.reduce(0.0) { $0 + Double(province.faultDistance[$1]) } / Double(cells.count)
        let meanOverall = inside.reduce(0.0) { $0 + Double(province.faultDistance[$1]) } / Double(inside.count)
        #expect(meanAtDeposits < 0.5 * meanOverall, "\(meanAtDeposits) m vs \(meanOverall) m")
        // A few deposits sit where the geochemistry was not sampled, so a pipeline must cope.
        let inHoles = cells.filter { ree[$0] == -9999 }.count
        #expect(inHoles >= 1 && inHoles < cells.count / 3, "\(inHoles) deposits in geochemistry holes")
        // The geochemical indicator is higher at deposits than elsewhere.
        let sampled = inside.filter { ree[$0] != -9999 }
        let medianAll = sampled.map { ree[$0] }.sorted()[sampled.count / 2]
        let atDeposits = cells.filter { ree[$0] != -9999 }.map { ree[$0] }.sorted()
        #expect(atDeposits[atDeposits.count / 2] > 2 * medianAll)
    }

    @Test func hiddenModelReproducesTheProbabilities() throws {
        let th = try values("thorium")
        let mag = try values("magnetics")
        let lith = try values("lithology")
        let t = province.truth
        #expect((45...75).contains(t.expectedDeposits))
        #expect(t.description.contains("logit"))
        let mTh = try #require(t.means["thorium"])
        let sTh = try #require(t.standardDeviations["thorium"])
        let mMg = try #require(t.means["magnetics"])
        let sMg = try #require(t.standardDeviations["magnetics"])
        for i in stride(from: 0, to: th.count, by: 997) {
            let eta =
                t.intercept + 2.0 * (lith[i] == 4 ? 1 : 0) + (Double(th[i]) - mTh) / sTh
                + 0.8 * (Double(mag[i]) - mMg) / sMg - 1.5 * Double(province.faultDistance[i]) / 1000
            #expect(abs(Double(province.probability[i]) - 1 / (1 + exp(-eta))) < 1e-6)
        }
        let mask = province.studyAreaMask
        var sum = 0.0
        for i in mask.indices where mask[i] { sum += Double(province.probability[i]) }
        #expect(abs(sum - t.expectedDeposits) < 0.01 * t.expectedDeposits)
    }

    @Test func summary() throws {
        // Prints the figures quoted in the docs; asserts only what the other tests do not.
        let lith = try values("lithology")
        let ree = try values("ree_geochem")
        let mask = province.studyAreaMask
        let inside = mask.indices.filter { mask[$0] }
        let cells = province.deposits.map { $0.row * province.grid.columns + $0.column }
        let onPlugs = cells.filter { lith[$0] == 4 }.count
        let meanDep = cells.reduce(0.0) { $0 + Double(province.faultDistance[$1]) } / Double(cells.count)
        let meanAll = inside.reduce(0.0) { $0 + Double(province.faultDistance[$1]) } / Double(inside.count)
        let holes = cells.filter { ree[$0] == -9999 }.count
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = DemoProvince.generate() }
        print("generate() took \(elapsed)")
        for layer in province.layers {
            let v = layer.values.filter { $0 != layer.nodata }
            let (m, sd) = SyntheticNoise.meanAndDeviation(v)
            print("\(layer.name): \(v.min()!)…\(v.max()!) mean \(m) sd \(sd)")
        }
        print(
            "province: \(cells.count) deposits, \(onPlugs) on lithology 4, \(holes) in ree holes, mean fault distance \(Int(meanDep)) m at deposits vs \(Int(meanAll)) m in study area; b0 \(province.truth.intercept); faults \(province.faults.count)"
        )
        print(province.deposits.prefix(8).map { "\($0.id) \($0.name)" }.joined(separator: ", "))
        #expect(onPlugs <= cells.count)
    }
}
