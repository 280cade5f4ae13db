import Foundation
import Model
import Simulator
import Synchronization

/// The simulator's SplitMix64, seeded per input from (seed, target, index): any input can be
/// regenerated on its own (`--replay INDEX`), so a crash or a failed property names a
/// reproducible case.
struct InputRandom: RandomNumberGenerator {
    private var seed: Seed

    init(seed: UInt64, target: String, index: Int) {
        self.seed = Seed("\(target)/\(index)", String(seed))
    }

    mutating func next() -> UInt64 { seed.next() }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// One fuzz target: how to make input number `index`, and the property every input must keep.
protocol FuzzTarget {
    associatedtype Input
    var name: String { get }
    /// Input `index`; `random` is seeded for that index alone.
    func input(_ index: Int, _ random: inout InputRandom) -> Input
    /// nil when the property holds, else what went wrong.
    func check(_ input: Input) -> String?
    /// The input as bytes, for `--replay` and regression files.
    func bytes(_ input: Input) -> [UInt8]
}

struct TargetResult {
    let name: String
    let inputs: Int
    let seconds: Double
    let slowestMicroseconds: Double
    let slowestIndex: Int
    /// Every input whose property failed (only the first few are kept in `failures`).
    let failureCount: Int
    let failures: [(index: Int, message: String)]
}

/// What the crash handler and the watchdog report: the target and the input in flight.
enum InFlight {
    static let index = Atomic<Int>(-1)
    static let finished = Atomic<Int>(0)
    /// "fuzz: <target> seed <seed>" as a C string, set before a target starts.
    nonisolated(unsafe) static var label: UnsafeMutablePointer<CChar>?

    static func begin(target: String, seed: UInt64) {
        free(label)
        label = strdup("\(target) --seed \(seed)")
    }

    /// Writes "fuzz: CRASH|HANG in <label> at input #N" with async-signal-safe calls only.
    static func report(_ what: StaticString) {
        func put(_ pointer: UnsafePointer<CChar>) { _ = write(2, pointer, strlen(pointer)) }
        put("fuzz: ")
        what.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
        put(" in --target ")
        if let label { put(label) }
        put(" at input --replay ")
        var digits = [CChar](repeating: 0, count: 24)
        var value = max(0, index.load(ordering: .relaxed)), position = 22
        repeat {
            digits[position] = CChar(48 + value % 10)
            value /= 10
            position -= 1
        } while value > 0 && position >= 0
        digits[23] = 10
        digits.withUnsafeBufferPointer { _ = write(2, $0.baseAddress! + position + 1, 23 - position) }
    }
}

/// Installs handlers for the signals a Swift trap or a memory error raises, and a watchdog
/// that stops the run when one input takes longer than `hangSeconds`.
func installCrashReporting(hangSeconds: Int) {
    for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
        _ = Foundation.signal(signal) { _ in
            InFlight.report("CRASH")
            _exit(70)
        }
    }
    Thread.detachNewThread {
        var last = -1, stuck = 0
        while true {
            Thread.sleep(forTimeInterval: 1)
            let now = InFlight.finished.load(ordering: .relaxed)
            stuck = now == last && InFlight.index.load(ordering: .relaxed) >= 0 ? stuck + 1 : 0
            last = now
            if stuck >= hangSeconds {
                InFlight.report("HANG")
                _exit(71)
            }
        }
    }
}

func run<T: FuzzTarget>(_ target: T, count: Int, seed: UInt64, maxFailures: Int = 5) -> TargetResult {
    InFlight.begin(target: target.name, seed: seed)
    let clock = ContinuousClock()
    let started = clock.now
    var slowest = Duration.zero, slowestIndex = 0
    var failures: [(Int, String)] = []
    var ran = 0, failed = 0
    for index in 0..<count {
        InFlight.index.store(index, ordering: .relaxed)
        var random = InputRandom(seed: seed, target: target.name, index: index)
        let input = target.input(index, &random)
        let began = clock.now
        let failure = target.check(input)
        let took = clock.now - began
        if took > slowest { (slowest, slowestIndex) = (took, index) }
        if let failure {
            failed += 1
            if failures.count < maxFailures { failures.append((index, failure)) }
        }
        ran += 1
        InFlight.finished.add(1, ordering: .relaxed)
    }
    InFlight.index.store(-1, ordering: .relaxed)
    let elapsed = clock.now - started
    return TargetResult(
        name: target.name, inputs: ran, seconds: elapsed.seconds,
        slowestMicroseconds: slowest.seconds * 1_000_000, slowestIndex: slowestIndex, failureCount: failed, failures: failures
    )
}
