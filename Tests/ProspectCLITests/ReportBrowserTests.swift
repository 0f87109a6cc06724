import Foundation
import ProspectGDAL
import ProspectTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's Chromium, headless, on the demo study's report. Skipped, saying so, when `chromium`
/// is not on PATH (scripts/test-deps.sh installs it; CI runs that).
enum Chromium {
    static let path: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/chromium"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    /// A profile whose content settings block JavaScript, as a reader who turned it off has it
    /// (`--blink-settings=scriptEnabled=false` also stops the headless browser's own DOM dump).
    static func profileWithoutJavaScript(_ folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/Default", withIntermediateDirectories: true)
        try #"{"profile":{"default_content_setting_values":{"javascript":2}}}"#.write(
            toFile: folder + "/Default/Preferences", atomically: true, encoding: .utf8)
        return folder
    }

    static func skipped(_ test: String) -> Bool {
        guard path == nil else { return false }
        print("ReportBrowserTests.\(test): skipped: chromium is not on PATH (apt-get install chromium, or scripts/test-deps.sh)")
        return true
    }

    /// Runs Chromium headless with its background services off and its own profile.
    static func run(_ arguments: [String], profile: String, timeout: TimeInterval = 90) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile)", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-domain-reliability", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000",
            ] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A TCP listener on 127.0.0.1 that records the first line of every connection made to it:
/// Chromium's proxy, so any request the page makes lands here.
final class RecordingListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var lines: [String] = []

    init() throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, length) } }
        guard bound == 0, listen(sock, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        fd = sock
        Thread.detachNewThread { [weak self] in
            while true {
                let client = accept(sock, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 512)
                let n = read(client, &buffer, 512)
                close(client)
                let line = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
                guard let self else { return }
                self.lock.lock()
                self.lines.append(line)
                self.lock.unlock()
            }
        }
    }

    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

@Suite(.serialized) struct ReportBrowserTests {
    /// Chromium's own services (time, updates, accounts), which it may call whatever the page.
    static func isChromiumService(_ line: String) -> Bool {
        ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"].contains { line.contains($0) }
    }

    @Test func screenshotIsNotBlank() throws {
        guard !Chromium.skipped("screenshotIsNotBlank") else { return }
        let (out, _) = try DemoRun.report()
        try withTemporaryDirectory { dir in
            let shot = dir + "/shot.png"
            _ = try Chromium.run(
                ["--screenshot=\(shot)", "--window-size=1280,2000", "file://\(out)/report.html"], profile: dir + "/profile")
            let png = try RasterDataset.open(shot)
            #expect(png.grid.columns == 1280 && png.grid.rows == 2000)
            let bands = try (1...3).map { try readRaster(shot, band: $0) }
            var colours = Set<UInt32>()
            for i in bands[0].indices { colours.insert(UInt32(bands[0][i]) << 16 | UInt32(bands[1][i]) << 8 | UInt32(bands[2][i])) }
            #expect(colours.count > 1000, "\(colours.count) colours: the map, its overlays and the text")
        }
    }

    @Test func everyFigureIsInTheDOMAndNoRequestLeaves() throws {
        guard !Chromium.skipped("everyFigureIsInTheDOMAndNoRequestLeaves") else { return }
        let (out, html) = try DemoRun.report()
        let listener = try RecordingListener()
        try withTemporaryDirectory { dir in
            let proxy = ["--proxy-server=127.0.0.1:\(listener.port)", "--proxy-bypass-list=<-loopback>"]
            // The control: a page on the web does reach the listener.
            _ = try Chromium.run(proxy + ["--dump-dom", "http://report-test.invalid/"], profile: dir + "/control", timeout: 30)
            #expect(listener.requests.contains { $0.contains("report-test.invalid") }, "the proxy sees requests: \(listener.requests)")
            let before = listener.requests.count
            let r = try Chromium.run(proxy + ["--dump-dom", "file://\(out)/report.html"], profile: dir + "/profile")
            let dom = r.stdout
            let fromReport = listener.requests.dropFirst(before).filter { !Self.isChromiumService($0) }
            #expect(fromReport.isEmpty, "requests made while the report was open: \(fromReport)")
            // After the scripts ran: Leaflet built the map, with the image, targets and deposits.
            #expect(dom.contains("<html lang=\"en\" class=\"js\">"))
            #expect(dom.contains("id=\"map\"") && dom.contains("class=\"leaflet-container"))
            #expect(dom.contains("class=\"leaflet-image-layer"))
            let targets = html.components(separatedBy: "\"rank\":").count - 1
            let deposits =
                try #require(html.components(separatedBy: "id=\"deposits-data\">").dropFirst().first)
                .components(separatedBy: "</script>")[0].components(separatedBy: "\"Point\"").count - 1
            #expect(dom.components(separatedBy: "class=\"leaflet-interactive\"").count - 1 == targets + deposits)
            #expect(dom.components(separatedBy: "rank-label").count - 1 >= targets)
            for id in ["chart-roc", "chart-rates", "chart-pa", "colorbar-title"] { #expect(dom.contains("id=\"\(id)\""), "\(id)") }
        }
    }

    @Test func withoutJavaScriptTheStaticMapAndTablesShow() throws {
        guard !Chromium.skipped("withoutJavaScriptTheStaticMapAndTablesShow") else { return }
        let (out, _) = try DemoRun.report()
        try withTemporaryDirectory { dir in
            let r = try Chromium.run(
                ["--dump-dom", "file://\(out)/report.html"], profile: Chromium.profileWithoutJavaScript(dir + "/profile"))
            let dom = r.stdout
            #expect(dom.contains("<html lang=\"en\" class=\"no-js\">"))
            #expect(dom.contains("<img id=\"staticmap\" src=\"data:image/png;base64,"))
            #expect(!dom.contains("class=\"leaflet-container"))
            for id in ["targets-table", "capture-table", "folds-table", "weights-table"] { #expect(dom.contains("id=\"\(id)\""), "\(id)") }
            let shot = dir + "/shot.png"
            _ = try Chromium.run(
                ["--screenshot=\(shot)", "--window-size=1280,1600", "file://\(out)/report.html"],
                profile: Chromium.profileWithoutJavaScript(dir + "/profile2"))
            let red = try readRaster(shot, band: 1)
            let green = try readRaster(shot, band: 2)
            // The static map's viridis purple (0x44, 0x01, 0x54) is on screen.
            #expect(zip(red, green).contains { abs($0.0 - 0x44) < 12 && $0.1 < 24 })
        }
    }
}
