import ProspectCore

/// One user-settable option, as each front end names it: the command-line flag and the study
/// file key. Errors about an option carry it, so the CLI names the flag and a study file the key.
public struct OptionName: Sendable, Hashable, CustomStringConvertible {
    /// The command-line flag, e.g. `--unit-cell-km2`; empty when only study files have it.
    public var flag: String
    /// The study-file key, e.g. `model.unit_cell_km2`; `layers[].threshold` for a per-layer key
    /// (the study file fills in the layer).
    public var key: String

    public init(flag: String, key: String) {
        self.flag = flag
        self.key = key
    }

    /// The flag, or the key when the option has no flag.
    public var description: String { flag.isEmpty ? key : flag }
}

/// A value the options layer refuses: the option, the layer it was given for (per-layer
/// options), and the problem in words that read after either name.
public struct OptionError: Error, Equatable, CustomStringConvertible {
    public var option: OptionName
    /// The layer a per-layer option was given for.
    public var layer: String?
    public var problem: String

    public init(_ option: OptionName, layer: String? = nil, _ problem: String) {
        self.option = option
        self.layer = layer
        self.problem = problem
    }

    /// The command-line form: `--threshold fd: problem`.
    public var description: String { "\(option.description)\(layer.map { " \(Echo.short($0))" } ?? ""): \(problem)" }

    /// The study-file form, `model.l2: problem`, `model.weights.th: problem` or
    /// `layers[2] (fd).threshold: problem`, as an error naming the study file; `layerIndex`
    /// gives a layer's position in the file.
    public func inStudy(_ path: String, layerIndex: (String) -> Int?) -> PipelineError {
        var key = option.key
        if let layer {
            if key.hasPrefix("layers[]") {
                let index = layerIndex(layer).map(String.init) ?? ""
                key = "layers[\(index)] (\(Echo.short(layer)))" + key.dropFirst("layers[]".count)
            } else {
                key += ".\(Echo.short(layer))"
            }
        }
        return PipelineError(path, "\(key): \(problem)")
    }
}

