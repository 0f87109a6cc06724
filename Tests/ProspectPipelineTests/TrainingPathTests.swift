import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// The one training path: data built once, any method fitted on a subset of the deposits and a
/// training area (what cross-validation calls per fold).
@Suite("Training path: TrainingData and Training.fit on subsets and areas")
struct TrainingPathTests {
    static let rasters = DemoRegionTests.rasters
    static let layers = [
        LayerSpec(name: "thorium", path: rasters + "/thorium.tif", kind: .continuous),
        LayerSpec(
            name: "magnetics", path: rasters + "/magnetics.tif", kind: .continuous, transforms: [try! LayerTransform(parsing: "zscore")]),
        LayerSpec(name: "lithology", path: rasters + "/lithology.tif", kind: .categorical),
    ]

    static func data(missing: MissingDataRule = .nodata) throws -> TrainingData {
        try TrainingData.load(layers: layers, deposits: VectorSource(path: rasters + "/deposits.gpkg"), missing: missing, required: 2)
    }

    static func options(_ method: TrainingOptions.Method) -> TrainingOptions {
        var o = TrainingOptions(method: method)
        o.wofe.unitCellKm2 = 0.01
        o.sampling.size = 3000
        o.trees.trees = 8
        o.trees.depth = 3
        o.threads = 1
        o.trees.holdout = 0
        return o
    }

    @Test("deposit values are the layers' values at the deposit cells, transforms applied; cells sorted, shared cells counted")
    func depositValues() throws {
        let data = try Self.data()
        let grid = data.stack.grid
        #expect(!data.depositCells.isEmpty)
        #expect(data.depositCells.map(\.cell) == data.depositCells.map(\.cell).sorted())
        #expect(data.summary.depositsUsed == data.depositCells.count)
        #expect(data.summary.depositsGiven == data.depositCells.map(\.ids.count).reduce(0, +) + data.skipped.count)
        #expect(data.summary.depositsSharingCell == data.depositCells.map { $0.ids.count - 1 }.reduce(0, +))
        let thorium = try readRaster(Self.rasters + "/thorium.tif")
        let lithology = try readRaster(Self.rasters + "/lithology.tif")
        var magnetics = try readRaster(Self.rasters + "/magnetics.tif")
        magnetics.withUnsafeMutableBufferPointer {
            TransformKernel.apply(data.stack.layers[1].transforms, $0, nodata: data.stack.fileNodata[1])
        }
        for d in data.depositCells {
            #expect(d.values == [thorium[d.cell], magnetics[d.cell], lithology[d.cell]], "cell \(d.cell) of \(grid.cellCount)")
        }
    }

    @Test(
        "an area holding every cell, as a mask or as blocks, trains the model of the whole grid",
        arguments: [TrainingOptions.Method.wofe, .logistic, .gbt])
    func wholeAreaIsTheGrid(method: TrainingOptions.Method) throws {
        let data = try Self.data()
        let grid = data.stack.grid
        let whole = try Training.fit(data, options: Self.options(method))
        let mask = try Training.fit(data, options: Self.options(method), area: .mask(grid: grid) { _ in true })
        let side = 64
        let blocks = Set(0..<(((grid.columns + side - 1) / side) * ((grid.rows + side - 1) / side)))
        let blocked = try Training.fit(data, options: Self.options(method), area: .blocks(side: side, keep: blocks))
        // Compared as text: a transformed layer's nodata is NaN, which no `==` matches.
        #expect("\(whole.payload)" == "\(mask.payload)" && "\(whole.payload)" == "\(blocked.payload)")
        #expect(whole.summary.validCells == mask.summary.validCells && whole.summary.validCells == blocked.summary.validCells)
        #expect(whole.payload.method == method.rawValue)
    }

    @Test(
        "a training area of blocks counts only its cells and the deposits in it", arguments: [TrainingOptions.Method.wofe, .logistic, .rf])
    func blocksRestrictTraining(method: TrainingOptions.Method) throws {
        let data = try Self.data()
        let grid = data.stack.grid
        let side = 128
        let across = (grid.columns + side - 1) / side
        let keep: Set<Int> = [0, 1, across, across + 1, 2 * across + 2, 3 * across + 3]
        let area = TrainingArea.blocks(side: side, keep: keep)
        let inArea = { (cell: Int) in keep.contains((cell / grid.columns / side) * across + (cell % grid.columns) / side) }
        let fit = try Training.fit(data, options: Self.options(method), area: area)
        // The training area: valid cells (every layer has data) in the blocks, counted directly.
        let values = try Self.layers.map { try readRaster($0.path) }
        let valid = (0..<grid.cellCount).filter { i in
            inArea(i)
                && values.indices.allSatisfy { k in
                    !values[k][i].isNaN && values[k][i] != data.stack.fileNodata[k]
                }
        }.count
        #expect(fit.summary.validCells == valid)
        #expect(fit.summary.depositsUsed == data.depositCells.filter { inArea($0.cell) }.count)
        #expect(fit.summary.depositsUsed < data.depositCells.count)
        #expect("\(fit.payload)" != "\(try Training.fit(data, options: Self.options(method)).payload)")
    }

