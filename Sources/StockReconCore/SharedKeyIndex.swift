/// Text keys that should each name one entry (a sku, a barcode, a location's name). A key
/// that a second entry has too names neither, since rows naming it went to whichever came
/// last; the ids of the entries that have it are kept, to say so.
struct SharedKeyIndex: Sendable {
    /// What a key names: one entry's value, or several entries (none of them).
    enum Entry {
        case one(Int)
        case several

        var value: Int? {
            if case .one(let value) = self { return value }
            return nil
        }
    }

    private var index = TextIndex()
    private var sharers: [String: [String]] = [:]

    init() {}

    /// Room for `count` keys of about `bytes` in all without growing.
    init(capacity count: Int, bytes: Int) { index = TextIndex(capacity: count, bytes: bytes) }
    /// Stored for a key several entries have (values are never negative).
    private static let several = -1

    /// Adds `key` for the entry `value`, whose id is `id`; `idOf` names an earlier entry by its
    /// value. Returns where the key is kept (`key(ofEntry:)`).
    @discardableResult
    mutating func add(_ key: String, value: Int, id: String, idOf: (Int) -> String) -> Int {
        guard let earlier = index[key] else { return index.setting(key, to: value) }
        if earlier != Self.several { sharers[key] = [idOf(earlier)] }
        sharers[key, default: []].append(id)
        return index.setting(key, to: Self.several)
    }

    /// The key kept at `entry`.
    func key(ofEntry entry: Int) -> String { index.key(ofEntry: entry) }

    func entry(for key: some InputText) -> Entry? {
        index.value(for: key).map { $0 == Self.several ? .several : .one($0) }
    }

    /// The value of the one entry with `key`; nil when none has it, or several do.
    func value(for key: some InputText) -> Int? { entry(for: key)?.value }

    /// The ids of the entries that share `key` (empty when one or none has it).
    func ids(sharing key: String) -> [String] { sharers[key] ?? [] }
}
