import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// Cross-validation against a plain re-implementation: folds from the assignment, one model per
/// fold through `Training.fit`, every held-out cell scored, and the Mann–Whitney AUC counted
/// pair by pair.
@Suite("Cross-validation: folds, per-fold and pooled AUCs, determinism")
struct CrossValidationTests {
    /// 48 × 36 cells of 100 m: a continuous layer with a nodata hole and a class layer, and 24
    /// deposits in clusters.
    struct Fixture {
        let folder: TemporaryFolder
        let grid: Grid
        let layers: [LayerSpec]
        let deposits: VectorSource
        let a: [Float]
        let g: [Float]

        init() throws {
            folder = try TemporaryFolder()
            let dir = folder.path
            grid = Grid(
                columns: 48, rows: 36, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
                crsWKT: try SpatialReference(epsg: 32645).wkt, crsName: "EPSG:32645")
            try writeRaster(dir + "/a.tif", grid: grid, nodata: -9999, blockSize: 16) { c, r in
                (20..<24).contains(c) && (5..<9).contains(r) ? -9999 : Float(c) / 12 + Float((c * 7 + r * 3) % 23) / 9
            }
            try writeRaster(dir + "/g.tif", grid: grid, type: .byte, nodata: 0, blockSize: 16) { c, r in Float((c / 12 + r / 9) % 4 + 1) }
            layers = [
                LayerSpec(name: "a", path: dir + "/a.tif", kind: .continuous),
                LayerSpec(name: "g", path: dir + "/g.tif", kind: .categorical),
            ]
            let cells: [(Int, Int)] = [
                (40, 3), (41, 4), (43, 3), (38, 10), (45, 12), (46, 14), (30, 20), (31, 21), (33, 22), (44, 30), (42, 33),
                (25, 30), (26, 31), (10, 5), (12, 6), (5, 30), (6, 32), (35, 2), (20, 15), (16, 25), (39, 26), (47, 20),
                (28, 8), (2, 12),
            ]
            var csv = "id,x,y\n"
            for (i, (c, r)) in cells.enumerated() {
                csv += "D\(i),\(350_000 + (Double(c) + 0.5) * 100),\(2_380_000 - (Double(r) + 0.5) * 100)\n"
            }
            try csv.write(toFile: dir + "/deposits.csv", atomically: true, encoding: .utf8)
            deposits = VectorSource(path: dir + "/deposits.csv")
            a = try readRaster(dir + "/a.tif")
            g = try readRaster(dir + "/g.tif")
        }

        func data() throws -> TrainingData {
            try TrainingData.load(layers: layers, deposits: deposits, depositsCRS: "EPSG:32645", required: 2)
        }
    }

    static func options(_ method: TrainingOptions.Method) -> TrainingOptions {
        var o = TrainingOptions(method: method)
        o.wofe.unitCellKm2 = 0.01
        o.sampling.size = 0
        o.trees.trees = 6
        o.trees.depth = 2
        return o
    }

    /// AUC by the definition: over every (deposit, cell) pair, 1 when the deposit scores
    /// higher, ½ on a tie.
    static func mannWhitney(deposits: [Float], cells: [Float]) -> Double {
        var wins = 0.0
        for d in deposits { for c in cells { wins += d > c ? 1 : d == c ? 0.5 : 0 } }
        return wins / Double(deposits.count * cells.count)
    }

    /// The reference: per fold, the model trained through `Training.fit` on the other folds'
    /// cells and deposits, every cell of the grid scored, the fold's cells and deposits taken.
    static func reference(
        _ f: Fixture, data: TrainingData, method: TrainingOptions.Method, folds: FoldAssignment, fold foldOf: (Int) -> Int
    ) throws -> (aucs: [Double?], cells: [Int], deposits: [Int], pooled: Double) {
        let grid = f.grid
        let deposits = data.depositCells.map(\.cell)
        var aucs: [Double?] = []
        var cells: [Int] = []
        var counts: [Int] = []
        var pooledDeposits: [Float] = []
        var pooledCells: [Float] = []
        for k in 0..<folds.count {
            let area = TrainingArea.mask(grid: grid) { foldOf($0) != k }
            let subset = deposits.indices.filter { foldOf(deposits[$0]) != k }
            let fitted = try Training.fit(data, options: options(method), deposits: subset, area: area)
            let scorer = Training.modelFile(fitted, data: data, modelPath: "m.json").scorer(nodata: data.stack.nodata)
            var out = [Float](repeating: 0, count: grid.cellCount)
            [f.a, f.g].withUnsafeBufferPointers { inputs in
                out.withUnsafeMutableBufferPointer { scorer.score(layers: inputs, outputs: [$0], outputNodata: -9999) }
            }
            let held = (0..<grid.cellCount).filter { foldOf($0) == k && out[$0] != -9999 }.map { out[$0] }
            let heldDeposits = deposits.filter { foldOf($0) == k }.map { out[$0] }
            aucs.append(heldDeposits.isEmpty ? nil : mannWhitney(deposits: heldDeposits, cells: held))
            cells.append(held.count)
            counts.append(heldDeposits.count)
            pooledDeposits += heldDeposits
            pooledCells += held
        }
        return (aucs, cells, counts, mannWhitney(deposits: pooledDeposits, cells: pooledCells))
    }

