import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// Targets explained in the layers' terms, on a small region whose deposits sit on one rock
/// unit near one fault.
@Suite("Target explanations: evidence in words, sums, legends from raster attribute tables")
struct TargetExplainerTests {
    /// 64 × 48 cells of 100 m: `lith` (codes 12 and 70, named only by a raster attribute table
    /// in its `.aux.xml`), `dist` (metres to a fault along column 28, unit "m"), `mag` (nT,
    /// unrelated to the deposits), and 20 deposits on code 70 within 400 m of the fault.
    struct Region {
        let folder: TemporaryFolder
        let grid: Grid
        let layers: [LayerSpec]
        let deposits: VectorSource

        init() throws {
            folder = try TemporaryFolder()
            let dir = folder.path
            grid = Grid(
                columns: 64, rows: 48, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
                crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
            let graphite = { (c: Int, r: Int) in (18..<40).contains(c) && (10..<34).contains(r) }
            try writeRaster(dir + "/lith.tif", grid: grid, type: .byte, nodata: 0, blockSize: 16) { c, r in graphite(c, r) ? 70 : 12 }
            let rat = """
                <PAMDataset><PAMRasterBand band="1"><GDALRasterAttributeTable tableType="thematic">
                <FieldDefn index="0"><Name>Value</Name><Type>0</Type><Usage>5</Usage></FieldDefn>
                <FieldDefn index="1"><Name>Unit</Name><Type>2</Type><Usage>2</Usage></FieldDefn>
                <Row index="0"><F>12</F><F>Quartzite</F></Row>
                <Row index="1"><F>70</F><F>Graphite paraschist</F></Row>
                </GDALRasterAttributeTable></PAMRasterBand></PAMDataset>
                """
            try rat.write(toFile: dir + "/lith.tif.aux.xml", atomically: true, encoding: .utf8)
            try writeRaster(dir + "/dist.tif", grid: grid, nodata: -9999, blockSize: 16) { c, _ in Float(abs(c - 28) * 100 + 50) }
            try writeRaster(dir + "/mag.tif", grid: grid, nodata: -9999, blockSize: 16) { c, r in Float((c * 37 + r * 91) % 200) - 100 }
            for (name, unit) in [("dist", "m"), ("mag", "nT")] {
                let ds = try RasterDataset.open(dir + "/\(name).tif", update: true)
                try ds.setUnitType(unit)
                try ds.close()
            }
            layers = [
                LayerSpec(name: "lith", path: dir + "/lith.tif", kind: .categorical),
                LayerSpec(name: "dist", path: dir + "/dist.tif", kind: .continuous),
                LayerSpec(name: "mag", path: dir + "/mag.tif", kind: .continuous),
            ]
            var csv = "id,x,y\n"
            let cells = [
                (26, 12), (27, 14), (29, 16), (30, 18), (25, 20), (31, 22), (27, 24), (29, 26), (26, 28), (30, 30),
                (28, 13), (27, 17), (29, 19), (28, 21), (26, 23), (30, 25), (28, 27), (27, 29), (29, 31), (28, 32),
            ]
            for (i, (c, r)) in cells.enumerated() {
                csv += "D\(i),\(350_000 + (Double(c) + 0.5) * 100),\(2_380_000 - (Double(r) + 0.5) * 100)\n"
            }
            try csv.write(toFile: dir + "/deposits.csv", atomically: true, encoding: .utf8)
            deposits = VectorSource(path: dir + "/deposits.csv")
        }

        /// Trains `method` on the layers given directly, scores, and finds the top targets.
        func targets(_ method: TrainingOptions.Method) throws -> (model: ModelFile, report: TargetReport, geojson: [String: Any]) {
            let dir = folder.path
            var options = TrainingOptions(method: method)
            options.wofe.unitCellKm2 = 0.01
            options.trees.trees = 30
            options.trees.depth = 3
            options.trees.threads = 1
            options.trees.holdout = 0
            let name = method.rawValue
            let training = try Workflows.train(
                layers: layers, deposits: deposits, depositsCRS: "EPSG:32645", options: options, modelPath: dir + "/\(name).json")
            _ = try Workflows.score(modelPath: dir + "/\(name).json", outputPath: dir + "/\(name).tif")
            var targetOptions = TargetOptions()
            targetOptions.top = 3
            targetOptions.tileSize = 1600
            let report = try TargetFinder.find(mapPath: dir + "/\(name).tif", outputPath: dir + "/\(name).geojson", options: targetOptions)
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name).geojson"))
            let geojson = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (training.model, report, geojson)
        }
    }