    @Test("a subset of the deposits trains on those only; the others are neither deposits nor left out of the area")
    func subsetOfDeposits() throws {
        let data = try Self.data()
        let half = Array(stride(from: 0, to: data.depositCells.count, by: 2))
        let fit = try Training.fit(data, options: Self.options(.wofe), deposits: half)
        #expect(fit.summary.depositsUsed == half.count)
        let whole = try Training.fit(data, options: Self.options(.wofe))
        #expect(fit.summary.validCells == whole.summary.validCells)
        // The prior is the subset's deposits per unit cell of the same area.
        #expect(
            abs(fit.summary.priorProbability! / whole.summary.priorProbability! - Double(half.count) / Double(data.depositCells.count))
                < 1e-12)
        #expect(throws: PipelineError.self) { try Training.fit(data, options: Self.options(.wofe), deposits: [0]) }
    }

    @Test("the background sample: every eligible cell up to its size, else those of the smallest seeded keys, for any threads")
    func backgroundSample() throws {
        let data = try Self.data()
        let deposits = data.depositCells.map(\.cell)
        let (all, valid) = try BackgroundSampler.sample(data, area: .all, deposits: deposits, size: 0, seed: 1, threads: 2, progress: nil)
        #expect(all.kept == all.eligible && all.eligible == valid - deposits.count)
        #expect(all.cells == all.cells.sorted() && Set(all.cells).isDisjoint(with: deposits))
        // Brute force: the 500 eligible cells with the smallest keys, in cell order, with their values.
        let base = BackgroundSampler.base(seed: 7)
        let expected = all.cells.sorted { BackgroundSampler.key(cell: $0, base: base) < BackgroundSampler.key(cell: $1, base: base) }
            .prefix(500).sorted()
        let row = Dictionary(uniqueKeysWithValues: all.cells.enumerated().map { ($1, $0) })
        for threads in [1, 2, 3] {
            let (a, _) = try BackgroundSampler.sample(
                data, area: .all, deposits: deposits, size: 500, seed: 7, threads: threads, progress: nil)
            #expect(a.kept == 500 && a.eligible == all.eligible)
            #expect(a.cells == Array(expected), "\(threads) threads")
            #expect(a.columns == all.columns.map { column in a.cells.map { column[row[$0]!] } })
        }
        let (c, _) = try BackgroundSampler.sample(data, area: .all, deposits: deposits, size: 500, seed: 8, threads: 2, progress: nil)
        #expect(c.cells != Array(expected))
    }
}

@Suite("Layer arguments: NAME=VALUE everywhere, and prepare's older VALUE=NAME")
struct LayerArgumentTests {
    @Test(arguments: [
        ("thorium=th.tif", "thorium", "th.tif"), ("th.tif", nil, "th.tif"), ("a/b=c/x.tif", nil, "a/b=c/x.tif"),
        ("ree.v2=ree.tif", "ree.v2", "ree.tif"),
    ])
    func split(text: String, name: String?, value: String) {
        let s = LayerArgument.split(text)
        #expect(s.name == name && s.value == value)
        #expect(!LayerArgument.splitAllowingOldOrder(text).oldOrder)
    }

    @Test(arguments: [
        ("th.tif=thorium", "thorium", "th.tif"), ("faults.gpkg:faults=fault_distance", "fault_distance", "faults.gpkg:faults"),
        ("pts.csv@500=density", "density", "pts.csv@500"), ("D/x.tif=x", "x", "D/x.tif"),
    ])
    func oldOrder(text: String, name: String, value: String) {
        let s = LayerArgument.splitAllowingOldOrder(text)
        #expect(s.oldOrder && s.name == name && s.value == value)
    }

    @Test func newOrderForVectors() {
        let s = LayerArgument.splitAllowingOldOrder("fault_distance=faults.gpkg:faults")
        #expect(!s.oldOrder && s.name == "fault_distance" && s.value == "faults.gpkg:faults")
    }
}
