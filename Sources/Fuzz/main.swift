import Foundation

// Fuzz [--count N] [--seed S] [--target NAME]… [--replay INDEX] [--hang SECONDS] [--json]
//
// Property-based fuzzing of the parsers that read untrusted input: the API body decoder
// (json), the query language (query), the MPEG frame header parser (header) and the
// container parse (container). Inputs are generated per index from the seed, so any failure
// or crash names an input that `--replay INDEX` writes out again. Exit 0 when every property
// held, 1 when one failed; a crash exits 70 and a hang 71, naming the input. Not shipped:
// `make reliability` runs it with a million inputs per target, `make test` with fewer.

var count = 100_000
var seed: UInt64 = 20_261_126
var names: [String] = []
var replay: Int?
var hangSeconds = 10
var json = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--count": count = arguments.next().flatMap(Int.init) ?? count
    case "--seed": seed = arguments.next().flatMap { UInt64($0) } ?? seed
    case "--target": names += arguments.next().map { [$0] } ?? []
    case "--replay": replay = arguments.next().flatMap(Int.init)
    case "--hang": hangSeconds = arguments.next().flatMap(Int.init) ?? hangSeconds
    case "--json": json = true
    default:
        FileHandle.standardError.write(Data("usage: Fuzz [--count N] [--seed S] [--target json|query|header|container]… [--replay INDEX] [--json]\n".utf8))
        exit(64)
    }
}

let all = ["json", "query", "header", "container"]
if names.isEmpty { names = all }
installCrashReporting(hangSeconds: hangSeconds)

@MainActor func start<T: FuzzTarget>(_ target: T, count: Int = count) -> TargetResult? {
    if let replay {
        var random = InputRandom(seed: seed, target: target.name, index: replay)
        FileHandle.standardOutput.write(Data(target.bytes(target.input(replay, &random))))
        return nil
    }
    return run(target, count: count, seed: seed)
}

var results: [TargetResult] = []
var intact = true
for name in names {
    let result: TargetResult?
    switch name {
    case "json": result = start(JSONTarget())
    case "query":
        let target = try QueryTarget()
        result = start(target)
        intact = intact && target.rowsIntact()
    case "header": result = start(FrameHeaderTarget(), count: FrameHeaderTarget.synced + count)
    case "container": result = start(ContainerTarget())
    default:
        FileHandle.standardError.write(Data("Fuzz: unknown target \(name); targets are \(all.joined(separator: ", "))\n".utf8))
        exit(64)
    }
    if let result { results.append(result) }
}
if replay != nil { exit(0) }

for result in results {
    if json {
        let line = #"{"target":"\#(result.name)","inputs":\#(result.inputs),"seconds":\#(String(format: "%.2f", result.seconds)),"#
            + #""slowest_us":\#(Int(result.slowestMicroseconds)),"slowest_input":\#(result.slowestIndex),"failures":\#(result.failureCount),"seed":\#(seed)}"#
        print(line)
    } else {
        print(String(
            format: "%-10@ %9d inputs  %7.2f s  slowest %8.0f µs (input %d)  %d failures",
            result.name, result.inputs, result.seconds, result.slowestMicroseconds, result.slowestIndex, result.failureCount
        ))
    }
    for failure in result.failures {
        FileHandle.standardError.write(Data("Fuzz: \(result.name) input \(failure.index) (--replay \(failure.index) --seed \(seed)): \(failure.message)\n".utf8))
    }
}
if !intact { FileHandle.standardError.write(Data("Fuzz: a query changed the catalog's rows\n".utf8)) }
exit(results.allSatisfy { $0.failures.isEmpty } && intact ? 0 : 1)