    @Test(
        "blocks: each fold's AUC, cells and deposits, and the pooled AUC, equal the reference",
        arguments: [TrainingOptions.Method.wofe, .logistic])
    func blocksMatchReference(method: TrainingOptions.Method) throws {
        let f = try Fixture()
        let data = try f.data()
        var cv = CrossValidationOptions()
        cv.folds = 3
        cv.blockKm = 1.2
        cv.seed = 7
        let result = try CrossValidation.run(data, options: Self.options(method), cv: cv)
        let r = result.report
        #expect(r.blockCells == 12 && r.blockKm == 1.2 && r.scheme == .blocks && r.method == method.rawValue)
        // The folds, as the test reads them: a cell is in its 12 × 12 block's fold.
        let folds = FoldAssignment.blocks(side: 12, grid: f.grid, depositCells: data.depositCells.map(\.cell), folds: 3, seed: 7)
        let foldOf = { (i: Int) in folds.fold(column: i % 48 / 12 * 12, row: i / 48 / 12 * 12) }
        let reference = try Self.reference(f, data: data, method: method, folds: folds, fold: foldOf)
        #expect(r.folds.map(\.fold) == [1, 2, 3])
        #expect(r.folds.map(\.cells) == reference.cells)
        #expect(r.folds.map(\.deposits) == reference.deposits)
        for (got, want) in zip(r.folds.map(\.auc), reference.aucs) {
            #expect(got != nil && want != nil && abs(got! - want!) < 1e-12, "\(String(describing: got)) vs \(String(describing: want))")
        }
        #expect(abs(r.pooledAUC - reference.pooled) < 1e-12)
        // Mean and sample standard deviation of the fold AUCs.
        let aucs = reference.aucs.compactMap { $0 }
        let mean = aucs.reduce(0, +) / 3
        #expect(abs(r.meanAUC! - mean) < 1e-12)
        #expect(abs(r.sdAUC! - (aucs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()) < 1e-12)
        // Every valid cell is held out once; the area is the cells' area.
        #expect(r.cells == (0..<f.grid.cellCount).filter { f.a[$0] != -9999 }.count)
        #expect(r.folds.allSatisfy { abs($0.areaKm2 - Double($0.cells) * 0.01) < 1e-9 })
        #expect(r.folds.map(\.trainingDeposits) == r.folds.map { data.depositCells.count - $0.deposits })
        #expect(r.curve.count == data.depositCells.count && r.curve.last?.depositPercent == 100)
    }

