import Foundation

/// The files a report is made from: a map and its model, and what else there is of a run.
public struct ReportInputs: Sendable {
    public var mapPath: String
    public var modelPath: String
    public var deposits: VectorSource?
    public var depositsCRS: String?
    public var depositSelection = DepositSelection()
    public var targetsPath: String?
    public var validationPath: String?
    public var cvPath: String?
    /// `run.log` of a study run.
    public var logPath: String?
    /// The log's lines when the run is still writing it (`prospect run` writes the report before its log).
    public var logLines: [String]?
    /// `stack/stack.json` of a study run.
    public var stackPath: String?
    /// The study file, when known.
    public var studyPath: String?
    /// The report's title (the study's name); nil: the map's file name.
    public var title: String?
    /// The command that made the report or the run.
    public var command: String?

    public init(mapPath: String, modelPath: String) {
        self.mapPath = mapPath
        self.modelPath = modelPath
    }

    /// The files of a `prospect run` output folder: prospectivity.tif and model.json (both
    /// required), targets.geojson, validation.json, cv.json, run.log and stack/stack.json when
    /// present; the deposits and their filter from validation.json, the study's name and file
    /// from the first line of run.log.
    /// - Throws: `PipelineError` naming the folder when it lacks the map or the model.
    public static func runFolder(_ folder: String) throws -> ReportInputs {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError(folder, "is not a folder; give a prospect run output folder, or --map and --model")
        }
        let dir = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        func path(_ name: String) -> String? { fm.fileExists(atPath: dir + "/" + name) ? dir + "/" + name : nil }
        for required in ["prospectivity.tif", "model.json"] where path(required) == nil {
            throw PipelineError(folder, "holds no \(required): not a prospect run output folder (or give --map and --model)")
        }
        var inputs = ReportInputs(mapPath: dir + "/prospectivity.tif", modelPath: dir + "/model.json")
        inputs.targetsPath = path("targets.geojson")
        inputs.validationPath = path("validation.json")
        inputs.cvPath = path("cv.json")
        inputs.logPath = path("run.log")
        inputs.stackPath = path("stack/stack.json")
        if let v = inputs.validationPath, let json = ReportJSON.load(v) {
            if let d = json["deposits"].string { inputs.deposits = VectorSource(argument: d) }
            inputs.depositSelection.filter = json["depositsWhere"].string
        }
        if let log = inputs.logPath, let text = try? String(contentsOfFile: log, encoding: .utf8),
            let first = text.split(separator: "\n").first
        {
            // "[   0.05 s] study NAME (PATH) with prospect 0.1.0"
            let line = String(first)
            if let start = line.range(of: "] study "), let end = line.range(of: " with prospect", options: .backwards),
                start.upperBound < end.lowerBound
            {
                let middle = String(line[start.upperBound..<end.lowerBound])
                if let open = middle.range(of: " (", options: .backwards), middle.hasSuffix(")") {
                    inputs.title = String(middle[..<open.lowerBound])
                    inputs.studyPath = String(middle[open.upperBound...].dropLast())
                }
            }
        }
        return inputs
    }
}

/// A JSON value read loosely: a report shows what a file holds and skips what it lacks.
struct ReportJSON {
    let value: Any?

    static func load(_ path: String) -> ReportJSON? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return nil }
        return ReportJSON(value: object)
    }

    static func parse(_ text: String) -> ReportJSON? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return nil }
        return ReportJSON(value: object)
    }

    subscript(key: String) -> ReportJSON { ReportJSON(value: (value as? [String: Any])?[key]) }
    var array: [ReportJSON] { (value as? [Any])?.map { ReportJSON(value: $0) } ?? [] }
    var object: [String: ReportJSON] { ((value as? [String: Any]) ?? [:]).mapValues { ReportJSON(value: $0) } }
    var isNull: Bool { value == nil || value is NSNull }
    var string: String? {
        if let s = value as? String { return s }
        return nil
    }
    /// JSON true and false: a Swift `Bool`, or an `NSNumber` of Objective-C type "c"/"B".
    private var isBoolean: Bool {
        guard let value else { return false }
        if type(of: value) == Bool.self { return true }
        if let n = value as? NSNumber {
            let t = String(cString: n.objCType)
            return t == "c" || t == "B"
        }
        return false
    }
    var double: Double? {
        if isBoolean { return nil }
        if let n = value as? NSNumber { return n.doubleValue }
        if let s = value as? String { return Double(s) }
        return nil
    }
    var int: Int? { double.map { Int($0) } }
    var bool: Bool? { isBoolean ? (value as? NSNumber)?.boolValue ?? (value as? Bool) : nil }
    /// The value as text for a table: strings as they are, numbers in 4 significant digits, lists joined.
    var text: String {
        if let s = string { return s }
        if let b = bool { return b ? "yes" : "no" }
        if let d = double { return ReportFormat.number(d) }
        if let a = value as? [Any] { return a.map { ReportJSON(value: $0).text }.joined(separator: ", ") }
        if isNull { return "–" }
        return "\(value!)"
    }
}

/// Numbers as the report writes them.
enum ReportFormat {
    static func number(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "–" : (v > 0 ? "∞" : "−∞") }
        if v == v.rounded(), abs(v) < 1e9 { return String(format: "%.0f", v) }
        if abs(v) >= 1e-3, abs(v) < 1e6 { return String(format: "%.\(digits)g", v) }
        return String(format: "%.\(max(1, digits - 1))e", v)
    }
    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0) } ?? "–" }
    static func fixed(_ v: Double?, _ d: Int) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "–" }
}
