import Model

/// Deterministic, realistic call metadata for any order id: the same id always gets the same
/// store, agent, times and recording length.
public enum CallGenerator {
    /// One simulated call with the recording length the simulator will serve.
    public struct Call: Sendable {
        public let storeName: String
        public let agentName: String
        public let status: String
        public let callIn: Timestamp
        public let callOut: Timestamp
        /// How much of the call was recorded (usually nearly all; sometimes much less).
        public let recordingSeconds: Double

        public var callSeconds: Double { callOut.secondsSince(callIn) }
    }

    static let brands = ["Jet's", "Hungry Howie's", "Marco's", "Buddy's", "Papa Romano's", "Cottage Inn", "Happy's", "Donatos"]
    static let states = [("MI", "313"), ("MI", "248"), ("OH", "614"), ("IN", "317"), ("IL", "312"), ("TX", "214"), ("FL", "407"), ("GA", "404")]
    static let streets = ["E Seven Mile", "W Grand River", "Woodward Ave", "Gratiot Ave", "Main St", "N Telegraph Rd", "Michigan Ave", "Ford Rd", "Maple Rd", "Dixie Hwy", "Broad St", "Elm St"]
    static let firstNames = ["Jorina", "Marcus", "Aaliyah", "Dmitri", "Lucía", "Kenji", "Priya", "Tomasz", "Fatima", "Owen", "Zoë", "Andre", "Mei", "Carlos", "Hannah", "Jamal", "Sofia", "Noah", "Imani", "Ravi"]
    static let lastNames = ["Blanche", "Whitfield", "O'Neill", "Nguyen", "García", "Kowalski", "Okafor", "Schmidt", "Haddad", "Brooks", "Iyer", "Müller", "Park"]
    static let statuses = [
        ("COMPLETED", 55), ("AGENT_MONITOR_REDIRECT", 15), ("TRANSFERRED", 10), ("ABANDONED", 8),
        ("CALLBACK_REQUESTED", 6), ("VOICEMAIL", 6),
    ]
    /// 2025-01-01T00:00:00Z in seconds.
    static let yearStart = Int64(Timestamp.daysSinceEpoch(year: 2025, month: 1, day: 1)) * 86_400

    /// How many calls an order has: mostly one, some two or three.
    public static func callCount(for order: OrderID) -> Int {
        var seed = Seed(order.rawValue, "calls")
        let roll = seed.next() % 100
        return roll < 88 ? 1 : roll < 97 ? 2 : 3
    }

    public static func calls(for order: OrderID) -> [Call] {
        var seed = Seed(order.rawValue, "order")
        let storeNumber = Int(seed.next() % 240)
        let (state, area) = states[storeNumber % states.count]
        let brand = brands[storeNumber % brands.count]
        let street = streets[Int(seed.next() % UInt64(streets.count))]
        let storeName = "\(state)-\(pad(3, storeNumber + 1)) \(brand) \(10_000 + (storeNumber * 7919) % 89_999) \(street) "
            + "\(area)-\(pad(3, 200 + storeNumber % 800))-\(pad(4, (storeNumber * 37) % 10_000))"
        var start = yearStart + Int64(seed.next() % (365 * 86_400))
        var calls: [Call] = []
        for index in 1...callCount(for: order) {
            var callSeed = Seed(order.rawValue, "call\(index)")
            let agent = firstNames[Int(callSeed.next() % UInt64(firstNames.count))] + " "
                + lastNames[Int(callSeed.next() % UInt64(lastNames.count))]
            var roll = Int(callSeed.next() % 100)
            var status = statuses[0].0
            for (name, weight) in statuses {
                if roll < weight { status = name; break }
                roll -= weight
            }
            let length = 30 + Int64(callSeed.next() % 571)
            let millis = Int64(callSeed.next() % 1000)
            let callIn = Timestamp(millisecondsSince1970: start * 1000 + millis)
            let callOut = callIn.adding(seconds: Double(length))
            // 6 % of recordings stop early (the line dropped, the recorder failed).
            let fraction = callSeed.next() % 100 < 6 ? 0.2 + Double(callSeed.next() % 20) / 100 : 0.93 + Double(callSeed.next() % 7) / 100
            calls.append(Call(
                storeName: storeName, agentName: agent, status: status, callIn: callIn, callOut: callOut,
                recordingSeconds: Double(length) * fraction
            ))
            start += length + 60 + Int64(callSeed.next() % 600)
        }
        return calls
    }

    /// `count` order ids like `E8ZQCJ`, the same list every time.
    public static func sampleOrderIDs(count: Int) -> [String] {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var seed = Seed("orders", "list")
        var seen = Set<String>()
        var ids: [String] = []
        while ids.count < count {
            let id = String((0..<6).map { _ in alphabet[Int(seed.next() % UInt64(alphabet.count))] })
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }
}

/// SplitMix64 seeded by FNV-1a of a key: stable across runs and platforms.
package struct Seed: RandomNumberGenerator {
    private var state: UInt64

    package init(_ key: String, _ salt: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (key + "/" + salt).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        state = hash
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// `value` with leading zeros to `width` digits.
private func pad(_ width: Int, _ value: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
