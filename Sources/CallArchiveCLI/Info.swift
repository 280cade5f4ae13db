import Archive
import ArgumentParser
import Model

extension CallArchive {
    /// `info ORDER_ID`: the API's metadata, the seed's "Call Information" block; downloads nothing.
    struct Info: Subcommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show an order's call metadata from the API; downloads nothing.")

        @Argument(help: "The order id.")
        var orderID: String

        @Flag(help: "Print each call object as the API sent it, one a line (JSON Lines); an envelope such as {\"data\": …} is taken off.")
        var json = false

        @OptionGroup var network: NetworkOptions
        @OptionGroup var display: ZoneArguments

        func validate() throws {
            guard OrderID.isValid(orderID) else { throw ValidationError(ModelError.invalidOrderID(orderID).description) }
        }

        func execute() async throws {
            let order = try OrderID(orderID)
            let calls = try await MetadataLookup.calls(for: order, api: network.api, retry: network.retry)
            for (index, call) in calls.enumerated() {
                if json {
                    Console.out(call.rawJSON + "\n")
                    continue
                }
                Console.out(FetchRenderer.callInformation(order: order, call: call, index: index, count: calls.count, zone: display.zone))
                if index < calls.count - 1 { Console.out("\n") }
            }
        }
    }
}
