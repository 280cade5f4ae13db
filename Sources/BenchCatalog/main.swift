import Catalog
import Foundation
import Model

// bench-catalog PATH [ROWS]: fills a catalog with ROWS realistic calls (default 1,000,000)
// through the project's own Catalog code, for the search/stats/export benchmarks.
// Hundreds of stores, dozens of agents, two years of dates; deterministic.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-catalog PATH [ROWS]\n".utf8))
    exit(64)
}
let rows = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
let catalog = try SQLiteCatalog.open(at: arguments[1])

let states = ["MI", "OH", "IN", "IL", "TX", "FL", "GA", "PA", "NY", "WI"]
let brands = ["Jet's", "Hungry Howie's", "Marco's", "Buddy's", "Papa Romano's", "Cottage Inn", "Happy's", "Donatos"]
let streets = ["E Seven Mile", "W Grand River", "Woodward Ave", "Gratiot Ave", "Main St", "Telegraph Rd", "Michigan Ave", "Ford Rd"]
let stores = (0..<400).map { index in
    let code = "\(states[index % states.count])-\(String(format: "%03d", index / states.count + 1))"
    return "\(code) \(brands[index % brands.count]) \(10_000 + index * 37) \(streets[index % streets.count]) 313-555-\(String(format: "%04d", index))"
}
let first = ["Jorina", "Marcus", "Aaliyah", "Dmitri", "Lucía", "Kenji", "Priya", "Tomasz", "Fatima", "Owen", "Zoë", "Andre"]
let last = ["Blanche", "Whitfield", "O'Neill", "Nguyen", "García", "Kowalski"]
let agents = first.flatMap { f in last.map { "\(f) \($0)" } }  // 72 agents
let statuses = ["COMPLETED", "COMPLETED", "COMPLETED", "AGENT_MONITOR_REDIRECT", "TRANSFERRED", "ABANDONED", "VOICEMAIL"]
let verdicts: [Verdict] = Array(repeating: .valid, count: 90) + [.truncated, .truncated, .corrupt, .notAudio, .noRecording, .failed, .failed, .missing, .changed, .corrupt]
let start = Int64(Timestamp.daysSinceEpoch(year: 2024, month: 1, day: 1)) * 86_400_000
let span: Int64 = 731 * 86_400_000

/// xorshift64: fast and the same on every run.
struct Random {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state >> 1)
    }
}
var random = Random()

/// The call object as the API sends it, so rows are as large as real ones (`api_json`).
func apiJSON(_ info: CallInfo) -> String {
    let fields = [
        ("store_name", info.storeName), ("agent_name", info.agentName), ("call_status", info.callStatus),
        ("call_in_time", info.callInTime), ("call_out_time", info.callOutTime), ("recording_url", info.recordingURL),
        ("call_sid", info.callSID),
    ]
    return "{" + fields.map { JSONText.quoted($0.0) + ":" + JSONText.quoted($0.1) }.joined(separator: ",") + "}"
}

let began = Date()
var batch: [CallRecord] = []
batch.reserveCapacity(10_000)
for index in 0..<rows {
    let callIn = Timestamp(millisecondsSince1970: start + Int64(random.next()) % span)
    let length = Double(30 + random.next() % 571)
    let id = String(format: "B%07d", index)
    var info = CallInfo(
        storeName: stores[random.next() % stores.count], agentName: agents[random.next() % agents.count],
        callStatus: statuses[random.next() % statuses.count], callInTime: callIn.iso8601,
        callOutTime: callIn.adding(seconds: length).iso8601, recordingURL: "https://rec.example/\(id).mp3",
        callSID: "CA\(String(random.next(), radix: 16))", rawJSON: ""
    )
    info.rawJSON = apiJSON(info)
    var record = CallRecord(order: try OrderID(id), callIndex: 1, info: info, verdict: verdicts[random.next() % verdicts.count])
    if record.verdict == .valid {
        let audio = length * (0.9 + Double(random.next() % 10) / 100)
        record.filePath = "\(id).mp3"
        record.fileSize = Int64(audio * 4000)
        record.sha256 = (0..<4).map { _ in String(format: "%016llx", UInt64(random.next())) }.joined()
        record.audioSeconds = audio
        record.frames = Int(audio * 8000 / 576)
        record.expectedFrames = record.frames
        record.sampleRate = 8000
        record.channels = 1
        record.bitrateKbps = 32
        record.verdictDetail = "\(record.frames!) of \(record.frames!) frames decoded"
    } else {
        record.verdictDetail = "\(record.verdict.rawValue): benchmark row"
    }
    record.attempts = 1
    record.downloadedAt = callIn.adding(seconds: 86_400).iso8601
    record.verifiedAt = record.downloadedAt
    batch.append(record)
    if batch.count == 10_000 || index == rows - 1 {
        try await catalog.insertMissing(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
FileHandle.standardError.write(Data("bench-catalog: \(rows) rows in \(String(format: "%.1f", Date().timeIntervalSince(began))) s\n".utf8))
