import ProspectCore

extension StudyFile {
    /// Reads the settings of a study's `model:` mapping beyond `method:` into `settings`, as
    /// typed values; `TrainingSettings.options(layers:)` checks them. The keys, and the
    /// `prospect train` option each stands for:
    ///
    /// ```yaml
    /// model:
    ///   method: wofe                # --method: wofe, logistic, rf, gbt, fuzzy or index
    ///   unit_cell_km2: 0.01         # --unit-cell-km2 (wofe)
    ///   missing: unknown            # --missing-as-unknown (wofe; default nodata)
    ///   count_deposits: points      # --count-deposits (wofe): points or cells (default cells)
    ///   min_deposits: 3             # --min-deposits (wofe): smallest automatic cut, in deposits
    ///   min_area_percent: 0.5       # --min-area-percent (wofe): … and in percent of the area
    ///   l2: 0.001                   # --l2 (logistic)
    ///   background: 1000000         # --background (logistic, rf, gbt)
    ///   seed: 1                     # --seed
    ///   trees: 100                  # --trees (rf, gbt)
    ///   depth: 6                    # --depth (rf, gbt): 1 to 8 levels
    ///   learning_rate: 0.1          # --learning-rate (gbt)
    ///   exclude_buffer: 500         # --exclude-buffer (rf, gbt): metres around deposits
    ///   holdout: 0.25               # --holdout (rf, gbt)
    ///   holdout_scheme: blocks      # --holdout-scheme (rf, gbt): blocks or random
    ///   block_km: 2.5               # --block-km (rf, gbt): the side of the blocks held out
    ///   expression: "gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))"   # fuzzy
    ///   weights: {thorium: 3, lithology: 2}                                                 # index
    ///   class_scores: {lithology: {4: 10, 3: 5}}   # fuzzy and index; a class is a code or a legend name
    /// ```
    /// Per layer (under `layers:`): `wofe: ascending|descending` (--ascending, --descending),
    /// `threshold:` (--threshold), `generalize: "1,2/3,4"` (--generalize).
    /// - Throws: `PipelineError` naming the study file and the key for a value of the wrong type.
    static func readModel(_ model: inout KeyReader, into settings: inout TrainingSettings, path: String) throws {
        settings.unitCellKm2 = try model.double("unit_cell_km2")
        if let text = try model.string("missing") {
            guard let rule = MissingDataRule(rawValue: text) else {
                throw PipelineError(
                    path,
                    "model.missing: \(Echo.short(text)) is not one of \(MissingDataRule.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.missing = rule
        }
        if let text = try model.string("count_deposits") {
            guard let count = WofEDepositCount(rawValue: text) else {
                throw PipelineError(
                    path, "model.count_deposits: \(text) is not one of \(WofEDepositCount.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            settings.countDeposits = count
        }
        settings.minDeposits = try model.int("min_deposits")
        settings.minAreaPercent = try model.double("min_area_percent")
        settings.l2 = try model.double("l2")
        settings.background = try model.int("background")
        settings.seed = try model.int("seed")
        settings.trees = try model.int("trees")
        settings.depth = try model.int("depth")
        settings.learningRate = try model.double("learning_rate")
        settings.excludeBuffer = try model.double("exclude_buffer")
        settings.holdout = try model.double("holdout")
        if let text = try model.string("holdout_scheme") {
            guard let scheme = HoldoutScheme(rawValue: text) else {
                throw PipelineError(
                    path, "model.holdout_scheme: \(text) is not one of \(HoldoutScheme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.holdoutScheme = scheme
        }
        settings.blockKm = try model.double("block_km")
        settings.expression = try model.string("expression")
        if var weights = try model.map("weights") {
            for name in weights.map.keys.sorted() { settings.weights[name] = try weights.double(name) }
        }
        if let scores = try model.map("class_scores") {
            for name in scores.map.keys.sorted() {
                guard let table = scores.map[name] as? [AnyHashable: Any] else {
                    throw PipelineError(
                        path, "model.class_scores.\(name): give a mapping of class (code or name) to score, e.g. {4: 10, 3: 5}")
                }
                var out: [String: Double] = [:]
                for (key, value) in table {
                    if let d = value as? Double {
                        out["\(key.base)"] = d
                    } else if let i = value as? Int {
                        out["\(key.base)"] = Double(i)
                    } else {
                        throw PipelineError(path, "model.class_scores.\(name).\(key.base): expected a number, got \(value)")
                    }
                }
                settings.classScores[name] = out
            }
        }
    }
}

extension StudyFile {
    /// Reads a study's `validation:` mapping: `cv:` runs cross-validation after the fit's
    /// validation and writes `cv.json`. The keys, and the `prospect cv` option each stands for:
    ///
    /// ```yaml
    /// validation:
    ///   cv:                         # or cv: true, every default
    ///     folds: 5                  # --folds: 2 to 100
    ///     scheme: blocks            # --scheme: blocks or random
    ///     block_km: 2.5             # --block-km (default: from the deposits' spacing)
    ///     seed: 1                   # --seed (default: model.seed, else 1)
    /// ```
    /// - Returns: the settings, nil when cross-validation is not asked for.
    /// - Throws: `PipelineError` naming the study file and the key for a value of the wrong type.
    static func readValidation(_ validation: inout KeyReader, path: String) throws -> CrossValidationSettings? {
        if validation.map["cv"] is Bool {
            return try validation.bool("cv") == true ? CrossValidationSettings() : nil
        }
        guard var cv = try validation.map("cv") else { return nil }
        var s = CrossValidationSettings()
        s.folds = try cv.int("folds")
        if let text = try cv.string("scheme") {
            guard let scheme = HoldoutScheme(rawValue: text) else {
                throw PipelineError(
                    path, "validation.cv.scheme: \(text) is not one of \(HoldoutScheme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            s.scheme = scheme
        }
        s.blockKm = try cv.double("block_km")
        s.seed = try cv.int("seed")
        try cv.finish()
        return s
    }
}
