import Foundation
import ProspectCore
import ProspectPipeline

/// Human-readable summaries of knowledge-driven models (fuzzy and index overlays).
enum OverlayText {
    static func render(_ result: TrainingResult) -> String {
        let m = result.model
        let t = m.training
        var out = "method \(m.method) (knowledge-driven): "
        if t.depositsGiven == 0 {
            out += "no deposits given\n"
        } else {
            out += "\(t.depositsUsed) deposits used of \(t.depositsGiven) to evaluate it"
            out +=
                " (\(t.depositsOutsideGrid) outside the grid, \(t.depositsOnNodata) on nodata, \(t.depositsSharingCell) sharing a cell)\n"
            for s in result.skipped.prefix(10) { out += "  skipped \(s.id): \(s.reason)\n" }
            if result.skipped.count > 10 { out += "  … and \(result.skipped.count - 10) more\n" }
        }
        out += "training area: \(t.validCells) cells of \(format(t.cellAreaKm2, 6)) km² where every layer has data\n\n"
        let scores = (m.fuzzy?.classScores ?? m.index?.classScores) ?? [:]
        func entering(_ l: ModelLayer) -> String {
            if let table = scores[l.name] { return "class " + Reports.classScores(table) + ", others 0" }
            return l.transforms.isEmpty ? "value" : l.transforms.map(\.description).joined(separator: " → ")
        }
        if let f = m.fuzzy {
            out += "fuzzy overlay (Bonham-Carter 1994; ArcGIS Fuzzy Overlay): \(f.expression)\n"
            var table = [["layer", "kind", "membership"]]
            for l in m.layers { table.append([l.name, l.kind.rawValue, entering(l)]) }
            out += Reports.table(table)
        }
        if let i = m.index {
            let total = i.weights.values.reduce(0, +)
            out += "weighted index overlay (Bonham-Carter 1994): Σ w·s / Σ w\n"
            var table = [["layer", "weight", "share", "score s"]]
            for l in m.layers {
                let w = i.weights[l.name] ?? 0
                table.append([l.name, String(format: "%g", w), format(100 * w / total, 1) + " %", entering(l)])
            }
            out += Reports.table(table)
        }
        if let auc = t.depositAUC {
            out += "ROC AUC on the deposits: \(format(auc)) (they did not shape the model: this measures prediction)\n"
        }
        out += "layers by \(m.rankingBasis): \(t.layerRanking.joined(separator: " > "))\n"
        return out
    }
}