    @Test("random: cells and deposits dealt at random; held-out deposit cells are not background of their fold's model")
    func randomMatchesReference() throws {
        let f = try Fixture()
        let data = try f.data()
        var cv = CrossValidationOptions()
        cv.folds = 4
        cv.scheme = .random
        cv.seed = 3
        let r = try CrossValidation.run(data, options: Self.options(.wofe), cv: cv).report
        #expect(r.blockKm == nil && r.scheme == .random)
        let cells = data.depositCells.map(\.cell)
        let folds = FoldAssignment.random(grid: f.grid, depositCells: cells, folds: 4, seed: 3)
        // The deposits are dealt evenly: 24 in 4 folds.
        #expect((0..<4).map { k in folds.depositFolds.filter { $0 == k }.count } == [6, 6, 6, 6])
        let depositFold = Dictionary(uniqueKeysWithValues: zip(cells, folds.depositFolds))
        let foldOf = { (i: Int) in depositFold[i] ?? folds.fold(column: i % 48, row: i / 48) }
        let reference = try Self.reference(f, data: data, method: .wofe, folds: folds, fold: foldOf)
        #expect(r.folds.map(\.cells) == reference.cells)
        #expect(r.folds.map(\.deposits) == reference.deposits)
        for (got, want) in zip(r.folds.map(\.auc), reference.aucs) { #expect(abs(got! - want!) < 1e-12) }
        #expect(abs(r.pooledAUC - reference.pooled) < 1e-12)
        // Each fold's model saw none of its held-out deposit cells: its training area excludes them.
        for k in 0..<4 {
            let area = folds.trainingArea(heldOut: k, grid: f.grid)
            for (cell, fold) in zip(cells, folds.depositFolds) { #expect(area.contains(cell, grid: f.grid) == (fold != k)) }
        }
    }

    @Test("a knowledge-driven overlay is one model scored fold by fold")
    func overlayIsNotRefitted() throws {
        let f = try Fixture()
        let data = try f.data()
        var o = TrainingOptions(method: .index)
        o.overlay.classScores = ["g": ["1": 0, "2": 1, "3": 2, "4": 3]]
        let selection = try OverlayMethod.select(layers: f.layers, method: .index, options: o.overlay, legend: [:])
        let loaded = try TrainingData.load(layers: selection.layers, deposits: f.deposits, depositsCRS: "EPSG:32645", required: 0)
        var cv = CrossValidationOptions()
        cv.folds = 3
        cv.blockKm = 1.2
        let r = try CrossValidation.run(loaded, options: o, cv: cv, overlay: selection.payload).report
        #expect(r.folds.allSatisfy { $0.trainingDeposits == 0 })
        // Pooled over folds, one model: the pooled AUC is the model's AUC on all deposits.
        let fitted = try Training.fit(loaded, options: o, overlay: selection.payload)
        #expect(abs(r.pooledAUC - fitted.summary.depositAUC!) < 1e-12)
        _ = data
    }

    @Test("the same report for 1 and 2 threads and for two runs with one seed; another seed deals other folds")
    func deterministic() throws {
        let f = try Fixture()
        let data = try f.data()
        func json(_ method: TrainingOptions.Method, seed: UInt64, threads: Int) throws -> String {
            var cv = CrossValidationOptions()
            cv.folds = 3
            cv.seed = seed
            cv.threads = threads
            var o = Self.options(method)
            o.threads = threads
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(CrossValidation.run(data, options: o, cv: cv).report), as: UTF8.self)
        }
        for method in [TrainingOptions.Method.logistic, .gbt] {
            let one = try json(method, seed: 5, threads: 1)
            #expect(try json(method, seed: 5, threads: 2) == one)
            #expect(try json(method, seed: 5, threads: 2) == one)
            #expect(try json(method, seed: 6, threads: 2) != one)
        }
        let cells = data.depositCells.map(\.cell)
        let a = FoldAssignment.blocks(side: 6, grid: f.grid, depositCells: cells, folds: 3, seed: 5)
        let b = FoldAssignment.blocks(side: 6, grid: f.grid, depositCells: cells, folds: 3, seed: 6)
        guard case .blocks(_, _, let ta) = a.layout, case .blocks(_, _, let tb) = b.layout else {
            Issue.record("blocks expected")
            return
        }
        #expect(ta != tb)
        #expect(
            FoldAssignment.random(grid: f.grid, depositCells: cells, folds: 3, seed: 5).depositFolds
                != FoldAssignment.random(grid: f.grid, depositCells: cells, folds: 3, seed: 6).depositFolds)
    }

