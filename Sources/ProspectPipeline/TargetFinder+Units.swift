import Foundation
import ProspectCore
import ProspectGDAL

/// A target before it is written: a connected area, or a piece of one split at its saddles.
struct TargetUnit {
    var summary: ComponentSummary
    /// The area's root label, traced in the polygon pass; 0 for a piece (traced from its window).
    var root: Int32
    /// The area it comes from (1-based, by first cell) and how many pieces that was split into.
    var component: Int
    var pieces: Int
    /// A piece's cells over its bounding window (`summary.window`); nil for a whole area.
    var mask: [Bool]?
    var polygons: [[[GridVertex]]] = []
    /// Indices into the deposit set's `inside` of the deposits in the target.
    var deposits: [Int] = []
    var sumColumn: Double { summary.sumColumn }
    var sumRow: Double { summary.sumRow }
}

/// The targets from the component pass: split, filtered, ranked.
struct TargetUnits {
    var units: [TargetUnit]
    var kept: [TargetUnit] = []
    /// Connected areas at or above the threshold, and how many were split.
    var components: Int
    var split: Int

    /// Splits the areas larger than `maxAreaKm2` at their saddles and drops what is smaller
    /// than `minCells` or `minAreaKm2`.
    static func make(
        scan: inout ComponentScan, map: MapStrips, threshold: Float, options: TargetOptions, cellKm2: Double, known: DepositSet?
    ) throws -> TargetUnits {
        // Deposits by root.
        var depositsOfRoot: [Int32: [Int]] = [:]
        for d in scan.depositLabels { depositsOfRoot[scan.resolved[Int(d.label)], default: []].append(d.deposit) }
        scan.depositLabels = []
        let areas = scan.components.sorted { $0.summary.first < $1.summary.first }
        scan.components = []
        let maxCells = options.maxAreaKm2.map { max(1, Int(($0 / cellKm2).rounded(.down))) }
        var units: [TargetUnit] = []
        var split = 0
        for (n, area) in areas.enumerated() {
            let deposits = depositsOfRoot[area.root] ?? []
            guard let maxCells, area.summary.cells > maxCells else {
                units.append(
                    TargetUnit(summary: area.summary, root: area.root, component: n + 1, pieces: 1, mask: nil, deposits: deposits))
                continue
            }
            let cells = deposits.map { (index: $0, column: known!.inside[$0].column, row: known!.inside[$0].row) }
            let pieces = try splitArea(area.summary, map: map, threshold: threshold, maxCells: maxCells, deposits: cells)
            if pieces.count > 1 { split += 1 }
            for var piece in pieces {
                piece.component = n + 1
                piece.pieces = pieces.count
                units.append(piece)
            }
        }
        let minCells = max(options.minCells, options.minAreaKm2.map { Int(($0 / cellKm2).rounded(.up)) } ?? 0)
        units.removeAll { $0.summary.cells < minCells }
        return TargetUnits(units: units, components: scan.count, split: split)
    }

    /// Cuts one area into pieces at its saddles (`SaddleSplit`) on its bounding window, and
    /// traces each piece there.
    static func splitArea(
        _ area: ComponentSummary, map: MapStrips, threshold: Float, maxCells: Int, deposits: [(index: Int, column: Int, row: Int)]
    ) throws -> [TargetUnit] {
        let window = area.window
        let columns = map.grid.columns
        let scores = try map.read(band: 1, window: window)
        let uncertainty = try map.uncertaintyBand.map { try map.read(band: $0, window: window) }
        let inside = try map.componentMask(window: window, first: area.first, threshold: threshold)
        let (pieces, count) = SaddleSplit.split(scores: scores, inside: inside, columns: window.columns, maxCells: maxCells)
        var summaries = [ComponentSummary](repeating: ComponentSummary(), count: count)
        for i in pieces.indices where pieces[i] != 0 {
            let r = i / window.columns
            let c = i % window.columns
            let u = uncertainty.map { $0[i] }.flatMap { map.isValidUncertainty($0) ? $0 : nil }
            summaries[Int(pieces[i]) - 1].add(
                score: scores[i], uncertainty: u, index: (window.row + r) * columns + window.column + c, column: window.column + c,
                row: window.row + r)
        }
        var tracer = CellRingTracer(columns: window.columns, labelCount: count)
        pieces.withUnsafeBufferPointer { all in
            for r in 0..<window.rows {
                tracer.add(row: UnsafeBufferPointer(rebasing: all[(r * window.columns)..<((r + 1) * window.columns)]))
            }
        }
        tracer.finish()
        return summaries.enumerated().map { k, s in
            let label = Int32(k + 1)
            // The piece's cells over its own bounding window.
            let w = s.window
            var mask = [Bool](repeating: false, count: w.cellCount)
            for r in 0..<w.rows {
                for c in 0..<w.columns {
                    mask[r * w.columns + c] = pieces[(w.row - window.row + r) * window.columns + w.column - window.column + c] == label
                }
            }
            let polygons = tracer.polygons(of: label).map {
                $0.map { $0.map { GridVertex(x: $0.x + Int32(window.column), y: $0.y + Int32(window.row)) } }
            }
            return TargetUnit(summary: s, root: 0, component: 0, pieces: 0, mask: mask, polygons: polygons, deposits: [])
        }.enumerated().map { k, unit in
            var unit = unit
            unit.deposits = deposits.filter { d in
                pieces[(d.row - window.row) * window.columns + d.column - window.column] == Int32(k + 1)
            }.map(\.index)
            return unit
        }
    }

    /// The prospectivity–uncertainty matrix's thresholds over every target (before `rank`
    /// keeps the first few): the ⌈n/2⌉-th largest mean score and mean uncertainty; nil without
    /// an uncertainty band.
    func matrix(band: String?) -> UncertaintyMatrix? {
        guard let band else { return nil }
        let means = units.map(\.summary.mean).sorted(by: >)
        let uncertainties = units.compactMap(\.summary.uncertaintyMean).sorted(by: >)
        guard !means.isEmpty, !uncertainties.isEmpty else { return nil }
        return UncertaintyMatrix(
            band: band, scoreMedian: means[(means.count + 1) / 2 - 1], uncertaintyMedian: uncertainties[(uncertainties.count + 1) / 2 - 1])
    }

    /// Orders the targets and keeps the first `top` (0: all). Ties go to the higher peak, then
    /// the higher mean, then the first cell in row-major order.
    /// - Returns: the order used, and a note when it is not the one asked for.
    mutating func rank(_ asked: TargetRanking, expectedAvailable: Bool, top: Int) -> (used: TargetRanking, note: String?) {
        var used = asked
        var note: String?
        if asked == .expected, !expectedAvailable {
            used = .peak
            note = "ranked by peak score: the map holds no probabilities, so expected deposits are not available"
        }
        func key(_ s: ComponentSummary) -> Double {
            switch used {
            case .expected: s.sum
            case .peak: Double(s.max)
            case .mean: s.mean
            }
        }
        units.sort { a, b in
            let ka = key(a.summary)
            let kb = key(b.summary)
            if ka != kb { return ka > kb }
            if a.summary.max != b.summary.max { return a.summary.max > b.summary.max }
            if a.summary.mean != b.summary.mean { return a.summary.mean > b.summary.mean }
            return a.summary.first < b.summary.first
        }
        kept = top > 0 ? Array(units.prefix(top)) : units
        units = []
        return (used, note)
    }
}