extension OptionName {
    // Training: every method.
    public static let method = OptionName(flag: "--method", key: "model.method")
    public static let deposits = OptionName(flag: "--deposits", key: "deposits")
    public static let depositsWhere = OptionName(flag: "--deposits-where", key: "deposits.where")
    public static let depositsID = OptionName(flag: "--deposits-id", key: "deposits.id")
    public static let background = OptionName(flag: "--background", key: "model.background")
    public static let seed = OptionName(flag: "--seed", key: "model.seed")
    public static let transform = OptionName(flag: "--transform", key: "layers[].transforms")
    // Weights of evidence.
    public static let unitCellKm2 = OptionName(flag: "--unit-cell-km2", key: "model.unit_cell_km2")
    public static let missing = OptionName(flag: "--missing-as-unknown", key: "model.missing")
    public static let cumulative = OptionName(flag: "--ascending/--descending", key: "layers[].wofe")
    public static let threshold = OptionName(flag: "--threshold", key: "layers[].threshold")
    public static let generalize = OptionName(flag: "--generalize", key: "layers[].generalize")
    public static let countDeposits = OptionName(flag: "--count-deposits", key: "model.count_deposits")
    public static let minDeposits = OptionName(flag: "--min-deposits", key: "model.min_deposits")
    public static let minAreaPercent = OptionName(flag: "--min-area-percent", key: "model.min_area_percent")
    // Logistic regression.
    public static let l2 = OptionName(flag: "--l2", key: "model.l2")
    // Trees.
    public static let trees = OptionName(flag: "--trees", key: "model.trees")
    public static let depth = OptionName(flag: "--depth", key: "model.depth")
    public static let learningRate = OptionName(flag: "--learning-rate", key: "model.learning_rate")
    public static let excludeBuffer = OptionName(flag: "--exclude-buffer", key: "model.exclude_buffer")
    public static let holdout = OptionName(flag: "--holdout", key: "model.holdout")
    public static let trainingThreads = OptionName(flag: "--threads", key: "model.threads")
    public static let holdoutScheme = OptionName(flag: "--holdout-scheme", key: "model.holdout_scheme")
    public static let holdoutBlockKm = OptionName(flag: "--block-km", key: "model.block_km")
    // Knowledge-driven overlays.
    public static let expression = OptionName(flag: "--expression", key: "model.expression")
    public static let weight = OptionName(flag: "--weight", key: "model.weights")
    public static let classScore = OptionName(flag: "--class-score", key: "model.class_scores")
    // Cross-validation.
    public static let folds = OptionName(flag: "--folds", key: "validation.cv.folds")
    public static let blockKm = OptionName(flag: "--block-km", key: "validation.cv.block_km")
    public static let scheme = OptionName(flag: "--scheme", key: "validation.cv.scheme")
    public static let foldSeed = OptionName(flag: "--seed", key: "validation.cv.seed")
    // Scoring.
    public static let compress = OptionName(flag: "--compress", key: "outputs.compress")
    public static let scoreThreads = OptionName(flag: "--threads", key: "outputs.threads")
    // Targets.
    public static let top = OptionName(flag: "--top", key: "outputs.targets.top")
    public static let topArea = OptionName(flag: "--top-area", key: "outputs.targets.top_area_percent")
    public static let targetThreshold = OptionName(flag: "--threshold", key: "outputs.targets.threshold")
    public static let minCells = OptionName(flag: "--min-cells", key: "outputs.targets.min_cells")
    public static let tileSize = OptionName(flag: "--tile-size", key: "outputs.targets.tile_size")
    public static let minAreaKm2 = OptionName(flag: "--min-area-km2", key: "outputs.targets.min_area_km2")
    public static let maxAreaKm2 = OptionName(flag: "--max-area-km2", key: "outputs.targets.max_area_km2")
    public static let rankBy = OptionName(flag: "--rank-by", key: "outputs.targets.rank_by")
    // Prepare.
    public static let cellSize = OptionName(flag: "--cell-size", key: "grid.cell_size")
    public static let extent = OptionName(flag: "--extent", key: "grid.extent")
    public static let radius = OptionName(flag: "--density", key: "layers[].radius")
    public static let resampling = OptionName(flag: "--resampling", key: "layers[].resampling")
    public static let prepareThreads = OptionName(flag: "--threads", key: "threads")
    // Every command that stamps its outputs with a time.
    public static let created = OptionName(flag: "--created", key: "outputs.created")
    /// The environment variable read when no time is given; it has no flag or key of its own.
    public static let sourceDateEpoch = OptionName(flag: "SOURCE_DATE_EPOCH", key: "SOURCE_DATE_EPOCH")
}

/// The range checks every number goes through once: finite, and in the option's range.
enum Check {
    /// `x` finite and > 0: areas, radii, distances, cell sizes.
    static func positive(_ x: Double, _ option: OptionName, layer: String? = nil, unit: String = "") throws(OptionError) {
        guard x.isFinite, x > 0 else { throw OptionError(option, layer: layer, "give a positive number\(unit), got \(show(x))") }
    }

    /// `x` finite and ≥ 0.
    static func nonNegative(_ x: Double, _ option: OptionName, layer: String? = nil, unit: String = "") throws(OptionError) {
        guard x.isFinite, x >= 0 else { throw OptionError(option, layer: layer, "give a non-negative number\(unit), got \(show(x))") }
    }

    /// `x` finite.
    static func finite(_ x: Double, _ option: OptionName, layer: String? = nil) throws(OptionError) {
        guard x.isFinite else { throw OptionError(option, layer: layer, "give a finite number, got \(show(x))") }
    }

    /// A percentage in (0, 100].
    static func percent(_ x: Double, _ option: OptionName) throws(OptionError) {
        guard x.isFinite, x > 0, x <= 100 else { throw OptionError(option, "give a percentage above 0 and at most 100, got \(show(x))") }
    }

    /// A fraction in `[0, 1)`.
    static func fractionBelowOne(_ x: Double, _ option: OptionName) throws(OptionError) {
        guard x.isFinite, x >= 0, x < 1 else { throw OptionError(option, "give a fraction at least 0 and below 1, got \(show(x))") }
    }

    /// A whole number in `range`.
    static func count(_ n: Int, _ option: OptionName, atLeast low: Int, atMost high: Int = .max, what: String = "") throws(OptionError) {
        guard n >= low, n <= high else {
            let range = high == .max ? "at least \(low)" : "\(low) to \(high)"
            throw OptionError(option, "give \(range)\(what), got \(n)")
        }
    }

    static func show(_ x: Double) -> String {
        x.isFinite && x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
