import Foundation
import Simulator
import Testing

@Suite struct FaultKindTests {
    /// `--fault ID=KIND` names are kebab-case (or a status code), and README's simulator
    /// paragraph lists every one.
    @Test func everyKindIsKebabCaseAndInTheReadme() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let paragraph = try #require(readme.components(separatedBy: "### The simulator").dropFirst().first?.components(separatedBy: "\n## ").first)
        for kind in FaultKind.allCases {
            #expect(kind.rawValue.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil, "\(kind.rawValue)")
            #expect(paragraph.contains("`\(kind.rawValue)`"), "README does not list \(kind.rawValue)")
            #expect(FaultRule(kind.rawValue)?.kind == kind)
        }
    }
}
