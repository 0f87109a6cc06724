import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// A study with every kind of layer, run in uneven shards and in one run: the layers, the
/// stack's statistics, the map, the targets, the validation and the cross-validation are the
/// same.
@Suite("Shards: a study in tiles equals one run")
struct ShardEqualityTests {
    /// 150 × 110 cells of 30 m (EPSG:32645), edges off the 256-cell blocks; layers: a raster on a
    /// finer grid (bilinear), one on a much finer grid (average), one in EPSG:4326 (warped over
    /// the whole grid by each shard), classes (nearest), distance to lines (some beyond the
    /// grid), density of points and of lines, a rasterized text field, a polygon mask; a study
    /// area that misses the top-right shard; logistic regression on a background sample (drawn
    /// in the order the stack is streamed) with a z-score transform (a mean and a standard
    /// deviation summed in that order); 3-fold cross-validation.
    static func study(in dir: String) throws -> String {
        let utm = try SpatialReference(epsg: 32645)
        let x0 = 350_000.0
        let y0 = 2_370_000.0
        let x1 = x0 + 150 * 30
        let y1 = y0 + 110 * 30
        func grid(_ cell: Double, margin: Double) -> Grid {
            let columns = Int(((x1 - x0) + 2 * margin) / cell)
            let rows = Int(((y1 - y0) + 2 * margin) / cell)
            return Grid(
                columns: columns, rows: rows, transform: .northUp(left: x0 - margin, top: y1 + margin, cellSize: cell),
                crsWKT: utm.wkt, crsName: "EPSG:32645")
        }
        let fine = grid(20, margin: 200)
        try writeRaster(dir + "/a.tif", grid: fine, nodata: -1, blockSize: 64) { c, r in
            Float(sin(Double(c) / 17) * cos(Double(r) / 23) * 100 + Double(c + r) / 10)
        }
        let finer = grid(10, margin: 100)
        try writeRaster(dir + "/coarse.tif", grid: finer, nodata: -1) { c, r in Float((c * 31 + r * 17) % 97) }
        try writeRaster(dir + "/classes.tif", grid: grid(25, margin: 100), nodata: 0) { c, r in Float(1 + (c / 20 + r / 15) % 4) }
        // A raster in geographic coordinates covering the grid.
        let wgs = try SpatialReference(epsg: 4326)
        let b = try CoordinateTransformer(from: utm, to: wgs).transformBounds((x0 - 300, y0 - 300, x1 + 300, y1 + 300))
        let step = 0.0002
        let geo = Grid(
            columns: Int((b.maxX - b.minX) / step) + 1, rows: Int((b.maxY - b.minY) / step) + 1,
            transform: .northUp(left: b.minX, top: b.maxY, cellSize: step), crsWKT: wgs.wkt, crsName: "EPSG:4326")
        try writeRaster(dir + "/geo.tif", grid: geo, nodata: -1) { c, r in Float(sin(Double(c) / 7) + cos(Double(r) / 11)) * 50 }

        let lines: [[(x: Double, y: Double)]] = [
            [(x0 - 500, y0 + 400), (x0 + 2000, y0 + 1500), (x1 + 300, y0 + 2500)],
            [(x0 + 1000, y1 + 800), (x0 + 1800, y0 - 600)],
            [(x0 + 3500, y0 + 300), (x0 + 3900, y0 + 900), (x0 + 4200, y0 + 700)],
        ]
        try VectorWriter.write(
            path: dir + "/faults.gpkg", driver: "GPKG", layerName: "faults",
            features: lines.enumerated().map { GeoJSONFeature(line: $0.element, properties: [("id", .int($0.offset))]) }, crs: utm)
        var wells: [(Double, Double)] = []
        for i in 0..<60 { wells.append((x0 + Double((i * 733) % 4500), y0 + Double((i * 397) % 3300))) }
        try VectorWriter.write(
            path: dir + "/wells.gpkg", driver: "GPKG", layerName: "wells",
            features: wells.map { GeoJSONFeature(rings: [[$0]], properties: [("n", .int(1))]) }, crs: utm)
        func box(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> [(x: Double, y: Double)] {
            [(a, b), (c, b), (c, d), (a, d), (a, b)]
        }
        try VectorWriter.write(
            path: dir + "/units.gpkg", driver: "GPKG", layerName: "units",
            features: [
                GeoJSONFeature(rings: [box(x0 - 100, y0 - 100, x0 + 2215, y1 + 100)], properties: [("rock", .string("granite"))]),
                GeoJSONFeature(rings: [box(x0 + 2215, y0 - 100, x1 + 100, y0 + 1733)], properties: [("rock", .string("schist"))]),
                GeoJSONFeature(rings: [box(x0 + 2215, y0 + 1733, x1 + 100, y1 + 100)], properties: [("rock", .string("basalt"))]),
            ], crs: utm)
        try VectorWriter.write(
            path: dir + "/zone.gpkg", driver: "GPKG", layerName: "zone",
            features: [
                GeoJSONFeature(
                    rings: [[(x0 + 600, y0 + 500), (x0 + 3900, y0 + 900), (x0 + 2500, y0 + 3000), (x0 + 600, y0 + 500)]], properties: [])
            ],
            crs: utm)
        // The study area leaves out the top-right shard (columns 96 on, rows up to 48).
        try VectorWriter.write(
            path: dir + "/area.gpkg", driver: "GPKG", layerName: "area",
            features: [
                GeoJSONFeature(
                    rings: [[(x0, y0), (x1, y0), (x1, y0 + 1800), (x0 + 2700, y0 + 1800), (x0 + 2600, y1), (x0, y1), (x0, y0)]],
                    properties: [])
            ], crs: utm)
        var deposits: [(Double, Double)] = []
        for i in 0..<24 { deposits.append((x0 + 150 + Double((i * 1187) % 4200), y0 + 120 + Double((i * 541) % 1650))) }
        try VectorWriter.write(
            path: dir + "/deposits.gpkg", driver: "GPKG", layerName: "deposits",
            features: deposits.enumerated().map { GeoJSONFeature(rings: [[$0.element]], properties: [("id", .string("D\($0.offset)"))]) },
            crs: utm)
        let text = """
            name: Shard check
            output: whole
            grid: {crs: "EPSG:32645", cell_size: 30, extent: [\(x0), \(y0), \(x1), \(y1)]}
            study_area: area.gpkg
            layers:
              - {name: a, raster: a.tif, transforms: [zscore]}
              - {name: coarse, raster: coarse.tif}
              - {name: geo, raster: geo.tif}
              - {name: classes, categorical: classes.tif}
              - {name: fault_distance, distance: faults.gpkg}
              - {name: well_density, density: wells.gpkg, radius: 200}
              - {name: fault_density, density: faults.gpkg, radius: 150}
              - {name: rock, rasterize: units.gpkg, field: rock}
              - {name: zone, inside: zone.gpkg}
            deposits: deposits.gpkg
            model: {method: logistic, background: 2000, seed: 3}
            outputs: {created: "2024-05-01T00:00:00Z", targets: {top: 5, top_area_percent: 10}}
            validation: {cv: {folds: 3}}
            """
        try text.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        return dir + "/study.yaml"
    }

    @Test("prepare, train, score and merge in 6 uneven shards equal prospect run, cell for cell")
    func shardsEqualOneRun() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try Self.study(in: dir)
        let study = try StudyFile.load(path)
        let whole = try StudyRunner.run(study)

        var request = ShardPlanRequest(study: study, output: dir + "/sharded", shards: 6)
        request.created = study.created
        let plan = try ShardPlanner.plan(request)
        try ShardPlanner.write(plan, request: request)
        #expect(plan.across == 3 && plan.down == 2)
        #expect(plan.shards.map(\.window.column) == [0, 48, 96, 0, 48, 96])
        #expect(plan.shards.map(\.window.rows) == [48, 48, 48, 62, 62, 62])
        #expect(plan.wholeGridLayers == ["geo"])
        #expect(plan.layers.first { $0.name == "well_density" }?.radius == 200)
        let planPath = plan.output + "/plan.json"
        for i in plan.shards.indices { _ = try ShardSteps.prepare(planPath: planPath, index: i, threads: 2) }
        // The top-right shard holds no cell of the study area.
        let empty = try StackManifest.load(plan.folder(of: plan.shards[2]) + "/stack")
        #expect(empty.studyAreaCells == 0)
        _ = try ShardSteps.train(planPath: planPath, threads: 2)
        for i in plan.shards.indices { _ = try ShardSteps.score(planPath: planPath, index: i, threads: 2) }
        let merged = try ShardMerge.merge(planPath: planPath, threads: 2)

        // Every layer, cell for cell, and the stack's figures.
        let one = try StackManifest.load(whole.output + "/stack")
        let many = try StackManifest.load(plan.output + "/stack")
        #expect(one.studyAreaCells == many.studyAreaCells)
        #expect(Set(one.warnings) == Set(many.warnings))
        for (a, b) in zip(one.layers, many.layers) {
            #expect(a.name == b.name && a.kind == b.kind && a.method == b.method && a.legend == b.legend)
            #expect(a.validCells == b.validCells && a.minimum == b.minimum && a.maximum == b.maximum, "\(a.name)")
            let x = try readRaster(whole.output + "/stack/" + a.path)
            let y = try readRaster(plan.output + "/stack/" + b.path)
            #expect(x == y, "layer \(a.name): \(zip(x, y).filter { $0 != $1 }.count) cells differ")
        }
        // The model, the map, the targets, the validation and the cross-validation.
        let m1 = try ModelStore.load(whole.output + "/model.json")
        let m2 = try ModelStore.load(plan.output + "/model.json")
        // Described, not compared: a transformed layer's nodata is NaN, which equals nothing.
        #expect(String(describing: m1.payload) == String(describing: m2.payload))
        #expect(try readRaster(whole.output + "/prospectivity.tif") == readRaster(plan.output + "/prospectivity.tif"))
        #expect(whole.validation?.auc == merged.validation?.auc)
        #expect(whole.targets.targets.count == merged.targets.targets.count)
        for (a, b) in zip(whole.targets.targets, merged.targets.targets) {
            #expect(a.id == b.id && a.cells == b.cells && a.maxScore == b.maxScore && a.meanScore == b.meanScore)
            #expect(a.expectedDeposits == b.expectedDeposits && a.knownDeposits == b.knownDeposits && a.labelLon == b.labelLon)
            #expect(a.contributions.map(\.layer) == b.contributions.map(\.layer))
        }
        for file in ["cv.json", "tiles.geojson"] {
            #expect(
                FileManager.default.contents(atPath: whole.output + "/" + file)
                    == FileManager.default.contents(atPath: plan.output + "/" + file), "\(file)")
        }
    }
}
