import AsyncHTTPClient
import Model
import Telephony
import Transport

/// One order's calls from the API, with docs/contract.md §1 retries, for `info` and `import`.
public enum MetadataLookup {
    public static func calls(for order: OrderID, api configuration: APIConfiguration, retry: RetryPolicy) async throws -> [CallInfo] {
        try await APIClient.withClients(configuration) { clients in
            let api = try APIClient(configuration: configuration, clients: clients)
            return try await Retrier(policy: retry).run(host: api.origin.description) { _ in
                try await api.calls(for: order)
            }
        }
    }
}
