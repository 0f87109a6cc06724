import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

/// The layer, deposit and model options of `prospect train`, which `prospect cv` takes too.
struct TrainingArguments: ParsableArguments {
    @Option(
        help: "Known deposits: points, PATH[:LAYER] (any OGR format, or CSV with lon/lat or x/y columns); optional for fuzzy and index."
    )
    var deposits: String?
    @OptionGroup var depositsCRS: DepositsCRS
    @OptionGroup var depositSelection: DepositSelectionArguments
    @Option(help: "A folder written by `prospect prepare` (or its stack.json): all its layers, kinds and legends.")
    var stack: String?
    @Option(name: .customLong("evidence"), help: "A continuous evidence raster, PATH or NAME=PATH (repeatable).")
    var evidence: [String] = []
    @Option(help: "A categorical evidence raster, PATH or NAME=PATH (repeatable).")
    var categorical: [String] = []
    @Option(
        help:
            "Weights of evidence: a class raster whose cumulative classes x <= v (small values favourable) are weighed and generalized to a binary pattern, PATH or NAME=PATH (repeatable)."
    )
    var ascending: [String] = []
    @Option(
        help:
            "Weights of evidence: a class raster whose cumulative classes x >= v (large values favourable) are weighed and generalized to a binary pattern, PATH or NAME=PATH (repeatable)."
    )
    var descending: [String] = []
    @Option(
        help:
            "Weights of evidence: NAME=VALUE, the binary pattern of an --ascending (x <= VALUE) or --descending (x >= VALUE) layer, or of an --evidence layer (x >= VALUE or x <= VALUE, whichever side has the larger studentized contrast), instead of the class with the largest studentized contrast (repeatable)."
    )
    var threshold: [String] = []
    @Option(
        help:
            "Weights of evidence: NAME=1,2/3,4/5 merges a categorical layer's class codes into one class per group, weighed together (repeatable)."
    )
    var generalize: [String] = []
    @Option(help: "A transform for one layer, NAME=SPEC, applied in the order given and repeated by score (repeatable; see above).")
    var transform: [String] = []
    @Option(
        help:
            "Method: wofe (weights of evidence), logistic, rf (random forest), gbt (gradient-boosted trees), fuzzy (fuzzy overlay) or index (weighted index overlay)."
    )
    var method: TrainingOptions.Method = .wofe
    @Option(
        name: .customLong("unit-cell-km2"), help: "Weights of evidence: unit cell area in km² (default: \(WofEOptions().unitCellKm2)).")
    var unitCellKm2: Double?
    @Option(help: "Logistic regression: L2 penalty on standardized slopes (default: \(LogisticOptions().l2)).")
    var l2: Double?
    @Option(
        help:
            "Logistic regression and trees: at most this many background cells, a seeded random sample when there are more (0 = every valid cell; default: \(BackgroundSampling().size))."
    )
    var background: Int?
    @Option(help: "Seed for background sampling and tree growing (default: \(BackgroundSampling().seed)).")
    var seed: Int?
    @Option(help: "Training threads (default: all cores); the model does not depend on it.")
    var threads: Int?
    @Option(help: "Fuzzy overlay: how the layers' memberships combine, e.g. \"gamma(0.9, and(a, b), or(c, d))\".")
    var expression: String?
    @Option(help: "Index overlay: a layer's weight, NAME=WEIGHT (repeatable).")
    var weight: [String] = []
    @Option(
        name: .customLong("class-score"),
        help: "Fuzzy or index overlay: a categorical layer's class score, NAME:CLASS=SCORE (repeatable).")
    var classScore: [String] = []
    @OptionGroup var treeOptions: TreeArguments
    @OptionGroup var wofeOptions: WofEArguments
    @Flag(
        name: .customLong("missing-as-unknown"),
        help:
            "Weights of evidence: a layer missing on a cell (nodata) is unknown evidence, weight 0 and a missing-data variance term, instead of making the cell nodata; each layer is weighed on its own data area."
    )
    var missingAsUnknown = false
    @Option(
        name: .customLong("block-km"),
        help:
            "Side of the square spatial blocks, in km: rf/gbt's --holdout keeps whole blocks out (train), cross-validation deals blocks to folds (cv). Default: 5 × the median distance between neighbouring deposits, rounded."
    )
    var blockKm: Double?

    /// Checks every value against the layers named on the command line (a stack's are added
    /// when it is read, in `layers()`), as one line naming the flag.
    func check(_ adjust: (inout TrainingSettings) -> Void = { _ in }) throws {
        guard !(evidence.isEmpty && categorical.isEmpty && ascending.isEmpty && descending.isEmpty && stack == nil) else {
            throw ValidationError("give --stack, or at least one --evidence, --categorical, --ascending or --descending raster")
        }
        let layers = stack == nil ? commandLineLayers().map { TrainingSettings.Layer(name: $0.name, kind: $0.kind) } : nil
        try checkOptions { () throws(OptionError) in
            var s = try settings()
            adjust(&s)
            _ = try s.options(layers: layers)
        }
    }

    /// The flags, as the options layer takes them.
    func settings() throws(OptionError) -> TrainingSettings {
        var s = TrainingSettings(method: method)
        s.hasDeposits = deposits != nil
        s.unitCellKm2 = unitCellKm2
        s.l2 = l2
        s.background = background
        s.seed = seed
        s.threads = threads
        s.blockKm = blockKm
        if missingAsUnknown { s.missing = .unknown }
        for a in ascending { s.cumulative[LayerSpec(argument: a, kind: .continuous).name] = .ascending }
        for d in descending { s.cumulative[LayerSpec(argument: d, kind: .continuous).name] = .descending }
        s.expression = expression
        try s.add(thresholds: threshold, groups: generalize, weights: weight, classScores: classScore)
        treeOptions.fill(&s)
        wofeOptions.fill(&s)
        return s
    }

    /// The layers named on the command line, in order.
    func commandLineLayers() -> [LayerSpec] {
        evidence.map { LayerSpec(argument: $0, kind: .continuous) } + categorical.map { LayerSpec(argument: $0, kind: .categorical) }
            + (ascending + descending).map { LayerSpec(argument: $0, kind: .continuous) }
    }

    /// The stack's layers and the command line's, with their transforms, and the stack's legends.
    /// - Throws: `OptionError` for a transform of a layer that does not exist.
    func layers() throws -> (layers: [LayerSpec], legends: [String: [String: String]]) {
        var (layers, legends) = try StackManifest.layerSpecs(of: stack)
        layers += commandLineLayers()
        for (name, specs) in try transforms() {
            guard let k = layers.firstIndex(where: { $0.name == name }) else {
                throw OptionError(
                    .transform, layer: name, "no layer is named \(Echo.short(name)) (layers: \(layers.map(\.name).joined(separator: ", ")))"
                )
            }
            layers[k].transforms += try LayerTransform.parse(specs, layer: name)
        }
        return (layers, legends)
    }

    /// `--transform NAME=SPEC` by layer, in the order given.
    func transforms() throws(OptionError) -> [(String, [String])] {
        var order: [String] = []
        var specs: [String: [String]] = [:]
        for t in transform {
            let (name, spec) = try TrainingSettings.nameValue(t, .transform, form: "NAME=SPEC")
            if specs[name] == nil { order.append(name) }
            specs[name, default: []].append(spec)
        }
        return order.map { ($0, specs[$0]!) }
    }
}
