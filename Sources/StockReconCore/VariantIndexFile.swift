#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tenant's variants as one file that a run maps instead of reading the catalog: the
/// lookups a row makes fault in the pages they touch, so a run costs what its file names.
/// Written by `VariantIndexWriter` from a catalog as stored, for one load of it (its token).
///
/// Layout, little-endian 64-bit words after a header of `headerWords`: a blob of texts (each a
/// 32-bit length and its bytes), the facts (three words a variant: internal id, unit cost or
/// `noCost`, org << 1 | location-aware), each variant's id, sku, barcode and product (blob
/// offsets, `noText` for none), the orgs' ids, and per kind of key a table of slots (as
/// `TextIndex`'s: top half of the hash, entry + 1) over entries (a key's blob offset, and its
/// variant, or -(list + 1) when several share it: a list of their count and variants).
public final class VariantIndexFile: @unchecked Sendable {
    /// The kinds of key with a table, in header order; `digits` is an all-digit barcode
    /// without its leading zeros.
    enum Kind: Int, CaseIterable { case id, sku, barcode, product, digits }

    static let magic: UInt64 = 0x3130_5844_4956_5253  // "SRVIDX01"
    /// Bumped whenever the layout or `TextIndex.hash` changes: an older file is built again.
    static let formatVersion: UInt64 = 1
    static let headerWords = 40
    static let noText = UInt64.max
    static let noCost = Int64.min

    /// Header word positions.
    enum Header {
        static let magic = 0, version = 1, token = 2, tenant = 3, variants = 4, orgs = 5, length = 6
        static let blob = 7, blobLength = 8, facts = 9, keys = 10, orgIDs = 11, shared = 12, sharedWords = 13
        /// Four words a kind from here: slots, slot count, entries, entry count.
        static let tables = 14
    }

    struct Table {
        var slots = 0, slotCount = 0, entries = 0, entryCount = 0
    }

    public let token: Int64
    public let variantCount: Int
    /// The orgs' ids, by the number the facts give them.
    public let orgIDs: [String]
    let base: UnsafeRawPointer
    let length: Int
    let blob: Int, blobLength: Int, facts: Int, keys: Int, shared: Int, sharedWords: Int
    let tables: [Table]

