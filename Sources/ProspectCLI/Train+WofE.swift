import Foundation
import ProspectCore
import ProspectPipeline

/// The weights-of-evidence options of `prospect train` and their report.
enum WofEOptions {
    /// Parses `NAME=1,2/3,4/5` into the name and its groups of codes.
    static func groups(_ argument: String) throws -> (name: String, groups: [[Int32]]) {
        struct Bad: Error {}
        guard let eq = argument.firstIndex(of: "=") else { throw Bad() }
        let name = String(argument[..<eq])
        let groups = try argument[argument.index(after: eq)...].split(separator: "/").map { group in
            try group.split(separator: ",").map { code -> Int32 in
                guard let c = Int32(code.trimmingCharacters(in: .whitespaces)) else { throw Bad() }
                return c
            }
        }
        let all = groups.flatMap { $0 }
        guard !name.isEmpty, !groups.isEmpty, !groups.contains(where: \.isEmpty), Set(all).count == all.count else { throw Bad() }
        return (name, groups)
    }

    /// Adds the --ascending/--descending layers and fills the options, checking names.
    static func apply(ascending: [String], descending: [String], thresholds: [String], groups: [String],
                      layers: inout [LayerSpec], options: inout TrainingOptions) throws {
        for (arguments, direction) in [(ascending, CumulativeTally.Direction.ascending), (descending, .descending)] {
            for a in arguments {
                let spec = LayerSpec(argument: a, kind: .continuous)
                layers.append(spec)
                options.cumulative[spec.name] = direction
            }
        }
        let names = layers.map(\.name).joined(separator: ", ")
        for t in thresholds {
            let eq = t.firstIndex(of: "=")!
            let name = String(t[..<eq])
            guard options.cumulative[name] != nil else {
                throw PipelineError(nil, "--threshold \(t): \(layers.contains { $0.name == name } ? "\(name) is not an --ascending or --descending layer" : "no layer is named \(name) (layers: \(names))")")
            }
            options.thresholds[name] = Float(t[t.index(after: eq)...])!
        }
        for g in groups {
            let (name, codes) = try Self.groups(g)
            guard let layer = layers.first(where: { $0.name == name }), layer.kind == .categorical,
                  options.cumulative[name] == nil else {
                throw PipelineError(nil, "--generalize \(g): \(layers.contains { $0.name == name } ? "\(name) is not a categorical layer" : "no layer is named \(name) (layers: \(names))")")
            }
            options.groups[name] = codes
        }
        if !options.cumulative.isEmpty {
            let counts = Dictionary(grouping: layers, by: \.name)
            if let dup = counts.first(where: { $0.value.count > 1 }) {
                throw PipelineError(nil, "two layers are named \(dup.key); name them with NAME=PATH")
            }
        }
    }

    /// The conditional independence tests as text.
    static func render(_ t: TrainingSummary) -> String {
        var out = ""
        if let ci = t.conditionalIndependence {
            out += "\nconditional independence (Agterberg & Cheng 2002): n = \(ci.observed) deposits, "
            out += String(format: "T = %.4f expected, s(T) = %.4f, n/T = %.3f, (T - n)/s(T) = %.3f\n",
                          ci.expected, ci.standardDeviation, ci.ratio, ci.z)
            out += "  T - n < 1.645 s(T): \(ci.independentAt95 ? "yes" : "NO") (95 %: conditional independence \(ci.independentAt95 ? "not rejected" : "rejected"))\n"
            out += "  T - n < 2.326 s(T): \(ci.independentAt99 ? "yes" : "NO") (99 %: conditional independence \(ci.independentAt99 ? "not rejected" : "rejected"))\n"
            out += String(format: "  probability that the model is not conditionally independent: %.1f %%\n", ci.probability * 100)
        }
        if let pairs = t.pairwiseIndependence, !pairs.isEmpty {
            out += "\npairwise independence on the deposit cells (chi-square, no Yates correction)\n"
            var table = [["layer A", "layer B", "chi2", "df", "p", "95 %", "99 %", "note"]]
            for p in pairs {
                table.append([p.layerA, p.layerB, String(format: "%.3f", p.chiSquare), String(p.degreesOfFreedom),
                              String(format: "%.4f", p.pValue), p.dependentAt95 ? "dependent" : "independent",
                              p.dependentAt99 ? "dependent" : "independent", p.smallExpected ? "expected < 5" : ""])
            }
            out += Reports.table(table)
        }
        return out
    }
}
