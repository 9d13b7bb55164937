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
    /// Texts written as they come, to `start` and on in a file, a buffer at a time.
    private struct TextStream {
        let descriptor: Int32
        let start: Int
        var length = 0
        var pending: [UInt8] = []
        var isTooLarge = false

        /// Puts `text` in the stream: its offset there. Bytes that are not UTF-8 go in repaired,
        /// as the catalog read into strings holds them.
        mutating func append(_ text: BorrowedText?) throws -> UInt64 {
            guard let text else { return Layout.noText }
            let ref = UInt64(length)
            if text.bytes.contains(where: { $0 >= 0x80 }) {
                var repaired = text.string
                repaired.withUTF8 { put($0) }
            } else {
                put(text.bytes)
            }
            if pending.count >= flushAt { try flush() }
            return ref
        }

        private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= Int(UInt32.max) else { isTooLarge = true; return }
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { pending.append(contentsOf: $0) }
            pending.append(contentsOf: bytes)
            length += 4 + bytes.count
        }

        mutating func append(_ text: String?) throws -> UInt64 {
            guard var text else { return Layout.noText }
            return try text.withUTF8 { try append(BorrowedText($0)) }
        }

        mutating func flush() throws {
            let at = start + length - pending.count
            try pending.withUnsafeBytes { try write($0, at: at, to: descriptor) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    private let descriptor: Int32
    private let tenant: Int64
    private let token: Int64
    /// The ids, in the file after its header; the other texts in a file of their own until
    /// `finish` puts them after the ids: a run that names variants by id touches no page of them.
    private var ids: TextStream
    private var others: TextStream
    private var facts: [UInt64] = []
    private var keys: [UInt64] = []
    private var orgNumbers: [String: Int] = [:]
    private var orgIDs: [String] = []
    /// The last variant's org, as its bytes came, and its number.
    private var lastOrg: (bytes: [UInt8]?, number: Int) = (nil, 0)

    /// Creates (or truncates) the file at `path` for `tenant`'s catalog as loaded under `token`.
    public init(path: String, tenant: Int64, token: Int64, expectedVariants: Int) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        // Unlinked at once: it goes with its descriptor, whatever ends the writing.
        let aside = open(path + ".texts", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard aside >= 0 else {
            close(descriptor)
            throw Failure(description: "cannot create \(path).texts: \(String(cString: strerror(errno)))")
        }
        unlink(path + ".texts")
        ids = TextStream(descriptor: descriptor, start: Layout.headerWords * 8)
        others = TextStream(descriptor: aside, start: 0)
        self.tenant = tenant
        self.token = token
        facts.reserveCapacity(3 * expectedVariants)
        keys.reserveCapacity(4 * expectedVariants)
    }

    private static let flushAt = 1 << 20

    public mutating func add(_ variant: Catalog.Variant) throws {
        try variant.withBorrowed { try add($0) }
    }

    public mutating func add(_ variant: Catalog.BorrowedVariant) throws {
        // Variants come grouped by org, mostly of one: the last one's number, without hashing.
        let sameOrg = lastOrg.bytes.map { variant.orgID.bytes.elementsEqual($0) } ?? false
        if !sameOrg {
            let orgID = variant.orgID.string
            if let known = orgNumbers[orgID] {
                lastOrg = (Array(variant.orgID.bytes), known)
            } else {
                lastOrg = (Array(variant.orgID.bytes), orgIDs.count)
                orgNumbers[orgID] = orgIDs.count
                orgIDs.append(orgID)
            }
        }
        facts.append(UInt64(bitPattern: variant.id))
        facts.append(UInt64(bitPattern: variant.unitCostMinor ?? Layout.noCost))
        facts.append(UInt64(lastOrg.number) << 1 | (variant.isLocationAware ? 1 : 0))
        keys.append(try ids.append(variant.variantID))
        keys.append(try others.append(variant.sku))
        keys.append(try others.append(variant.barcode))
        keys.append(try others.append(variant.productID))
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws { try Self.write(bytes, at: offset, to: descriptor) }

    private static func write(_ bytes: UnsafeRawBufferPointer, at offset: Int, to descriptor: Int32) throws {
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
        defer {
            close(descriptor)
            close(others.descriptor)
        }
        var orgRefs = try orgIDs.map { try others.append($0) }
        try ids.flush()
        try others.flush()
        guard !ids.isTooLarge, !others.isTooLarge, facts.count / 3 < 1 << 31 else { throw Failure(description: "the catalog is too large for a variant index") }
        try appendOthers()
        // The other texts' offsets, from the blob's start.
        for index in keys.indices where index % 4 != 0 && keys[index] != Layout.noText { keys[index] += UInt64(ids.length) }
        for index in orgRefs.indices { orgRefs[index] += UInt64(ids.length) }
        let blobLength = ids.length + others.length
        let blobStart = Layout.headerWords * 8
        var header = [UInt64](repeating: 0, count: Layout.headerWords)
        var end = (blobStart + blobLength + 7) & ~7
        func put(_ words: [UInt64]) throws -> Int {
            let at = end
            try words.withUnsafeBytes { try write($0, at: at) }
            end += words.count * 8
            return at
        }
        let variants = facts.count / 3
        header[Layout.Header.facts] = UInt64(try put(facts))
        facts = []
        let keysAt = try put(keys)
        header[Layout.Header.keys] = UInt64(keysAt)
        keys = []
        header[Layout.Header.orgIDs] = UInt64(try put(orgRefs))
        // The texts and the keys are read back from the file as each kind's table is built.
        let mappedLength = end
        guard let mapped = mmap(nil, mappedLength, PROT_READ, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw Failure(description: "cannot map the variant index: \(String(cString: strerror(errno)))")
        }
        defer { munmap(mapped, mappedLength) }
        let written = Written(blob: UnsafeRawPointer(mapped) + blobStart, keys: UnsafeRawPointer(mapped) + keysAt)
        var shared: [UInt64] = []
        for kind in Layout.Kind.allCases {
            var table = Self.table(of: kind, variants: variants, written) {
                // Both are read in order, once a kind: the pages read go back to the page cache
                // as the reading goes on (a million variants' are some 110 MB).
                madvise(mapped, mappedLength, MADV_DONTNEED)
            }
            table.placeShared(after: &shared)
            let at = Layout.Header.tables + 4 * kind.rawValue
            header[at] = UInt64(try put(table.slots))
            header[at + 1] = UInt64(table.slots.count)
            header[at + 2] = UInt64(try put(table.entries))
            header[at + 3] = UInt64(table.entries.count / 2)
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

    /// Copies the other texts after the ids.
    private func appendOthers() throws {
        var chunk = [UInt8](repeating: 0, count: Self.flushAt)
        var done = 0
        while done < others.length {
            let count = chunk.withUnsafeMutableBytes { pread(others.descriptor, $0.baseAddress, min($0.count, others.length - done), off_t(done)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "cannot read the variant index's texts: \(String(cString: strerror(errno)))") }
            try chunk.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[..<count]), at: ids.start + ids.length + done) }
            done += count
        }
    }

    /// The texts and the keys as written in the file, mapped.
    private struct Written {
        let blob: UnsafeRawPointer
        let keys: UnsafeRawPointer

        func key(_ index: Int) -> UInt64 { keys.load(fromByteOffset: 8 * index, as: UInt64.self) }
    }

    /// The key a variant has in `kind`'s table: its blob offset and bytes (for digits, those
    /// after its barcode's leading zeros); nil when it has none (an empty sku, barcode or
    /// product is not a key; an empty id is, as the catalog in memory has it).
    private static func key(of variant: Int, in kind: Layout.Kind, _ written: Written) -> (ref: UInt64, bytes: UnsafeBufferPointer<UInt8>)? {
        let column = switch kind {
        case .id: 0
        case .sku: 1
        case .barcode, .digits: 2
        case .product: 3
        }
        let ref = written.key(4 * variant + column)
        guard ref != Layout.noText else { return nil }
        var bytes = Self.text(atRef: ref, in: written.blob)
        if kind == .digits {
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            bytes = Self.droppingLeadingZeros(bytes)
        }
        if kind != .id, bytes.isEmpty { return nil }
        return (ref, bytes)
    }

    /// The text written at blob offset `ref` (a length, then its bytes).
    private static func text(atRef ref: UInt64, in blob: UnsafeRawPointer) -> UnsafeBufferPointer<UInt8> {
        let count = Int(blob.loadUnaligned(fromByteOffset: Int(ref), as: UInt32.self).littleEndian)
        return UnsafeBufferPointer(start: (blob + Int(ref) + 4).assumingMemoryBound(to: UInt8.self), count: count)
    }

    private static func droppingLeadingZeros(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[bytes.prefix { $0 == 0x30 }.count...])
    }

    /// Variants whose keys are placed together (a multiple of the 65,536 between page releases).
    private static let blockSize = 32

    /// One kind's table: its slots and entries, and the keys several variants share.
    private struct Table {
        var slots: [UInt64]
        var entries: [UInt64]
        /// An entry's number in the high half, a variant sharing its key in the low, in the
        /// order the variants came: the entry's own variant is the list's first.
        var sharers: [UInt64]

        /// Puts each shared key's list of variants at the end of `shared` (a count, then the
        /// variants), in entry order, and points the entry at it.
        mutating func placeShared(after shared: inout [UInt64]) {
            sharers.withUnsafeMutableBufferPointer { RadixSort.sort($0, by: { $0 >> 32 }) }
            var start = 0
            while start < sharers.count {
                let entry = Int(sharers[start] >> 32)
                var end = start + 1
                while end < sharers.count, Int(sharers[end] >> 32) == entry { end += 1 }
                let own = entries[2 * entry + 1]
                entries[2 * entry + 1] = UInt64(bitPattern: -Int64(shared.count + 1))
                shared.append(UInt64(end - start + 1))
                shared.append(own)
                for index in start ..< end { shared.append(sharers[index] & 0xFFFF_FFFF) }
                start = end
            }
            sharers = []
        }
    }

    /// `kind`'s table.
    private static func table(of kind: Layout.Kind, variants: Int, _ written: Written, releasingPages release: () -> Void) -> Table {
        var slots = HugePageArray.filled(UInt64(0), count: TextIndex.slotCount(for: variants))
        var entries: [UInt64] = []
        // At most a key a variant, held at once: growing, it would be copied, old and new at once.
        entries.reserveCapacity(2 * variants)
        var sharers: [UInt64] = []
        let mask = slots.count - 1
        var block: [(variant: Int, ref: UInt64, bytes: UnsafeBufferPointer<UInt8>, hash: UInt64)] = []
        block.reserveCapacity(Self.blockSize)
        for start in stride(from: 0, to: variants, by: Self.blockSize) {
            if start & 0xFFFF == 0, start > 0 { release() }
            // The block's home slots asked for before any is read: in a table of megabytes each
            // is a cache miss, and asked for together they overlap rather than follow one another.
            block.removeAll(keepingCapacity: true)
            slots.withUnsafeBufferPointer { slots in
                for variant in start ..< min(start + Self.blockSize, variants) {
                    guard let (ref, bytes) = key(of: variant, in: kind, written), let base = slots.baseAddress else { continue }
                    let hash = TextIndex.hash(bytes)
                    prefetchCacheLine(base + (TextIndex.home(hash) & mask))
                    block.append((variant, ref, bytes, hash))
                }
            }
            for (variant, ref, bytes, hash) in block {
                var slot = TextIndex.home(hash) & mask
                var found: Int?
                while slots[slot] != 0 {
                    if let entry = TextIndex.entry(inSlot: slots[slot], hash: hash),
                       key(ofEntry: entry, entries, in: kind, blob: written.blob).elementsEqual(bytes) {
                        found = entry
                        break
                    }
                    slot = (slot + 1) & mask
                }
                guard let entry = found else {
                    slots[slot] = TextIndex.slot(entry: entries.count / 2, hash: hash)
                    entries.append(ref)
                    entries.append(UInt64(variant))
                    continue
                }
                if kind == .id {
                    entries[2 * entry + 1] = UInt64(variant)  // as the catalog in memory: the last one
                } else {
                    sharers.append(UInt64(entry) << 32 | UInt64(variant))
                }
            }
        }
        return Table(slots: slots, entries: entries, sharers: sharers)
    }

    /// The key bytes of an entry already in the table.
    private static func key(ofEntry entry: Int, _ entries: [UInt64], in kind: Layout.Kind, blob: UnsafeRawPointer) -> UnsafeBufferPointer<UInt8> {
        let bytes = Self.text(atRef: entries[2 * entry], in: blob)
        return kind == .digits ? Self.droppingLeadingZeros(bytes) : bytes
    }
}
