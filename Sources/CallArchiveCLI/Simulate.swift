import ArgumentParser
import Foundation
import Simulator

extension CallArchive {
    /// `simulate`: the stand-in telephony API on loopback.
    struct Simulate: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
            abstract: "Run a stand-in telephony API on loopback that serves real MP3s.",
            discussion: """
                GET /calls/ORDER_ID gives metadata for any valid id, GET /orders lists --calls sample ids.
                Faults for tests and demos: --faults RATE gives that share of orders a random fault;
                --fault ID=KIND[:TIMES] sets one (KIND: \(FaultKind.allCases.map(\.rawValue).joined(separator: ", "))).
                """
        )

        @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
        var port: Int = 8089

        @Option(help: "Address to listen on (keep it on loopback).")
        var host: String = "127.0.0.1"

        @Option(help: "Sample order ids listed at /orders.")
        var calls: Int = 100

        @Option(help: "Share of orders (0 to 1) that get a random fault.")
        var faults: Double = 0

        @Option(name: .customLong("fault"), help: ArgumentHelp("A fault for one order: ID=KIND[:TIMES].", valueName: "rule"))
        var rules: [String] = []

        @Option(help: "Milliseconds between the chunks of slow recordings.")
        var slowDelay: Int = 20

        func validate() throws {
            try FlagRange.check(port, 0...65535, "--port")
            try FlagRange.check(faults, 0...1, "--faults", unit: "(a share of orders)")
            try FlagRange.check(calls, 0...1_000_000, "--calls")
            try FlagRange.check(slowDelay, 0...60_000, "--slow-delay", unit: "milliseconds")
            _ = try parsedRules()
        }

        func parsedRules() throws -> [String: FaultRule] {
            var parsed: [String: FaultRule] = [:]
            for text in rules {
                let parts = text.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let rule = FaultRule(String(parts[1])) else {
                    throw ValidationError("--fault '\(text)': use ID=KIND[:TIMES], KIND one of \(FaultKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                parsed[String(parts[0])] = rule
            }
            return parsed
        }

        func execute() async throws {
            let simulator = Simulator(options: SimulatorOptions(
                host: host, port: port, orders: calls, faultRate: faults, rules: try parsedRules(),
                slowChunkDelay: .milliseconds(slowDelay)
            ))
            let host = self.host
            do {
                try await simulator.run { port in
                    Console.err("Simulator listening on http://\(host):\(port)/calls (sample ids: http://\(host):\(port)/orders); Ctrl-C stops it.\n")
                }
            } catch {
                throw Failure("simulator: \(error)", code: 1)
            }
        }
    }
}
