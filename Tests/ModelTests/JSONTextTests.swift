import Foundation
import Model
import Testing

/// `JSONText.quoted` writes a JSON string literal that an independent parser reads back as the
/// same text, escaping exactly what JSON requires (RFC 8259 §7).
@Suite struct JSONTextTests {
    @Test(arguments: [
        "", "plain", "quote \" and backslash \\", "line\nfeed\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "Crème Brûlée Café",
        "東京 ピザ", "emoji 🍕 and e\u{301}", "</script><b>x</b>", "{\"nested\": \"json\\n\"}", "=HYPERLINK(\"x\")",
    ])
    func readsBackAsTheSameText(_ text: String) throws {
        let literal = JSONText.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed == [text], "\(literal)")
        #expect(literal.first == "\"" && literal.last == "\"")
    }

    @Test func escapesControlCharactersAsJSONRequires() {
        #expect(JSONText.quoted("a\u{1}b\u{1F}\"\\\n") == #""a\u0001b\u001f\"\\\n""#)
        #expect(JSONText.quoted("ü\u{7F}") == "\"ü\u{7F}\"")
    }
}
