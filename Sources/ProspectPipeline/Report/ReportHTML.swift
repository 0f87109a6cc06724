import Foundation
import ProspectCore

/// Builds HTML text; every string from a file goes through `text` (escaped).
struct HTMLWriter {
    var out = ""

    mutating func raw(_ s: String) { out += s }
    mutating func text(_ s: String) { out += Markup.escape(s) }
    /// `<tag>escaped text</tag>`.
    mutating func element(_ tag: String, _ s: String, attributes: String = "") {
        out += "<\(tag)\(attributes.isEmpty ? "" : " " + attributes)>\(Markup.escape(s))</\(tag)>\n"
    }

    /// A table: a caption, a header row, and rows of escaped cells (numbers right-aligned).
    mutating func table(caption: String? = nil, header: [String], rows: [[String]], id: String? = nil) {
        out += "<div class=\"table-wrap\"><table\(id.map { " id=\"\(Markup.escape($0))\"" } ?? "")>"
        if let caption { out += "<caption>\(Markup.escape(caption))</caption>" }
        out += "<thead><tr>" + header.map { "<th scope=\"col\">\(Markup.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>"
            for cell in row {
                let numeric = Double(cell.replacingOccurrences(of: " %", with: "")) != nil
                out += numeric ? "<td class=\"num\">\(Markup.escape(cell))</td>" : "<td>\(Markup.escape(cell))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
    }

    /// A chart with its caption and its data as a table in a `<details>` beneath (the table
    /// equivalent for readers who cannot see the chart).
    mutating func chart(_ svg: String, caption: String, header: [String], rows: [[String]]) {
        out += "<figure class=\"chart-figure\">\n\(svg)\n<figcaption>\(Markup.escape(caption))</figcaption>\n"
        out += "<details class=\"chart-data\"><summary>The chart's data as a table</summary>\n"
        table(header: header, rows: rows)
        out += "</details></figure>\n"
    }

    /// A list of label–value pairs.
    mutating func facts(_ pairs: [(String, String)]) {
        out += "<dl class=\"facts\">"
        for (k, v) in pairs { out += "<dt>\(Markup.escape(k))</dt><dd>\(Markup.escape(v))</dd>" }
        out += "</dl>\n"
    }
}

/// An id safe in HTML and SVG from any text (a layer's name).
func htmlID(_ prefix: String, _ text: String, _ index: Int) -> String {
    let cleaned = String(text.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-" })
    return "\(prefix)-\(index)-\(cleaned.prefix(32))"
}

/// The report's style sheet: readable on screen, and on paper (the static map instead of the
/// interactive one, every table's data open, no page break inside a figure).
let reportStyleSheet = """
    :root { color-scheme: light; }
    body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 1.2em 3em; color: #1a1a1a; line-height: 1.45; }
    h1 { font-size: 1.7em; margin: 0.8em 0 0.2em; }
    h2 { font-size: 1.35em; border-bottom: 2px solid #3b528b; padding-bottom: 0.15em; margin-top: 1.8em; }
    h3 { font-size: 1.1em; margin-top: 1.4em; }
    nav ul { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; padding: 0; list-style: none; }
    .subtitle { color: #555; margin-top: 0; }
    .table-wrap { overflow-x: auto; margin: 0.6em 0 1em; }
    table { border-collapse: collapse; font-size: 0.88em; }
    caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
    th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
    th { background: #eef1f7; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
    dl.facts dt { font-weight: bold; }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    .kind { display: inline-block; font-size: 0.8em; font-weight: bold; padding: 0.05em 0.5em; border-radius: 0.8em; }
    .fit { background: #fde7c8; color: #6b3d00; }
    .prediction { background: #d4f0dc; color: #0c4d22; }
    .warning { background: #fff4ce; border-left: 4px solid #c08b00; padding: 0.4em 0.8em; margin: 0.3em 0; }
    figure { margin: 1em 0; }
    .charts { display: flex; flex-wrap: wrap; gap: 0 1.5em; }
    .charts figure { flex: 0 1 520px; }
    figure.chart-figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
    figcaption { font-size: 0.9em; color: #333; }
    #map { height: 640px; border: 1px solid #999; background: #fff; }
    #staticmap { max-width: 100%; height: auto; border: 1px solid #999; }
    .js #staticmap { display: none; }
    .no-js #map { display: none; }
    .colorbar { margin-top: 0.4em; }
    .leaflet-popup-content table { font-size: 0.85em; }
    .leaflet-container .rank-label { background: transparent; border: 0; box-shadow: none; color: #fff; font-weight: bold; text-shadow: 0 0 3px #000, 0 0 3px #000; }
    pre { white-space: pre-wrap; font-size: 0.82em; background: #f6f6f6; padding: 0.6em; }
    @media print {
      body { max-width: none; }
      nav { display: none; }
      #map { display: none !important; }
      #staticmap { display: block !important; page-break-inside: avoid; }
      figure, .table-wrap, svg { page-break-inside: avoid; }
      details > summary { display: none; }
      h2 { page-break-after: avoid; }
    }
    """
