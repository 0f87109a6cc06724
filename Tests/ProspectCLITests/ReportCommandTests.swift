import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// The demo study run once (with its cross-validation) for every report test; its folder lives
/// as long as the test process.
enum DemoRun {
    static let folder = try! TemporaryFolder(prefix: "prospect-report-tests")
    static let result: Result<String, any Error> = Result {
        let out = folder.path + "/study"
        let r = try CLI.run(["run", CLI.demoData + "/demo.yaml", "--out", out, "--created", "2024-01-01"])
        guard r.status == 0 else { throw CLIFailure(message: r.stderr) }
        return out
    }
    struct CLIFailure: Error { var message: String }

    /// The run's folder and its report's text.
    static func report() throws -> (folder: String, html: String) {
        let out = try result.get()
        return (out, try String(contentsOfFile: out + "/report.html", encoding: .utf8))
    }
}

@Suite struct ReportCommandTests {
    @Test func runWritesOneSelfContainedReport() throws {
        let (out, html) = try DemoRun.report()
        let log = try String(contentsOfFile: out + "/run.log", encoding: .utf8)
        #expect(log.contains("→ report.html"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(
            html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
            ))
        // Nothing is loaded from a URL: every src and href of the page (outside its scripts, which
        // are Leaflet's and the data) is a data: URI or a fragment.
        let markup = html.components(separatedBy: "<script").map { $0.components(separatedBy: "</script>").last! }.joined()
        for attribute in ["src=\"", "href=\""] {
            for piece in markup.components(separatedBy: attribute).dropFirst() {
                #expect(piece.hasPrefix("data:") || piece.hasPrefix("#"), "\(attribute)\(piece.prefix(60))")
            }
        }
        #expect(!html.contains("<link") && !html.contains("@import"))
        for id in ["summary", "map-section", "targets", "validation", "model", "provenance"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        // Every chart is accessible and followed by its data as a table.
        let charts = html.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"").count - 1
        #expect(charts == 9, "ROC, rates, P-A, six contrast charts")
        #expect(html.components(separatedBy: "<details class=\"chart-data\">").count - 1 == charts)
        #expect(html.components(separatedBy: "role=\"img\"").count - 1 >= charts)
        for id in ["chart-roc", "chart-rates", "chart-pa"] { #expect(html.contains("id=\"\(id)\"")) }
        // Fit and prediction told apart.
        #expect(html.contains("ROC AUC, fit on the training deposits"))
        #expect(html.contains("ROC AUC, prediction by cross-validation"))
        #expect(html.contains("id=\"folds-table\"") && html.contains("held-out deposits (prediction)"))
        // The targets, the static map, the model's weights and the provenance.
        let features = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/targets.geojson"))) as? [String: Any])
        let targets = try #require(features["features"] as? [Any])
        let table = try #require(html.components(separatedBy: "id=\"targets-table\"").dropFirst().first)
        #expect(table.components(separatedBy: "</table>")[0].components(separatedBy: "<tr>").count - 2 == targets.count)
        #expect(html.contains("<img id=\"staticmap\" src=\"data:image/png;base64,"))
        #expect(html.contains("id=\"weights-table\"") && html.contains("Conditional independence"))
        #expect(html.contains("GDAL \(GDAL.version)") && html.contains("EPSG:32645 — WGS 84 / UTM zone 45N"))
    }

    @Test func looseFilesAndEscaping() throws {
        let (out, _) = try DemoRun.report()
        try withTemporaryDirectory { dir in
            // A targets file whose names carry markup: it must reach the page as text.
            var text = try String(contentsOfFile: out + "/targets.geojson", encoding: .utf8)
            text = text.replacingOccurrences(of: "\"T001\"", with: "\"<script>alert(1)</script>\"")
            try text.write(toFile: dir + "/targets.geojson", atomically: true, encoding: .utf8)
            let r = try CLI.run([
                "report", "--map", out + "/prospectivity.tif", "--model", out + "/model.json", "--targets", dir + "/targets.geojson",
                "--validation", out + "/validation.json", "--out", dir + "/r.html",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
            #expect(!html.contains("<script>alert(1)"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("\\u003cscript>alert(1)\\u003c/script>"), "the embedded JSON cannot close its script")
            #expect(!html.contains("id=\"folds-table\""), "no cv.json given: no folds")
        }
    }

    @Test(arguments: [
        (["report", "nowhere", "--out", "r.html"], "nowhere: is not a folder"),
        (["report", ".", "--out", "r.html"], "holds no prospectivity.tif"),
        (["report", "--map", "m.tif", "--out", "r.html"], "give a run output folder, or both --map and --model"),
    ])
    func refusals(arguments: [String], message: String) throws {
        try withTemporaryDirectory { dir in
            let r = try CLI.run(arguments, in: dir)
            #expect(r.status != 0)
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(CLI.files(in: dir).isEmpty)
        }
    }

    @Test func reportNeedsHTMLNameAndLeaflet() throws {
        let (out, _) = try DemoRun.report()
        try withTemporaryDirectory { dir in
            let bad = try CLI.run(["report", out, "--out", dir + "/r.pdf"])
            #expect(bad.status == 1 && bad.stderr.contains("--out writes an HTML page; give a name ending in .html or .htm"))
            let missing = try CLI.run(["report", out, "--out", dir + "/r.html"], environment: ["PROSPECT_LEAFLET_DIR": dir + "/none"])
            #expect(missing.status == 1)
            #expect(missing.stderr.split(separator: "\n").count == 1)
            #expect(missing.stderr.contains("\(dir)/none/leaflet.js: Leaflet is needed for the report's map and was not found"))
            #expect(CLI.files(in: dir).isEmpty)
        }
    }
}
