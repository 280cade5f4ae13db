/// Runs `body` over `items`, at most `width` at once, and hands each result to `collect` in
/// the order they finish, on the calling task. When `collect` or a `body` throws, the items
/// not yet started never start and those running are cancelled.
func concurrentForEach<Item: Sendable, Result: Sendable>(
    _ items: [Item], width: Int, _ body: @escaping @Sendable (Item) async throws -> Result,
    collect: (Result) throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Result.self) { group in
        var next = items.makeIterator()
        for _ in 0..<max(1, width) {
            guard let item = next.next() else { break }
            group.addTask { try await body(item) }
        }
        while let result = try await group.next() {
            try collect(result)
            if let item = next.next() { group.addTask { try await body(item) } }
        }
    }
}
