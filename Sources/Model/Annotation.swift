/// The tags and notes people put on a call (`callarchive tag`), kept apart from what the
/// archive measures so that no refetch, import or verify touches them.
public struct Annotation: Sendable, Equatable {
    /// Distinct tag names, sorted.
    public private(set) var tags: [String]
    /// Notes, oldest first.
    public private(set) var notes: [String]

    public init(tags: [String] = [], notes: [String] = []) {
        self.tags = Array(Set(tags)).sorted()
        self.notes = notes
    }

    /// As the catalog stores it: tags one space apart, notes one a line.
    public init(storedTags: String, storedNotes: String) {
        self.init(
            tags: storedTags.split(separator: " ").map(String.init),
            notes: storedNotes.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        )
    }

    public var storedTags: String { tags.joined(separator: " ") }
    public var storedNotes: String { notes.joined(separator: "\n") }

    /// Adds `change.add`, removes `change.remove`, appends `change.note`.
    public mutating func apply(_ change: AnnotationChange) {
        tags = Array(Set(tags).union(change.add).subtracting(change.remove)).sorted()
        if let note = change.note { notes.append(note) }
    }
}

/// What one `tag` command asks for a call: tags to add and remove, a note to append.
public struct AnnotationChange: Sendable, Equatable {
    public let add: [String]
    public let remove: [String]
    public let note: String?

    /// A tag name is 1–32 characters of `a`–`z`, `0`–`9`, `-` and `_`, starting with a letter or
    /// a digit; capitals are lowered. A note is one line of at most 2,000 characters.
    public static let tagRule = "a tag is 1-32 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
    public static let noteLimit = 2_000

    /// Checks every name and the note; throws naming the bad one.
    public init(add: [String], remove: [String], note: String?) throws(AnnotationError) {
        self.add = try add.map { name throws(AnnotationError) in try Self.tagName(name) }
        self.remove = try remove.map { name throws(AnnotationError) in try Self.tagName(name) }
        if let note {
            let trimmed = note.trimmingWhitespace
            guard !trimmed.isEmpty else { throw AnnotationError(value: note, reason: "a note needs some text") }
            guard !trimmed.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw AnnotationError(value: note, reason: "a note is one line; it holds a line break")
            }
            guard trimmed.count <= Self.noteLimit else {
                throw AnnotationError(value: String(note.prefix(40)) + "…", reason: "a note is at most \(Self.noteLimit) characters")
            }
            self.note = trimmed
        } else {
            self.note = nil
        }
    }

    /// `name` lowered, when it follows `tagRule`.
    public static func tagName(_ name: String) throws(AnnotationError) -> String {
        let lowered = name.lowercased()
        let allowed = lowered.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        guard allowed, (1...32).contains(lowered.unicodeScalars.count), let first = lowered.unicodeScalars.first, first != "-", first != "_" else {
            throw AnnotationError(value: name, reason: tagRule)
        }
        return lowered
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// A tag name or note `tag` cannot take.
public struct AnnotationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let reason: String

    public var description: String { "\(ModelError.quoted(value)): \(reason)" }
}
