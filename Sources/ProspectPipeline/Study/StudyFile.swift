import Foundation
import ProspectCore
import ProspectGDAL
import Yams

/// A study declared in one YAML file: the grid, the layers (sources, kinds, transforms), the
/// deposits, the model and the outputs. Paths are relative to the study file's folder.
///
/// ```yaml
/// name: Demo REE province
/// output: demo-study            # the folder everything is written to
/// grid:
///   reference: thorium.tif      # or crs: EPSG:32645, cell_size: 50, extent: [x0, y0, x1, y1]
/// study_area: study_area.gpkg   # PATH or PATH:LAYER (optional)
/// assume_crs: EPSG:32645        # for inputs that declare no CRS (optional)
/// layers:
///   - name: thorium
///     raster: thorium.tif
///     transforms: [log, zscore]
///   - name: lithology
///     categorical: lithology.tif
///   - name: fault_distance
///     distance: faults.gpkg
/// deposits: deposits.gpkg       # PATH or PATH:LAYER; CSV with lon/lat or x/y columns
///                               # (optional for fuzzy and index models); or a mapping
///                               # {path:, layer:, where: "commodity = 'REE'", id: name}
///                               # (--deposits-where, --deposits-id)
/// model:
///   method: wofe                # wofe, logistic, rf, gbt, fuzzy or index
///   unit_cell_km2: 0.01
///   # wofe: missing: unknown (a missing layer weighs 0, not nodata; StudyFile+Model.swift)
///   # rf and gbt: trees: 100, depth: 6, learning_rate: 0.1 (gbt), exclude_buffer: 500,
///   #   holdout: 0.25, background: 1000000, seed: 1 (StudyFile+Model.swift)
///   # fuzzy: expression: "gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))"
///   # index: weights: {thorium: 3, lithology: 2}
///   # fuzzy and index: class_scores: {lithology: {4: 10, 3: 5}}
/// outputs:
///   cog: true
///   uncertainty: true           # the model's extra bands (wofe: posterior_std, confidence;
///                               # rf: ensemble_spread) after the score
///   allow_large: true           # score grids over 2^34 cells or larger than the free space
///   created: 2024-05-01T12:00:00Z  # the time outputs are stamped with (or a Unix time;
///                               # default: $SOURCE_DATE_EPOCH, else the time of the run)
///   targets: { top: 10, top_area_percent: 5 }  # also threshold, min_cells, tile_size,
///                               # min_area_km2, max_area_km2, rank_by: expected|peak|mean,
///                               # csv: true (targets.csv); the deposits are counted in each
/// validation:
///   cv: { folds: 5, scheme: blocks }   # cross-validation → cv.json (StudyFile+Model.swift)
/// ```
public struct StudyFile: Sendable {
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var source: PrepareRequest.Source
        public var assumedCRS: String?
        public var transforms: [LayerTransform]
    }

    public var path: String
    public var name: String
    /// Absolute output folder.
    public var output: String
    public var grid: PrepareRequest.GridDefinition
    public var studyArea: VectorSource?
    public var assumedCRS: String?
    public var makeValid: Bool
    public var layers: [Layer]
    /// Nil only for knowledge-driven models (fuzzy, index), which need no deposits.
    public var deposits: VectorSource?
    public var depositsCRS: String?
    /// Which of the deposits file's points are deposits, and the field naming them.
    public var depositSelection = DepositSelection()
    public var training: TrainingOptions
    public var score: ScoreOptions
    public var targets: TargetOptions
    /// Write `targets.csv` beside `targets.geojson` (`outputs.targets.csv`).
    public var targetsCSV = false
    public var validate: Bool
    /// The time the outputs are stamped with (`outputs.created`); nil: not given.
    public var created: CreationTime?
    /// Cross-validation of the model (`validation.cv`), nil when not asked for.
    public var crossValidation: CrossValidationOptions?

    /// Reads and checks a study file.
    /// - Throws: `PipelineError` naming the file and the key at fault: unreadable YAML, a file
    ///   over `maxBytes` or expanding to over `maxNodes` nodes, an unknown key (typos are not ignored), a missing or ill-typed value.
    public static func load(_ path: String) throws -> StudyFile {
        let root = try readYAML(path)
        guard let top = root as? [String: Any] else {
            throw PipelineError(path, "a study file is a YAML mapping of keys (grid, layers, deposits, model, …)")
        }
        var reader = KeyReader(path: path, context: "", map: top)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
        func resolve(_ p: String) -> String { RelativePath.resolve(p, from: dir) }
        func vector(_ text: String) -> VectorSource {
            var v = VectorSource(argument: resolve(text))
            if !FileManager.default.fileExists(atPath: v.path), FileManager.default.fileExists(atPath: resolve(text)) {
                v = VectorSource(path: resolve(text))
            }
            return v
        }

        let name = try reader.string("name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let output = resolve(
            try reader.string("output") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + "-output")

        var gridReader = try reader.map("grid", required: true)!
        let grid: PrepareRequest.GridDefinition
        if let reference = try gridReader.string("reference") {
            grid = .reference(resolve(reference))
        } else {
            guard let crs = try gridReader.string("crs"), let cell = try gridReader.double("cell_size") else {
                throw PipelineError(path, "grid: give reference: RASTER, or crs: and cell_size: (with extent: or a study_area)")
            }
            grid = .definition(crs: crs, cellSize: cell, extent: try gridReader.doubles("extent"))
        }
        try gridReader.finish()

        let studyArea = try reader.string("study_area").map(vector)
        let assumedCRS = try reader.string("assume_crs")
        let makeValid = try reader.bool("make_valid") ?? false

        var layers: [Layer] = []
        var settings = TrainingSettings()
        var settingsLayers: [TrainingSettings.Layer] = []
        let entries = try reader.list("layers", required: true)!
        guard !entries.isEmpty else { throw PipelineError(path, "layers: the list is empty") }
        for (i, entry) in entries.enumerated() {
            guard let m = entry as? [String: Any] else {
                throw PipelineError(path, "layers[\(i)]: each layer is a mapping (name:, raster: …)")
            }
            var l = KeyReader(path: path, context: "layers[\(i)]", map: m)
            let kinds = ["raster", "categorical", "distance", "rasterize", "inside", "density"]
            let given = kinds.filter { m[$0] != nil }
            guard given.count == 1, let kind = given.first, let sourceText = try l.string(kind) else {
                throw PipelineError(
                    path,
                    "layers[\(i)]: give exactly one of \(kinds.joined(separator: ", ")) (got \(given.isEmpty ? "none" : given.joined(separator: ", ")))"
                )
            }
            let source: PrepareRequest.Source
            var defaultName: String
            switch kind {
            case "raster", "categorical":
                var resampling: Resampling?
                if let r = try l.string("resampling") {
                    guard let method = Resampling(rawValue: r) else {
                        throw PipelineError(
                            path,
                            "layers[\(i)].resampling: \(Echo.short(r)) is not one of \(Resampling.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    resampling = method
                }
                source = .raster(path: resolve(sourceText), kind: kind == "raster" ? .continuous : .categorical, resampling: resampling)
                defaultName = DatasetName.layerName(for: sourceText)
            case "distance":
                let v = vector(sourceText)
                source = .distance(v)
                defaultName = "distance_" + v.baseName
            case "rasterize":
                guard let field = try l.string("field") else {
                    throw PipelineError(path, "layers[\(i)]: rasterize needs field: (use inside: for a polygon mask)")
                }
                let v = vector(sourceText)
                source = .rasterize(v, field: field)
                defaultName = field
            case "inside":
                let v = vector(sourceText)
                source = .rasterize(v, field: nil)
                defaultName = "inside_" + v.baseName
            default:
                guard let radius = try l.double("radius") else {
                    throw PipelineError(path, "layers[\(i)]: density needs radius: (grid units)")
                }
                let v = vector(sourceText)
                source = .density(v, radius: radius)
                defaultName = "density_" + v.baseName
            }
            let layerName = try l.string("name") ?? defaultName
            let specs = try l.strings("transforms") ?? []
            let transforms: [LayerTransform]
            do { transforms = try LayerTransform.parse(specs, layer: layerName) } catch { throw error.inStudy(path) { _ in i } }
            let crs = try l.string("assume_crs")
            // Weights of evidence, per layer: cumulative classes, a user threshold, class groups.
            if let w = try l.string("wofe") {
                guard let direction = CumulativeTally.Direction(rawValue: w) else {
                    throw PipelineError(path, "layers[\(i)] (\(layerName)).wofe: \(w) is not ascending or descending")
                }
                settings.cumulative[layerName] = direction
            }
            if let t = try l.double("threshold") { settings.thresholds[layerName] = t }
            if let g = try l.string("generalize") { settings.groups[layerName] = g }
            try l.finish()
            layers.append(Layer(name: layerName, source: source, assumedCRS: crs, transforms: transforms))
            settingsLayers.append(
                .init(name: layerName, kind: kind == "categorical" ? .categorical : kind == "rasterize" ? nil : .continuous))
        }

        var deposits: VectorSource?
        var depositSelection = DepositSelection()
        if top["deposits"] is [String: Any], var d = try reader.map("deposits") {
            guard let file = try d.string("path") else { throw PipelineError(path, "deposits.path: missing") }
            deposits = vector(file)
            if let layer = try d.string("layer") { deposits!.layer = layer }
            depositSelection.filter = try d.string("where")
            depositSelection.idField = try d.string("id")
            try d.finish()
        } else {
            deposits = try reader.string("deposits").map(vector)
        }
        let depositsCRS = try reader.string("deposits_crs")
        settings.hasDeposits = deposits != nil
        if var model = try reader.map("model") {
            if let m = try model.string("method") {
                guard let method = TrainingOptions.Method(rawValue: m) else {
                    throw PipelineError(
                        path,
                        "model.method: \(Echo.short(m)) is not one of \(TrainingOptions.Method.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                settings.method = method
            }
            try Self.readModel(&model, into: &settings, path: path)
            try model.finish()
        }
        func inStudy(_ e: OptionError) -> PipelineError {
            e.inStudy(path) { name in layers.firstIndex { $0.name == name } }
        }
        let training: TrainingOptions
        do { training = try settings.options(layers: settingsLayers) } catch { throw inStudy(error) }

        var score = ScoreOptions()
        var targets = TargetOptions()
        var targetsCSV = false
        var validate = true
        var created: CreationTime?
        if var outputs = try reader.map("outputs") {
            if let c = try outputs.string("compress") {
                guard let compression = ScoreOptions.Compression(rawValue: c) else {
                    throw PipelineError(
                        path,
                        "outputs.compress: \(Echo.short(c)) is not one of \(ScoreOptions.Compression.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                score.compression = compression
            }
            score.cog = try outputs.bool("cog") ?? false
            score.extraBands = try outputs.bool("uncertainty") ?? false
            score.allowLarge = try outputs.bool("allow_large") ?? false
            validate = try outputs.bool("validate") ?? true
            if let text = try outputs.time("created") {
                do { created = try CreationTime(parsing: text, option: .created) } catch { throw inStudy(error) }
            }
            if var t = try outputs.map("targets") {
                if let v = try t.int("top") { targets.top = v }
                if let v = try t.double("top_area_percent") { targets.topAreaPercent = v }
                if let v = try t.double("threshold") { targets.threshold = Float(v) }
                if let v = try t.int("min_cells") { targets.minCells = v }
                if let v = try t.double("tile_size") { targets.tileSize = v }
                if let v = try t.double("min_area_km2") { targets.minAreaKm2 = v }
                if let v = try t.double("max_area_km2") { targets.maxAreaKm2 = v }
                if let v = try t.string("rank_by") {
                    guard let ranking = TargetRanking(rawValue: v) else {
                        throw inStudy(
                            OptionError(
                                .rankBy,
                                "give one of \(TargetRanking.allCases.map(\.rawValue).joined(separator: ", ")), got \(Echo.short(v))"))
                    }
                    targets.rankBy = ranking
                }
                targetsCSV = try t.bool("csv") ?? false
                try t.finish()
            }
            try outputs.finish()
        }
        var crossValidation: CrossValidationOptions?
        if var v = try reader.map("validation") {
            if var cv = try Self.readValidation(&v, path: path) {
                cv.seed = cv.seed ?? settings.seed
                cv.threads = score.threads
                do { crossValidation = try cv.options() } catch { throw inStudy(error) }
                guard deposits != nil else { throw PipelineError(path, "validation.cv: cross-validation needs deposits: give deposits:") }
            }
            try v.finish()
        }
        do {
            try score.validate()
            try targets.validate()
            try Self.request(grid: grid, layers: layers, outputDirectory: output).validate()
        } catch { throw inStudy(error) }
        try reader.finish()
        return StudyFile(
            path: path, name: name, output: output, grid: grid, studyArea: studyArea, assumedCRS: assumedCRS,
            makeValid: makeValid, layers: layers, deposits: deposits, depositsCRS: depositsCRS, depositSelection: depositSelection,
            training: training, score: score, targets: targets, targetsCSV: targetsCSV, validate: validate, created: created,
            crossValidation: crossValidation)
    }

    /// The prepare step of this study.
    public func prepareRequest(outputDirectory: String) -> PrepareRequest {
        var request = Self.request(grid: grid, layers: layers, outputDirectory: outputDirectory)
        request.studyArea = studyArea
        request.assumedCRS = assumedCRS
        request.makeValid = makeValid
        request.created = created
        return request
    }

    static func request(grid: PrepareRequest.GridDefinition, layers: [Layer], outputDirectory: String) -> PrepareRequest {
        PrepareRequest(
            grid: grid, outputDirectory: outputDirectory,
            inputs: layers.map { .init(name: $0.name, source: $0.source, assumedCRS: $0.assumedCRS) })
    }
}

/// Reads typed values from a YAML mapping, remembering which keys were used so unknown ones
/// (usually typos) can be reported.
struct KeyReader {
    let path: String
    let context: String
    let map: [String: Any]
    private var used = Set<String>()

    init(path: String, context: String, map: [String: Any]) {
        self.path = path
        self.context = context
        self.map = map
    }

    private func key(_ k: String) -> String { context.isEmpty ? k : "\(context).\(k)" }
    private func fail(_ k: String, _ expected: String) -> PipelineError {
        PipelineError(path, "\(key(k)): expected \(expected), got \(String(describing: map[k]!))")
    }

    /// The value of key `k` as `convert` reads it, nil when the key is absent.
    /// - Throws: naming the key and `expected` when `convert` cannot read it (returns nil).
    private mutating func value<T>(
        _ k: String, required: Bool = false, expected: String,
        _ convert: (Any) -> T?
    ) throws -> T? {
        used.insert(k)
        guard let v = map[k] else {
            if required { throw PipelineError(path, "\(key(k)): missing") }
            return nil
        }
        guard let t = convert(v) else { throw fail(k, expected) }
        return t
    }

    /// A number, integers included.
    private static func number(_ v: Any) -> Double? { (v as? Double) ?? (v as? Int).map(Double.init) }

    /// Every element of a list read by `convert`; nil when `v` is not a list or one is not.
    private static func every<T>(_ v: Any, _ convert: (Any) -> T?) -> [T]? {
        guard let list = v as? [Any] else { return nil }
        let values = list.compactMap(convert)
        return values.count == list.count ? values : nil
    }

    mutating func string(_ k: String) throws -> String? {
        try value(k, expected: "text") { v in (v as? String) ?? (v as? Int).map { String($0) } ?? (v as? Double).map { String($0) } }
    }

    /// A time as text: YAML reads an unquoted `2024-05-01T12:00:00Z` as a timestamp, which is
    /// written back as ISO 8601; a whole number (a Unix time) as its digits.
    mutating func time(_ k: String) throws -> String? {
        try value(k, expected: "a time") { v in
            if let date = v as? Date {
                let formatter = ISO8601DateFormatter()
                let whole = date.timeIntervalSince1970 == date.timeIntervalSince1970.rounded()
                formatter.formatOptions = whole ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
                return formatter.string(from: date)
            }
            return (v as? String) ?? (v as? Int).map { String($0) }
        }
    }

    mutating func double(_ k: String) throws -> Double? { try value(k, expected: "a number", Self.number) }

    mutating func int(_ k: String) throws -> Int? { try value(k, expected: "a whole number") { $0 as? Int } }

    mutating func bool(_ k: String) throws -> Bool? { try value(k, expected: "true or false") { $0 as? Bool } }

    mutating func doubles(_ k: String) throws -> [Double]? {
        try value(k, expected: "a list of numbers") { Self.every($0, Self.number) }
    }

    /// A list of text; one text is a list of one.
    mutating func strings(_ k: String) throws -> [String]? {
        try value(k, expected: "a list of text") { v in (v as? String).map { [$0] } ?? Self.every(v) { $0 as? String } }
    }

    mutating func list(_ k: String, required: Bool = false) throws -> [Any]? {
        try value(k, required: required, expected: "a list") { $0 as? [Any] }
    }

    mutating func map(_ k: String, required: Bool = false) throws -> KeyReader? {
        let m = try value(k, required: required, expected: "a mapping of keys") { $0 as? [String: Any] }
        return m.map { KeyReader(path: path, context: key(k), map: $0) }
    }

    /// - Throws: naming the first key that was never read, with the keys that are known.
    func finish() throws {
        if let unknown = map.keys.sorted().first(where: { !used.contains($0) }) {
            throw PipelineError(path, "\(Echo.short(key(unknown))): unknown key (known here: \(used.sorted().joined(separator: ", ")))")
        }
    }
}