    /// Maps the file at `path` if it is the index of `tenant`'s catalog as loaded under `token`,
    /// with `variants` variants; nil when it is not (missing, another load's, damaged).
    public init?(path: String, tenant: Int64, token: Int64, variants: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size >= Self.headerWords * 8,
              let mapped = mmap(nil, Int(status.st_size), PROT_READ, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED
        else { return nil }
        let base = UnsafeRawPointer(mapped)
        let length = Int(status.st_size)
        func header(_ index: Int) -> Int { Int(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        func within(_ offset: Int, words: Int) -> Bool {
            offset >= 0 && words >= 0 && words <= length / 8 && offset <= length - words * 8
        }
        var tables: [Table] = []
        for kind in Kind.allCases {
            let at = Header.tables + 4 * kind.rawValue
            tables.append(Table(slots: header(at), slotCount: header(at + 1), entries: header(at + 2), entryCount: header(at + 3)))
        }
        let orgCount = header(Header.orgs)
        guard UInt64(bitPattern: Int64(header(Header.magic))) == Self.magic, header(Header.version) == Int(Self.formatVersion),
              Int64(header(Header.token)) == token, Int64(header(Header.tenant)) == tenant, header(Header.variants) == variants,
              header(Header.length) == length, orgCount >= 0, orgCount < 1 << 20, variants < 1 << 31,
              header(Header.blob) >= Self.headerWords * 8, header(Header.blobLength) >= 0,
              header(Header.blob) <= length - header(Header.blobLength),
              within(header(Header.facts), words: 3 * variants), within(header(Header.keys), words: 4 * variants),
              within(header(Header.orgIDs), words: orgCount), within(header(Header.shared), words: header(Header.sharedWords)),
              tables.allSatisfy({ table in
                  table.slotCount > 0 && table.slotCount & (table.slotCount - 1) == 0 && table.entryCount >= 0
                      && table.entryCount < table.slotCount
                      && within(table.slots, words: table.slotCount) && within(table.entries, words: 2 * table.entryCount)
              })
        else {
            munmap(mapped, length)
            return nil
        }
        self.base = base
        self.length = length
        self.token = token
        variantCount = variants
        blob = header(Header.blob)
        blobLength = header(Header.blobLength)
        facts = header(Header.facts)
        keys = header(Header.keys)
        shared = header(Header.shared)
        sharedWords = header(Header.sharedWords)
        self.tables = tables
        var orgIDs: [String] = []
        for index in 0 ..< orgCount {
            let offset = header(Header.orgIDs) + index * 8
            orgIDs.append(Self.text(atRef: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self), base: base, blob: blob, blobLength: blobLength) ?? "")
        }
        self.orgIDs = orgIDs
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    func word(_ offset: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }

    /// The bytes of the text at blob offset `ref`; nil for none, or one that does not fit.
    private static func bytes(atRef ref: UInt64, base: UnsafeRawPointer, blob: Int, blobLength: Int) -> UnsafeRawBufferPointer? {
        guard ref != noText, ref <= UInt64(blobLength), blobLength - Int(ref) >= 4 else { return nil }
        let count = Int(base.loadUnaligned(fromByteOffset: blob + Int(ref), as: UInt32.self).littleEndian)
        guard count <= blobLength - Int(ref) - 4 else { return nil }
        return UnsafeRawBufferPointer(start: base + blob + Int(ref) + 4, count: count)
    }

    private static func text(atRef ref: UInt64, base: UnsafeRawPointer, blob: Int, blobLength: Int) -> String? {
        bytes(atRef: ref, base: base, blob: blob, blobLength: blobLength).map { String(decoding: $0, as: UTF8.self) }
    }

    func bytes(atRef ref: UInt64) -> UnsafeRawBufferPointer? { Self.bytes(atRef: ref, base: base, blob: blob, blobLength: blobLength) }

    /// What a key names: one variant, or several (none of them).
    enum Found {
        case one(Int)
        case several(list: Int)

        /// The one variant it names; nil when several share the key (naming none).
        var variant: Int? {
            if case .one(let variant) = self { return variant }
            return nil
        }
    }

    /// What an entry's value names: a variant, or -(list + 1) for a list of several; nil for
    /// a variant past the catalog's (a damaged file).
    func found(entryValue value: Int64) -> Found? {
        if value >= 0 { return value < variantCount ? .one(Int(value)) : nil }
        return .several(list: Int(-(value + 1)))
    }

    /// The table of a kind of key; nil for `.any`, which tries several in turn.
    static func table(of kind: VariantKeyKind) -> Kind? {
        switch kind {
        case .variantID: .id
        case .sku: .sku
        case .barcode: .barcode
        case .productID: .product
        case .any: nil
        }
    }

    /// The entry of `key` in `kind`'s table: what it names; nil when no variant has it.
    func find(_ key: UnsafeBufferPointer<UInt8>, in kind: Kind) -> Found? {
        let table = tables[kind.rawValue]
        let hash = TextIndex.hash(key)
        let mask = table.slotCount - 1
        var slot = TextIndex.home(hash) & mask
        for _ in 0 ..< table.slotCount {
            let content = word(table.slots + slot * 8)
            if content == 0 { return nil }
            if let entry = TextIndex.entry(inSlot: content, hash: hash) {
                guard entry >= 0, entry < table.entryCount else { return nil }
                let at = table.entries + entry * 16
                if let stored = bytes(atRef: word(at)), Self.equal(stored, key, droppingLeadingZeros: kind == .digits) {
                    return found(entryValue: Int64(bitPattern: word(at + 8)))
                }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The variant `key` names by `kind`, as `Catalog.variantIndex(_:by:)`.
    func variantIndex(_ key: UnsafeBufferPointer<UInt8>, by kind: VariantKeyKind) -> Int? {
        if let table = Self.table(of: kind) { return find(key, in: table)?.variant }
        if let variant = find(key, in: .id)?.variant { return variant }
        // A shared sku or barcode names no variant, rather than the next kind's.
        if let found = find(key, in: .sku) { return found.variant }
        if let found = find(key, in: .barcode) { return found.variant }
        return find(key, in: .product)?.variant
    }

    /// The one variant whose all-digit barcode, its leading zeros dropped, is `digits`.
    func variantIndex(digits: UnsafeBufferPointer<UInt8>) -> Int? {
        find(digits, in: .digits)?.variant
    }

    /// The ids of the variants that share `key` in `kind` (empty when one or none has it).
    func ids(sharing key: String, in kind: Kind) -> [String] {
        key.withBytes { key in
            guard case .several(let list) = find(key, in: kind) else { return [] }
            return variants(inList: list).map { keys(at: $0).id }
        }
    }

    /// Whether the stored text (its leading zeros dropped, for digits) is `key`.
    static func equal(_ stored: UnsafeRawBufferPointer, _ key: UnsafeBufferPointer<UInt8>, droppingLeadingZeros: Bool) -> Bool {
        var stored = stored[...]
        if droppingLeadingZeros { stored = stored.drop { $0 == 0x30 } }
        guard stored.count == key.count else { return false }
        guard let left = stored.base.baseAddress, let right = key.baseAddress, !key.isEmpty else { return true }
        return memcmp(left + stored.startIndex, right, key.count) == 0
    }

    /// The variants of a list that several share, in catalog order (empty if it is damaged).
    func variants(inList list: Int) -> [Int] {
        guard list >= 0, list < sharedWords else { return [] }
        let count = Int(truncatingIfNeeded: word(shared + list * 8))
        guard count >= 0, count <= sharedWords - list - 1 else { return [] }
        return (0 ..< count).compactMap { index in
            let variant = Int(truncatingIfNeeded: word(shared + (list + 1 + index) * 8))
            return variant >= 0 && variant < variantCount ? variant : nil
        }
    }

    typealias Facts = (id: Int64, unitCostMinor: Int64?, org: Int, isLocationAware: Bool)

    /// Variant `index`'s internal id, unit cost, org (its number in `orgIDs`) and whether it
    /// is location-aware.
    func facts(at index: Int) -> Facts {
        let at = facts + index * 24
        let cost = Int64(bitPattern: word(at + 8))
        let org = word(at + 16)
        return (Int64(bitPattern: word(at)), cost == Self.noCost ? nil : cost, Int(truncatingIfNeeded: org >> 1), org & 1 == 1)
    }

    /// Variant `index`'s id, sku, barcode and product, as texts.
    func keys(at index: Int) -> (id: String, sku: String?, barcode: String?, product: String?) {
        let at = keys + index * 32
        func text(_ word: Int) -> String? {
            Self.text(atRef: self.word(at + word * 8), base: base, blob: blob, blobLength: blobLength)
        }
        return (text(0) ?? "", text(1), text(2), text(3))
    }
}