    static func properties(_ geojson: [String: Any]) -> [[String: Any]] {
        (geojson["features"] as? [[String: Any]] ?? []).compactMap { $0["properties"] as? [String: Any] }
    }

    @Test("a categorical layer given directly brings its raster attribute table's names into the model")
    func legendFromAttributeTable() throws {
        let region = try Region()
        let (model, _, _) = try region.targets(.wofe)
        #expect(model.layers[0].legend == ["12": "Quartzite", "70": "Graphite paraschist"])
        #expect(model.training.weights?.contains { $0.label == "Graphite paraschist" } == true)
    }

    @Test("weights of evidence: class names, the pattern's side and cut in metres, in the GeoJSON")
    func wofeWords() throws {
        let region = try Region()
        let (_, report, geojson) = try region.targets(.wofe)
        let top = try #require(report.targets.first)
        #expect(report.explained)
        #expect(top.evidence.contains { $0.hasPrefix("lith = Graphite paraschist") }, "\(top.evidence)")
        let dist = try #require(top.evidence.first { $0.hasPrefix("dist ") }, "\(top.evidence)")
        #expect(dist.hasPrefix("dist ≤ ") && dist.contains(" m"), "\(dist); \(top.explanation)")
        #expect(top.explanation.hasPrefix("Main evidence (logit above the prior): "), "\(top.explanation)")
        #expect(top.evidence.allSatisfy { top.explanation.contains($0) })
        #expect(top.topLayers == Array(top.contributions.filter { $0.logit > 0 }.prefix(3).map(\.layer)))
        // The GeoJSON carries the list and the line.
        let props = Self.properties(geojson)
        let first = try #require(props.first)
        #expect(first["evidence"] as? [String] == top.evidence)
        #expect(first["explanation"] as? String == top.explanation)
        #expect(first["top_layers"] as? String == top.topLayers.joined(separator: ", "))
    }

