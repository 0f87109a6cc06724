import Foundation
import ProspectCore
import ProspectGDAL

/// What writing a report produced.
public struct ReportSummary: Sendable {
    public var path: String
    public var bytes: Int
    public var seconds: Double
    /// The sections written, by id.
    public var sections: [String]
    public var charts: Int
}

/// A self-contained HTML report of a map and its model: the map (pan and zoom with Leaflet,
/// inlined, on the map's own plane; the static quicklook without JavaScript and on paper), the
/// targets, the validation (fit and prediction told apart), the model, and the provenance.
///
/// Nothing is loaded from outside the file: images are data: URIs, Leaflet's script and style
/// are inlined (`LeafletAssets`), the data are embedded as JSON, and a Content-Security-Policy
/// forbids any other load. Charts are inline SVG (`SVGChart`), each with a table of its data.
public enum Report {
    /// The policy every report carries: nothing but what the file holds.
    public static let contentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

    /// Builds the report and writes it to `path` atomically.
    /// - Throws: `PipelineError`/`GDALError` naming the file at fault.
    public static func write(_ inputs: ReportInputs, to path: String, leaflet: LeafletAssets) throws -> ReportSummary {
        let started = Date()
        let (html, sections, charts) = try build(inputs, leaflet: leaflet)
        try Reports.writeText(html, to: path)
        return ReportSummary(
            path: path, bytes: html.utf8.count, seconds: Date().timeIntervalSince(started), sections: sections, charts: charts)
    }

    /// The report as HTML text, the ids of its sections and the number of charts.
    public static func build(_ inputs: ReportInputs, leaflet: LeafletAssets) throws -> (html: String, sections: [String], charts: Int) {
        guard let model = ReportJSON.load(inputs.modelPath), model["format"].string == "prospect-model" else {
            throw PipelineError(inputs.modelPath, "is not a Prospect model file (JSON with format prospect-model)")
        }
        let validation = try inputs.validationPath.map { p in
            try ReportJSON.load(p) ?? { throw PipelineError(p, "could not be read as JSON") }()
        }
        let cv = try inputs.cvPath.map { p in try ReportJSON.load(p) ?? { throw PipelineError(p, "could not be read as JSON") }() }
        let logLines: [String] =
            inputs.logLines
            ?? (inputs.logPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.split(separator: "\n").map(String.init) ?? [])

        // The map, as a quicklook: log-stretched when its values span more than two orders of
        // magnitude above 0 (the legend says so).
        let dataset = try RasterDataset.open(inputs.mapPath)
        let grid = dataset.grid
        let metadata = dataset.metadata()
        let stats = try dataset.statistics(approximate: true)
        try dataset.close()
        var request = QuicklookRequest(mapPath: inputs.mapPath)
        request.width = 1000
        request.targets = inputs.targetsPath.map { VectorSource(path: $0) }
        request.deposits = inputs.deposits
        request.depositsCRS = inputs.depositsCRS
        request.depositSelection = inputs.depositSelection
        if let stats, stats.min > 0, stats.max / stats.min >= 100 { request.stretch = .log }
        let quicklook = try Quicklook.render(request)
        let figurePNG = try GDALAlgorithms.pngData(quicklook.figure)
        let mapPNG = try GDALAlgorithms.pngData(quicklook.map)
        let targets = quicklook.targetsGeoJSON.flatMap(ReportJSON.parse)

        var page = ReportPage(
            inputs: inputs, model: model, validation: validation, cv: cv, log: logLines, metadata: metadata, grid: grid,
            quicklook: quicklook, targets: targets)
        let body = page.body(figurePNG: figurePNG, mapPNG: mapPNG)
        let title = "Prospectivity report — " + (inputs.title ?? (inputs.mapPath as NSString).lastPathComponent)
        var html = """
            <!DOCTYPE html>
            <html lang="en" class="no-js">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="\(Markup.escape(ProspectVersion.tool))">
            <title>\(Markup.escape(title))</title>
            <style>
            \(leaflet.styleSheet)
            </style>
            <style>
            \(reportStyleSheet)
            </style>
            </head>
            <body>

            """
        html += "<h1>\(Markup.escape(title))</h1>\n"
        html += body
        html += "<script>\n\(leaflet.script)\n</script>\n"
        html += "<script>\n\(ReportPage.mapScript)\n</script>\n"
        html += "</body>\n</html>\n"
        return (html, page.sections, page.charts)
    }
}