    @Test("blocks are dealt whole, deposits balanced across folds, blocks spread evenly")
    func dealing() throws {
        let grid = Grid(columns: 100, rows: 80, transform: .northUp(left: 0, top: 0, cellSize: 1))
        var rng = SplitMix64(seed: 11)
        let cells = Array(Set((0..<60).map { _ in Int(rng.next() % 8000) })).sorted()
        for folds in [2, 5, 7] {
            let a = FoldAssignment.blocks(side: 10, grid: grid, depositCells: cells, folds: folds, seed: 2)
            guard case .blocks(_, _, let table) = a.layout else {
                Issue.record("blocks expected")
                return
            }
            #expect(table.count == 80 && table.allSatisfy { Int($0) < folds })
            var perBlock: [Int: Int] = [:]
            for c in cells { perBlock[(c / 100 / 10) * 10 + (c % 100) / 10, default: 0] += 1 }
            let perFold = (0..<folds).map { k in a.depositFolds.filter { $0 == k }.count }
            #expect(perFold.max()! - perFold.min()! <= perBlock.values.max()!, "\(perFold)")
            let blocks = try #require(a.blocksPerFold)
            #expect(blocks.reduce(0, +) == 80 && blocks.max()! - blocks.min()! <= perBlock.count / folds + 2, "\(blocks)")
            // A deposit is in its block's fold.
            for (c, k) in zip(cells, a.depositFolds) { #expect(a.fold(column: c % 100, row: c / 100) == k) }
        }
    }

    @Test("the default block size: 5 × the median nearest-neighbour distance, rounded; a size larger than the map is refused")
    func blockSize() throws {
        // The median nearest-neighbour distance against brute force.
        var rng = SplitMix64(seed: 4)
        for n in [2, 3, 17, 100] {
            let cells = Array(Set((0..<n).map { _ in Int(rng.next() % 10_000) }))
            var nearest: [Double] = []
            for (i, p) in cells.enumerated() {
                var best = Double.infinity
                for (j, q) in cells.enumerated() where i != j {
                    let dc = Double(p % 100 - q % 100)
                    let dr = Double(p / 100 - q / 100)
                    best = min(best, (dc * dc + dr * dr).squareRoot())
                }
                nearest.append(best)
            }
            nearest.sort()
            let m = nearest.count
            let median = m % 2 == 1 ? nearest[m / 2] : (nearest[m / 2 - 1] + nearest[m / 2]) / 2
            #expect(SpatialBlocks.medianNearestNeighbour(cells, columns: 100) == median)
        }
        #expect(SpatialBlocks.medianNearestNeighbour([5], columns: 100) == nil)
        #expect([0.7, 1.4, 2.3, 3.3, 4.0, 7.9].map(SpatialBlocks.nice) == [0.5, 1, 2.5, 2.5, 5, 10])

        let grid = Grid(columns: 200, rows: 100, transform: .northUp(left: 0, top: 0, cellSize: 100))
        // Deposits 3 cells apart in pairs far from each other: median 0.3 km, × 5 = 1.5 → 1 or 2 km (2).
        var cells: [Int] = []
        for i in 0..<10 {
            let cell: Int = i * 9 * 200 + i * 19
            cells += [cell, cell + 3]
        }
        let size = try SpatialBlocks.choose(km: nil, option: .blockKm, grid: grid, cellKm: 0.1, depositCells: cells, minimumBlocks: 5)
        #expect(size.cells == 20 && abs(size.km - 2) < 1e-12, "\(size)")
        #expect(size.reason.contains("0.3 km") && size.reason.contains("2 km"), "\(size.reason)")
        // Too few blocks holding deposits: the size is halved until each fold can hold some.
        let clustered = [0, 1, 2, 3]
        let small = try SpatialBlocks.choose(km: nil, option: .blockKm, grid: grid, cellKm: 0.1, depositCells: clustered, minimumBlocks: 2)
        #expect(small.cells == 2 && small.reason.contains("halved"), "\(small)")
        // Given: in whole cells; larger than the map, one line naming the option.
        #expect(
            try SpatialBlocks.choose(km: 1.26, option: .blockKm, grid: grid, cellKm: 0.1, depositCells: cells, minimumBlocks: 5).cells == 13
        )
        let error = #expect(throws: OptionError.self) {
            try SpatialBlocks.choose(km: 30, option: .blockKm, grid: grid, cellKm: 0.1, depositCells: cells, minimumBlocks: 5)
        }
        #expect(error?.option == .blockKm)
        #expect(
            error?.problem.contains("blocks of 30 km make 1 block on the map (200 × 100 cells of 0.1 km); give at most") == true,
            "\(String(describing: error))")
    }

    @Test("a fold that holds no deposit has no AUC and is left out of the mean")
    func foldWithoutDeposits() throws {
        let f = try Fixture()
        let data = try f.data()
        // Three deposit cells, five folds: two folds hold none.
        let three = TrainingData(
            stack: data.stack, legend: data.legend, depositsPath: data.depositsPath, depositCells: Array(data.depositCells.prefix(3)),
            skipped: [], summary: data.summary, warnings: [], geographic: false)
        var cv = CrossValidationOptions()
        cv.folds = 5
        cv.scheme = .random
        let r = try CrossValidation.run(three, options: Self.options(.wofe), cv: cv).report
        #expect(r.folds.filter { $0.auc == nil }.count == 2)
        let aucs = r.folds.compactMap(\.auc)
        #expect(abs(r.meanAUC! - aucs.reduce(0, +) / 3) < 1e-12)
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(json.contains("\"auc\":null"), "\(json)")
        // Too few deposit cells for any training set: a one-line error naming the fold.
        let two = TrainingData(
            stack: data.stack, legend: data.legend, depositsPath: data.depositsPath, depositCells: Array(data.depositCells.prefix(2)),
            skipped: [], summary: data.summary, warnings: [], geographic: false)
        let error = #expect(throws: PipelineError.self) { try CrossValidation.run(two, options: Self.options(.wofe), cv: cv) }
        #expect(
            error?.message.hasPrefix("fold ") == true && error?.message.contains(" of 5: only 1 deposit cell") == true,
            "\(String(describing: error))")
    }
}
