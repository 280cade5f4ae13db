import Catalog
import Foundation
import Model
import Serve
import Synchronization
import Testing
import TestSupport

/// The "done when" of `serve`, in a real headless Chromium: find a call by agent, open it, hear
/// it (currentTime advances), seek (the server sees a Range request), page on, see the charts,
/// with no console error on the way. Screenshots land in .build/serve-screenshots.
@Suite(.serialized) struct BrowserTests {
    static let screenshots = repositoryRoot.appendingPathComponent(".build/serve-screenshots").path

    @Test(.timeLimit(.minutes(2))) func findHearAndChartACallInChromium() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let target = try #require(try await catalog.record(order: Fixture.long, callIndex: 1))
        #expect(target.verdict == .valid)
        let agent = try #require(target.agentName.split(separator: " ").first.map(String.init))
        let seen = RequestLog()
        try await withServer(location, pageSize: 5, onRequest: { request in seen.add(request) }) { base in
            let browser = try await WebDriver.start()
            do {
                try await drive(browser, base: base, agent: agent, target: target, seen: seen)
                await browser.quit()
            } catch {
                await browser.quit()
                throw error
            }
        }
    }

    /// Progress on stderr, so a hang shows where it is.
    private func step(_ text: String) { FileHandle.standardError.write(Data("browser: \(text)\n".utf8)) }

    private func drive(_ browser: WebDriver, base: String, agent: String, target: CallRecord, seen: RequestLog) async throws {
        step("Page on")
        // Page on: the first page's rows, then the next page's, which differ.
        try await browser.open(base)
        let firstPage = try await browser.run("return [...document.querySelectorAll('a.call')].map(a => a.textContent)") as? [String]
        try await browser.screenshot(to: Self.screenshots + "/search-first-page.png")
        try await browser.click("#next")
        try await browser.wait("the next page", "return location.search.includes('after=')")
        let secondPage = try await browser.run("return [...document.querySelectorAll('a.call')].map(a => a.textContent)") as? [String]
        #expect(firstPage?.count == 5)
        #expect(secondPage?.isEmpty == false)
        #expect(Set(firstPage ?? []).isDisjoint(with: secondPage ?? []))

        step("Find the call")
        // Find the call by its agent, with the search box and the submit button.
        try await browser.open(base)
        try await browser.type("#q", "agent:" + agent)
        try await browser.click("form.search button[type=submit]")
        try await browser.wait("the results", "return location.search.includes('q=agent')")
        let agents = try await browser.run("return [...document.querySelectorAll('table.calls tbody tr td:nth-child(4)')].map(td => td.textContent)") as? [String]
        #expect(agents?.isEmpty == false)
        #expect(agents?.allSatisfy { $0.localizedCaseInsensitiveContains(agent) } == true)
        try await browser.screenshot(to: Self.screenshots + "/search.png")

        step("Open it and hear")
        // Open it and hear it: Play, then the clock moves.
        let link = "/calls/\(target.orderID)/\(target.callIndex)"
        try await browser.click("a.call[href='\(link)']")
        try await browser.wait("the call page", "return location.pathname === '\(link)'")
        try await browser.wait("the Play button", "return !document.getElementById('play').hidden")
        try await browser.click("#play")
        try await browser.wait("playback", seconds: 20, "return document.getElementById('player').currentTime > 0.5")

        step("Seek far ahead")
        // Seek far ahead: the browser must ask for a later byte range, and play from there.
        try await browser.run("const a = document.getElementById('player'); a.currentTime = a.duration * 0.6")
        try await browser.wait("the seek", seconds: 20, "const a = document.getElementById('player'); return a.currentTime > a.duration * 0.55")
        let audio: [ServedRequest] = seen.all.filter { $0.path == link + ".mp3" }
        let ranges: [String] = audio.compactMap { $0.range }
        #expect(ranges.contains { $0.hasPrefix("bytes=") && !$0.hasPrefix("bytes=0-") }, "Range requests seen: \(ranges)")
        #expect(audio.contains { $0.status == 206 })
        try await browser.screenshot(to: Self.screenshots + "/call.png")

        step("The charts")
        // The charts.
        try await browser.setWindow(width: 1100, height: 1500)
        try await browser.open(base + "stats")
        for id in ["chart-days", "chart-mix", "chart-stores", "chart-agents"] {
            let shapes = try await browser.run("return document.querySelectorAll('#\(id) svg rect').length") as? Int
            #expect((shapes ?? 0) > 0, "\(id)")
        }
        try await browser.screenshot(to: Self.screenshots + "/stats.png")

        step("360 px wide")
        // 360 px wide: nothing wider than the screen but the scrollable table.
        try await browser.setWindow(width: 360, height: 800)
        try await browser.open(base)
        let width = try await browser.run("return document.documentElement.scrollWidth") as? Int
        #expect((width ?? 9_999) <= 360)
        try await browser.screenshot(to: Self.screenshots + "/search-360.png")

        let errors = try await browser.consoleMessages().filter { $0.hasPrefix("SEVERE") || $0.hasPrefix("ERROR") }
        #expect(errors.isEmpty, "console errors: \(errors)")
    }
}

/// The requests a server answered, in order.
final class RequestLog: Sendable {
    private let entries = Mutex<[ServedRequest]>([])
    func add(_ request: ServedRequest) { entries.withLock { $0.append(request) } }
    var all: [ServedRequest] { entries.withLock { $0 } }
}