    @Test("trees: contributions add up to the target's mean logit minus the expected logit", arguments: ["gbt", "rf"])
    func treeSums(method: String) throws {
        let region = try Region()
        let (model, report, geojson) = try region.targets(try #require(TrainingOptions.Method(rawValue: method)))
        let ensemble = try #require(model.trees)
        #expect(!report.targets.isEmpty)
        for t in report.targets {
            let baseline = try #require(t.explainedBaseline)
            let mean = try #require(t.explainedMean)
            #expect(abs(t.contributions.reduce(0) { $0 + $1.logit } - (mean - baseline)) <= 1e-9)
            #expect(abs(baseline - TreeAttribution(ensemble).expectedLogit) <= 1e-12)
            if t.evidence.isEmpty {
                #expect(t.explanation == "No layer raises the logit above the trees' training average here")
            } else {
                #expect(t.explanation.hasPrefix("Main evidence (logit above the trees' training average): "))
            }
            for phrase in t.evidence where phrase.hasPrefix("lith") {
                #expect(phrase.contains("Graphite paraschist") || phrase.contains("Quartzite"))
            }
            for phrase in t.evidence where phrase.hasPrefix("dist") { #expect(phrase.hasSuffix(" m"), "\(phrase)") }
        }
        // The mean logit is the cells' own: recomputed from the map, whose probability for a
        // forest carries its calibration offset.
        let top = report.targets[0]
        let path = region.folder.path + "/\(method).tif"
        let raster = try RasterDataset.open(path)
        let grid = raster.grid
        let nodata = raster.nodata(band: 1).map(Float.init)
        try raster.close()
        let values = try readRaster(path)
        let threshold = Float(report.threshold)
        var (labels, stats) = values.withUnsafeBufferPointer {
            ConnectedComponents.label(
                scores: $0, columns: grid.columns, rows: grid.rows, threshold: threshold,
                isValid: { !$0.isNaN && $0 != nodata })
        }
        // Ranked by expected deposits: the sum of the probabilities.
        stats.sort { ($0.mean * Double($0.cells), $0.max) > ($1.mean * Double($1.cells), $1.max) }
        let label = stats[0].label
        var sum = 0.0
        var n = 0
        for i in labels.indices where labels[i] == label {
            let p = Double(values[i])
            sum += log(p / (1 - p))
            n += 1
        }
        labels = []
        #expect(n == top.cells)
        let offset = ensemble.logitOffset ?? 0
        #expect(abs(sum / Double(n) - offset - (top.explainedMean ?? .nan)) < 1e-4, "map logit against the explained mean")
        let written = try #require(Self.properties(geojson).first?["explained_mean"] as? Double)
        #expect(abs(written - (top.explainedMean ?? .nan)) <= 1e-12)
    }

    @Test("no layer with a positive contribution: said so, and an empty evidence list")
    func nothingPositive() throws {
        let region = try Region()
        let dir = region.folder.path
        // Logistic regression falling with distance alone: every cell's term is negative, yet
        // cells by the fault score highest and make the targets.
        let model = ModelFile(
            tool: ProspectVersion.tool, created: "2026-01-01T00:00:00Z",
            layers: [ModelLayer(name: "dist", path: dir + "/dist.tif", kind: .continuous)],
            payload: .logistic(AdditiveModel(intercept: -1, terms: [.linear(coefficient: -0.002, center: 0)])),
            parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0.01, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0, depositsOnNodata: 0,
                depositsSharingCell: 0, layerRanking: ["dist"]))
        try ModelStore.save(model, to: dir + "/falling.json")
        _ = try Workflows.score(modelPath: dir + "/falling.json", outputPath: dir + "/falling.tif")
        let report = try TargetFinder.find(mapPath: dir + "/falling.tif", outputPath: dir + "/falling.geojson")
        #expect(!report.targets.isEmpty)
        for t in report.targets {
            #expect(t.contributions.allSatisfy { $0.logit < 0 })
            #expect(t.evidence.isEmpty)
            #expect(t.topLayers.isEmpty)
            #expect(t.explanation == "No layer raises the logit above the model's baseline here")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/falling.geojson"))
        let geojson = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let first = try #require(Self.properties(geojson).first)
        #expect(first["explanation"] as? String == "No layer raises the logit above the model's baseline here")
        #expect((first["evidence"] as? [String])?.isEmpty == true, "\(String(describing: first["evidence"]))")
    }

    @Test("one-line explanations for every model kind")
    func sentences() {
        let additive = AdditiveModel(intercept: 0, terms: [])
        let trees = TreeEnsemble(output: .logistic, comparison: .lessOrEqual, base: 0, featureCount: 1, trees: [.leaf(0)])
        #expect(
            TargetExplainer.sentence(
                evidence: ["a = x", "b ≤ 3 m"], contributions: [1.234, 0.5], payload: .weightsOfEvidence(additive, variance: nil))
                == "Main evidence (logit above the prior): a = x +1.23; b ≤ 3 m +0.50")
        #expect(
            TargetExplainer.sentence(evidence: ["a 1–2 m"], contributions: [0.0042], payload: .trees(trees, origin: .randomForest))
                == "Main evidence (logit above the trees' training average): a 1–2 m +0.004")
        #expect(
            TargetExplainer.sentence(evidence: [], contributions: [], payload: .trees(trees, origin: .gradientBoosting))
                == "No layer raises the logit above the trees' training average here")
        #expect(
            TargetExplainer.sentence(evidence: [], contributions: [], payload: .index(WeightedIndexModel(weights: [:])))
                == "No layer adds to the index here")
    }
}
