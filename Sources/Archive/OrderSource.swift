import Model

/// Where `sync` learns which orders exist. The telephony API has no "list calls since"
/// endpoint (only `GET /calls/{order_id}`), so today the one source is an ordering system's
/// CSV export; a list endpoint, should one appear, is another `OrderSource` and `sync` keeps
/// its flags.
public protocol OrderSource: Sendable {
    /// The source in messages: a file name, `stdin`.
    var name: String { get }
    /// The order ids it lists, each once, in its order; ids it cannot read are problems, not errors.
    func orders() async throws -> OrderList
}

/// What a source listed: the valid ids, and a line for each entry that was skipped.
public struct OrderList: Sendable, Equatable {
    public var orders: [OrderID] = []
    /// `orders.csv:14: invalid order id "12 34"; skipped`.
    public var problems: [String] = []

    public init(orders: [OrderID] = [], problems: [String] = []) {
        self.orders = orders
        self.problems = problems
    }
}
