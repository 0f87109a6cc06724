/// User text quoted back in a message (a layer name, an expression, a transform), cut to a
/// readable length: a message stays one line even when the text given was 500 KB.
public enum Echo {
    /// The most characters of user text a message quotes.
    public static let limit = 80

    /// `text` when it has at most `limit` characters; else its first `limit` characters, "…"
    /// and how long it was: `yyyyyyy… (100000 characters)`.
    public static func short(_ text: some StringProtocol, limit: Int = limit) -> String {
        var count = 0
        var end = text.startIndex
        while end < text.endIndex, count < limit {
            end = text.index(after: end)
            count += 1
        }
        guard end < text.endIndex else { return String(text) }
        return String(text[..<end]) + "… (\(text.count) characters)"
    }
}
