#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `VariantIndexFile` from variants given in catalog order: texts go to the file as
/// they come, and each kind's table is built from them after, one kind at a time, so that a
/// million variants are written in well under the memory of a catalog held whole.
public struct VariantIndexWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private typealias Layout = VariantIndexFile
    private let descriptor: Int32
    private let tenant: Int64
    private let token: Int64
    private var pending: [UInt8] = []
    private var blobLength = 0
    private var facts: [UInt64] = []
    private var keys: [UInt64] = []
    private var orgNumbers: [String: Int] = [:]
    private var orgIDs: [String] = []
    private var isTooLarge = false

    /// Creates (or truncates) the file at `path` for `tenant`'s catalog as loaded under `token`.
    public init(path: String, tenant: Int64, token: Int64, expectedVariants: Int) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        self.tenant = tenant
        self.token = token
        facts.reserveCapacity(3 * expectedVariants)
        keys.reserveCapacity(4 * expectedVariants)
        pending.reserveCapacity(Self.flushAt + 4096)
    }

    private static let flushAt = 1 << 20

    public mutating func add(_ variant: Catalog.Variant) throws {
        let org: Int
        if let known = orgNumbers[variant.orgID] {
            org = known
        } else {
            org = orgIDs.count
            orgNumbers[variant.orgID] = org
            orgIDs.append(variant.orgID)
        }
        facts.append(UInt64(bitPattern: variant.id))
        facts.append(UInt64(bitPattern: variant.unitCostMinor ?? Layout.noCost))
        facts.append(UInt64(org) << 1 | (variant.isLocationAware ? 1 : 0))
        for text in [variant.variantID, variant.sku, variant.barcode, variant.productID] { keys.append(try append(text)) }
    }

    /// Puts `text` in the blob: its offset there.
    private mutating func append(_ text: String?) throws -> UInt64 {
        guard var text else { return Layout.noText }
        let ref = UInt64(blobLength)
        text.withUTF8 { bytes in
            guard bytes.count <= Int(UInt32.max) else { isTooLarge = true; return }
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { pending.append(contentsOf: $0) }
            pending.append(contentsOf: bytes)
            blobLength += 4 + bytes.count
        }
        if pending.count >= Self.flushAt { try flush() }
        return ref
    }

    private mutating func flush() throws {
        try pending.withUnsafeBytes { try write($0, at: Layout.headerWords * 8 + blobLength - pending.count) }
        pending.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            guard let start = bytes.baseAddress else { return }
            let count = pwrite(descriptor, start + done, bytes.count - done, off_t(offset + done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "cannot write the variant index: \(String(cString: strerror(errno)))") }
            done += count
        }
    }

    /// Writes the tables and the header, and closes the file.
    public mutating func finish() throws {
        defer { close(descriptor) }
        let orgRefs = try orgIDs.map { try append($0) }
        try flush()
        guard !isTooLarge, facts.count / 3 < 1 << 31 else { throw Failure(description: "the catalog is too large for a variant index") }
        let blobStart = Layout.headerWords * 8
        let mappedLength = blobStart + blobLength
        guard let mapped = mmap(nil, mappedLength, PROT_READ, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw Failure(description: "cannot map the variant index: \(String(cString: strerror(errno)))")
        }
        defer { munmap(mapped, mappedLength) }
        let blob = UnsafeRawPointer(mapped) + blobStart
        var header = [UInt64](repeating: 0, count: Layout.headerWords)
        var end = (mappedLength + 7) & ~7
        func put(_ words: [UInt64]) throws -> Int {
            let at = end
            try words.withUnsafeBytes { try write($0, at: at) }
            end += words.count * 8
            return at
        }
        let variants = facts.count / 3
        header[Layout.Header.facts] = UInt64(try put(facts))
        facts = []
        header[Layout.Header.keys] = UInt64(try put(keys))
        header[Layout.Header.orgIDs] = UInt64(try put(orgRefs))
        var shared: [UInt64] = []
        for kind in Layout.Kind.allCases {
            let (slots, entries) = table(of: kind, variants: variants, blob: blob, shared: &shared)
            let at = Layout.Header.tables + 4 * kind.rawValue
            header[at] = UInt64(try put(slots))
            header[at + 1] = UInt64(slots.count)
            header[at + 2] = UInt64(try put(entries))
            header[at + 3] = UInt64(entries.count / 2)
        }
        header[Layout.Header.shared] = UInt64(try put(shared))
        header[Layout.Header.sharedWords] = UInt64(shared.count)
        header[Layout.Header.magic] = Layout.magic
        header[Layout.Header.version] = Layout.formatVersion
        header[Layout.Header.token] = UInt64(bitPattern: token)
        header[Layout.Header.tenant] = UInt64(bitPattern: tenant)
        header[Layout.Header.variants] = UInt64(variants)
        header[Layout.Header.orgs] = UInt64(orgIDs.count)
        header[Layout.Header.length] = UInt64(end)
        header[Layout.Header.blob] = UInt64(blobStart)
        header[Layout.Header.blobLength] = UInt64(blobLength)
        try header.withUnsafeBytes { try write($0, at: 0) }
    }

    /// The key a variant has in `kind`'s table: its blob offset and bytes (for digits, those
    /// after its barcode's leading zeros); nil when it has none (an empty sku, barcode or
    /// product is not a key; an empty id is, as the catalog in memory has it).
    private func key(of variant: Int, in kind: Layout.Kind, blob: UnsafeRawPointer) -> (ref: UInt64, bytes: UnsafeBufferPointer<UInt8>)? {
        let column = switch kind {
        case .id: 0
        case .sku: 1
        case .barcode, .digits: 2
        case .product: 3
        }
        let ref = keys[4 * variant + column]
        guard ref != Layout.noText else { return nil }
        let count = Int(blob.loadUnaligned(fromByteOffset: Int(ref), as: UInt32.self).littleEndian)
        var bytes = UnsafeBufferPointer(start: (blob + Int(ref) + 4).assumingMemoryBound(to: UInt8.self), count: count)
        if kind == .digits {
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let zeros = bytes.prefix { $0 == 0x30 }.count
            bytes = UnsafeBufferPointer(rebasing: bytes[zeros...])
        }
        if kind != .id, bytes.isEmpty { return nil }
        return (ref, bytes)
    }

    /// `kind`'s slots and entries; lists of variants sharing a key go to `shared`.
    private func table(of kind: Layout.Kind, variants: Int, blob: UnsafeRawPointer, shared: inout [UInt64]) -> (slots: [UInt64], entries: [UInt64]) {
        var size = 16
        while size < variants * 2 { size *= 2 }
        var slots = HugePageArray.filled(UInt64(0), count: size)
        var entries: [UInt64] = []
        var sharers: [Int: [Int]] = [:]
        let mask = size - 1
        for variant in 0 ..< variants {
            guard let (ref, bytes) = key(of: variant, in: kind, blob: blob) else { continue }
            let hash = TextIndex.hash(bytes)
            let tag = hash & ~0xFFFF_FFFF
            var slot = Int(truncatingIfNeeded: hash >> 32) & mask
            var found: Int?
            while slots[slot] != 0 {
                let entry = Int(slots[slot] & 0xFFFF_FFFF) - 1
                if slots[slot] & ~0xFFFF_FFFF == tag, let stored = key(ofEntry: entry, entries, in: kind, blob: blob),
                   stored.elementsEqual(bytes) {
                    found = entry
                    break
                }
                slot = (slot + 1) & mask
            }
            guard let entry = found else {
                slots[slot] = tag | UInt64(entries.count / 2 + 1)
                entries.append(ref)
                entries.append(UInt64(variant))
                continue
            }
            if kind == .id {
                entries[2 * entry + 1] = UInt64(variant)  // as the catalog in memory: the last one
            } else {
                sharers[entry, default: [Int(entries[2 * entry + 1])]].append(variant)
            }
        }
        for (entry, list) in sharers.sorted(by: { $0.key < $1.key }) {
            entries[2 * entry + 1] = UInt64(bitPattern: -Int64(shared.count + 1))
            shared.append(UInt64(list.count))
            shared += list.map { UInt64($0) }
        }
        return (slots, entries)
    }

    /// The key bytes of an entry already in the table.
    private func key(ofEntry entry: Int, _ entries: [UInt64], in kind: Layout.Kind, blob: UnsafeRawPointer) -> UnsafeBufferPointer<UInt8>? {
        let ref = entries[2 * entry]
        let count = Int(blob.loadUnaligned(fromByteOffset: Int(ref), as: UInt32.self).littleEndian)
        let bytes = UnsafeBufferPointer(start: (blob + Int(ref) + 4).assumingMemoryBound(to: UInt8.self), count: count)
        return kind == .digits ? UnsafeBufferPointer(rebasing: bytes[bytes.prefix { $0 == 0x30 }.count...]) : bytes
    }
}
