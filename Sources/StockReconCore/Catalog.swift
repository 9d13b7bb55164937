/// One tenant's catalog, held in memory for a run: lookups by every id a row may use.
/// Internal ids (`id`) are the store's integer keys; the others are the tenant's text ids.
public struct Catalog: Sendable {
    public struct Org: Sendable, Hashable {
        public var id: Int64
        public var orgID: String
        public var name: String?
        public var defaultLocationID: String?
        public init(id: Int64, orgID: String, name: String?, defaultLocationID: String?) {
            self.id = id
            self.orgID = orgID
            self.name = name
            self.defaultLocationID = defaultLocationID
        }
    }

    public struct Location: Sendable, Hashable {
        public var id: Int64
        public var locationID: String
        public var siteID: String?
        public var name: String?
        public init(id: Int64, locationID: String, siteID: String?, name: String? = nil) {
            self.id = id
            self.locationID = locationID
            self.siteID = siteID
            self.name = name
        }
    }

    public struct Variant: Sendable, Hashable {
        public var id: Int64
        public var variantID: String
        public var productID: String?
        public var orgID: String
        public var sku: String?
        public var barcode: String?
        public var unitCostMinor: Int64?
        public var isLocationAware: Bool
        public init(
            id: Int64, variantID: String, productID: String?, orgID: String, sku: String?,
            barcode: String?, unitCostMinor: Int64?, isLocationAware: Bool
        ) {
            self.id = id
            self.variantID = variantID
            self.productID = productID
            self.orgID = orgID
            self.sku = sku
            self.barcode = barcode
            self.unitCostMinor = unitCostMinor
            self.isLocationAware = isLocationAware
        }
    }

    public enum Role: String, Sendable, CaseIterable {
        case staff, manager
    }

    public struct User: Sendable, Hashable {
        public var id: Int64
        public var userID: String
        public var role: Role
        public init(id: Int64, userID: String, role: Role) {
            self.id = id
            self.userID = userID
            self.role = role
        }
    }

    /// What the checks need of a variant, without its strings: reading it for every row
    /// costs no reference counting.
    public struct VariantFacts: Sendable, Hashable {
        public var id: Int64
        public var unitCostMinor: Int64?
        public var isLocationAware: Bool
        /// Index of the variant's org in `orgIndexes`, compared as an integer.
        public var orgIndex: Int
    }

    /// Where a variant's optional keys are kept: an entry of their index, or none.
    private struct StoredKeys {
        var sku: Int32
        var barcode: Int32
        var product: Int32
        /// No key (nil), and a key that is empty (not indexed).
        static let none: Int32 = -1
        static let empty: Int32 = -2
    }

    public private(set) var orgs: [String: Org] = [:]
    public private(set) var locations: [String: Location] = [:]
    public private(set) var users: [String: User] = [:]
    /// Each variant's id, sku, barcode and product as kept in the indexes, not as strings of
    /// its own: a million variants' strings took 160 MB beside the indexes that hold them.
    private var variantIDEntries: [Int32] = []
    private var variantKeys: [StoredKeys] = []
    private var facts: [VariantFacts] = []
    /// Org ids by their small integer (`orgIndexes` the other way).
    private var orgIDs: [String] = []
    private var locationKeys = TextIndex()
    private var locationKeysByName = SharedKeyIndex()
    private var locationsByKey: [Int64: Location] = [:]
    /// Org ids as small integers, for comparing a variant's org with a run's.
    private var orgIndexes: [String: Int] = [:]
    private var variantByID = TextIndex()
    private var variantBySKU = SharedKeyIndex()
    private var variantByBarcode = SharedKeyIndex()
    /// Products by their id: one variant's, or several (naming none, their ids kept).
    private var variantByProduct = SharedKeyIndex()
    /// The last org a variant named, and its index: variants come org after org.
    private var lastOrg: (orgID: String, index: Int)?
    /// All-digit barcodes (GTIN, EAN, UPC) by their digits after leading zeros: a barcode
    /// typed into a spreadsheet as a number loses them (`12345678905` for `0012345678905`).
    private var variantByBarcodeDigits = SharedKeyIndex()
    /// The variants as a mapped file instead of the indexes above (a large catalog), and
    /// the number `orgIndexes` gives each of its orgs.
    private var indexFile: VariantIndexFile?
    private var indexFileOrgs: [Int] = []

    public init(orgs: [Org] = [], locations: [Location] = [], variants: [Variant] = [], users: [User] = []) {
        for org in orgs {
            self.orgs[org.orgID] = org
            _ = orgIndex(org.orgID)
        }
        for location in locations {
            self.locations[location.locationID] = location
            locationKeys[location.locationID] = Int(location.id)
            if let name = location.name, !name.isEmpty {
                let byKey = locationsByKey
                locationKeysByName.add(name, value: Int(location.id), id: location.locationID) { byKey[Int64($0)]?.locationID ?? "" }
            }
            locationsByKey[location.id] = location
        }
        for user in users { self.users[user.userID] = user }
        reserve(variants: variants.count, idBytes: variants.reduce(0) { $0 + $1.variantID.utf8.count })
        for variant in variants { add(variant) }
    }

    /// A catalog whose variants are those of a mapped index file, looked up there.
    public init(orgs: [Org], locations: [Location], users: [User], indexFile: VariantIndexFile) {
        self.init(orgs: orgs, locations: locations, users: users)
        self.indexFile = indexFile
        indexFileOrgs = indexFile.orgIDs.map { orgIndex($0) }
    }

    /// Sizes the indexes for `count` variants (ids of about `idBytes` in all) before any is
    /// added: a hundred thousand variants grew each index a dozen times.
    public mutating func reserve(variants count: Int, idBytes: Int? = nil) {
        let idBytes = idBytes ?? count * 16
        variantByID = TextIndex(capacity: count, bytes: idBytes)
        variantBySKU = SharedKeyIndex(capacity: count, bytes: idBytes)
        variantByBarcode = SharedKeyIndex(capacity: count, bytes: count * 14)
        variantByProduct = SharedKeyIndex(capacity: count, bytes: idBytes)
        variantIDEntries.reserveCapacity(count)
        variantKeys.reserveCapacity(count)
        facts.reserveCapacity(count)
    }

    private mutating func orgIndex(_ orgID: String) -> Int {
        if let lastOrg, lastOrg.orgID == orgID { return lastOrg.index }
        if let index = orgIndexes[orgID] {
            lastOrg = (orgID, index)
            return index
        }
        orgIndexes[orgID] = orgIndexes.count
        orgIDs.append(orgID)
        return orgIndexes.count - 1
    }

    /// The small integer of an org id, nil for an org no variant or org row names.
    public func orgIndex(of orgID: String) -> Int? { orgIndexes[orgID] }

    /// Adds a variant, in catalog order (after `reserve`, when many are added); a mapped
    /// catalog's variants are its file's, and one added is not looked up.
    public mutating func add(_ variant: Variant) {
        let index = facts.count
        facts.append(VariantFacts(
            id: variant.id, unitCostMinor: variant.unitCostMinor, isLocationAware: variant.isLocationAware,
            orgIndex: orgIndex(variant.orgID)))
        variantIDEntries.append(Int32(variantByID.setting(variant.variantID, to: index)))
        // Copies, so that a shared key names earlier variants while the other indexes change.
        let (byID, idEntries) = (variantByID, variantIDEntries)
        let idOf = { (earlier: Int) in byID.key(ofEntry: Int(idEntries[earlier])) }
        func kept(_ key: String?, _ add: (String) -> Int) -> Int32 {
            guard let key else { return StoredKeys.none }
            return key.isEmpty ? StoredKeys.empty : Int32(add(key))
        }
        let sku = kept(variant.sku) { variantBySKU.add($0, value: index, id: variant.variantID, idOf: idOf) }
        let barcode = kept(variant.barcode) { barcode in
            if let digits = Self.significantDigits(barcode) {
                variantByBarcodeDigits.add(digits, value: index, id: variant.variantID, idOf: idOf)
            }
            return variantByBarcode.add(barcode, value: index, id: variant.variantID, idOf: idOf)
        }
        let product = kept(variant.productID) { variantByProduct.add($0, value: index, id: variant.variantID, idOf: idOf) }
        variantKeys.append(StoredKeys(sku: sku, barcode: barcode, product: product))
    }

    /// Whether the variants are looked up in a mapped index file.
    public var isMapped: Bool { indexFile != nil }

    public var variantCount: Int { indexFile?.variantCount ?? facts.count }

    /// Finds a variant by the kind of id the column holds; `.any` tries variant_id, sku,
    /// barcode, then a product with a single variant, in that order.
    public func variant(_ key: String, by kind: VariantKeyKind) -> Variant? {
        variantIndex(key, by: kind).map(variant(at:))
    }

    /// The index of a variant for `facts(at:)` and `variant(at:)`.
    public func variantIndex(_ key: some InputText, by kind: VariantKeyKind) -> Int? {
        if let indexFile { return key.withBytes { indexFile.variantIndex($0, by: kind) } }
        switch kind {
        case .variantID: return variantByID.value(for: key)
        case .sku: return variantBySKU.value(for: key)
        case .barcode: return variantByBarcode.value(for: key)
        case .productID: return variantByProduct.value(for: key)
        case .any:
            if let index = variantByID.value(for: key) { return index }
            // A shared sku or barcode names no variant, rather than the next kind's.
            if let found = variantBySKU.entry(for: key) { return found.value }
            if let found = variantByBarcode.entry(for: key) { return found.value }
            return variantByProduct.value(for: key)
        }
    }

    /// The variant whose all-digit barcode `key` is once its lost leading zeros are put back:
    /// only where exactly one catalog barcode fits (nil for none, or several).
    public func variantIndex(barcodeWithoutLeadingZeros key: some InputText) -> Int? {
        guard let digits = Self.significantDigits(key.string) else { return nil }
        if let indexFile { return digits.withBytes { indexFile.variantIndex(digits: $0) } }
        return variantByBarcodeDigits.value(for: digits)
    }

    /// An all-digit text without its leading zeros; nil when it has anything but digits.
    static func significantDigits(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let digits = text.drop { $0 == "0" }
        return digits.isEmpty ? nil : String(digits)
    }

    /// Why `key` names no single variant where several have it: a shared sku or barcode, or a
    /// product with several variants; nil when none has it.
    public func ambiguity(_ key: String, by kind: VariantKeyKind) -> (what: String, variants: [String])? {
        let kinds: [VariantKeyKind] = kind == .any ? [.sku, .barcode, .productID] : [kind]
        for kind in kinds {
            let variants: [String] = switch kind {
            case .productID: variantIDs(ofProduct: key)
            case .sku: indexFile?.ids(sharing: key, in: .sku) ?? variantBySKU.ids(sharing: key)
            case .barcode: indexFile?.ids(sharing: key, in: .barcode) ?? variantByBarcode.ids(sharing: key)
            case .variantID, .any: []
            }
            if variants.count > 1 { return ("\(kind == .productID ? "product" : kind.rawValue) \(key)", variants) }
        }
        return nil
    }

    public func facts(at index: Int) -> VariantFacts {
        guard let indexFile else { return facts[index] }
        return facts(stored: indexFile.facts(at: index))
    }

    private func facts(stored: VariantIndexFile.Facts) -> VariantFacts {
        VariantFacts(
            id: stored.id, unitCostMinor: stored.unitCostMinor, isLocationAware: stored.isLocationAware,
            orgIndex: indexFileOrgs.indices.contains(stored.org) ? indexFileOrgs[stored.org] : -1)
    }

    /// A row's variant, looked up with others ahead of its row's check: its index and facts,
    /// nil for none.
    public struct LookedUp: Sendable {
        public let variant: (index: Int, facts: VariantFacts)?
    }

    /// The variants `keys` name by `kind`, as `variantIndex(_:by:)` and `facts(at:)` say of
    /// each, looked up together: a mapped catalog reads its index a section at a time in the
    /// order of offsets, letting go of the pages behind (`VariantIndexFile.find(all:in:)`); by
    /// any kind, each kind's table in its turn. A catalog in memory looks each up alone.
    public func lookUp(_ keys: [UnsafeBufferPointer<UInt8>], by kind: VariantKeyKind) -> [LookedUp] {
        guard let indexFile else {
            return keys.map { key in LookedUp(variant: variantIndex(BorrowedText(key), by: kind).map { ($0, facts(at: $0)) }) }
        }
        let indexes = VariantIndexFile.table(of: kind).map { indexFile.find(all: keys, in: $0).map { $0?.variant } }
            ?? indexFile.variantIndexes(byAny: keys)
        let named = indexes.compactMap { $0 }
        var stored = indexFile.facts(ofAll: named).makeIterator()
        return indexes.map { index in
            guard let index, let facts = stored.next() else { return LookedUp(variant: nil) }
            return LookedUp(variant: (index, self.facts(stored: facts)))
        }
    }

    /// What each key finds, the keys of a kind looked up together (`lookUp(_:by:)`); nil for
    /// none given, or for every key of a catalog in memory (looked up alone as rows are checked).
    public func lookUp(each keys: [(key: UnsafeBufferPointer<UInt8>, kind: VariantKeyKind)?]) -> [LookedUp?] {
        var lookedUp = [LookedUp?](repeating: nil, count: keys.count)
        guard isMapped else { return lookedUp }
        // By kind of key (a file's rows name their variants by one, or a few).
        var kinds: [(kind: VariantKeyKind, positions: [Int], keys: [UnsafeBufferPointer<UInt8>])] = []
        for (position, named) in keys.enumerated() {
            guard let (key, kind) = named else { continue }
            let at = kinds.firstIndex { $0.kind == kind } ?? {
                kinds.append((kind, [], []))
                return kinds.count - 1
            }()
            kinds[at].positions.append(position)
            kinds[at].keys.append(key)
        }
        for batch in kinds {
            for (position, found) in zip(batch.positions, lookUp(batch.keys, by: batch.kind)) { lookedUp[position] = found }
        }
        return lookedUp
    }

    /// `lookUp(each:)` of keys given as text: their bytes copied end to end into one buffer.
    public func lookUp(eachText keys: [(key: String, kind: VariantKeyKind)?]) -> [LookedUp?] {
        guard isMapped else { return [LookedUp?](repeating: nil, count: keys.count) }
        var bytes: [UInt8] = []
        let named = keys.map { named in
            named.map { named in
                let start = bytes.count
                bytes += named.key.utf8
                return (range: start ..< bytes.count, kind: named.kind)
            }
        }
        return bytes.withUnsafeBufferPointer { bytes in
            lookUp(each: named.map { $0.map { (UnsafeBufferPointer(rebasing: bytes[$0.range]), $0.kind) } })
        }
    }

    /// The internal id of a location, by its text id.
    public func locationKey(_ locationID: some InputText) -> Int64? { locationKeys.value(for: locationID).map(Int64.init) }

    /// The internal id of a location, by its name.
    public func locationKey(named name: some InputText) -> Int64? { locationKeysByName.value(for: name).map(Int64.init) }

    /// The location ids of a name several locations share (empty when one or none has it).
    public func locationIDs(sharingName name: String) -> [String] { locationKeysByName.ids(sharing: name) }

    /// A location by its internal id.
    public func location(key: Int64) -> Location? { locationsByKey[key] }

    /// The variant ids of a product that has several, in catalog order (empty for one or none).
    public func variantIDs(ofProduct productID: String) -> [String] {
        indexFile?.ids(sharing: productID, in: .product) ?? variantByProduct.ids(sharing: productID)
    }

    public func variant(at index: Int) -> Variant {
        if let indexFile {
            let (keys, facts) = (indexFile.keys(at: index), self.facts(at: index))
            return Variant(
                id: facts.id, variantID: keys.id, productID: keys.product, orgID: orgIDs.indices.contains(facts.orgIndex) ? orgIDs[facts.orgIndex] : "",
                sku: keys.sku, barcode: keys.barcode, unitCostMinor: facts.unitCostMinor, isLocationAware: facts.isLocationAware)
        }
        let (facts, keys) = (facts[index], variantKeys[index])
        func text(_ entry: Int32, keptIn kept: SharedKeyIndex) -> String? {
            entry == StoredKeys.none ? nil : entry == StoredKeys.empty ? "" : kept.key(ofEntry: Int(entry))
        }
        return Variant(
            id: facts.id, variantID: variantByID.key(ofEntry: Int(variantIDEntries[index])), productID: text(keys.product, keptIn: variantByProduct),
            orgID: orgIDs[facts.orgIndex], sku: text(keys.sku, keptIn: variantBySKU), barcode: text(keys.barcode, keptIn: variantByBarcode),
            unitCostMinor: facts.unitCostMinor, isLocationAware: facts.isLocationAware)
    }

    /// Whether a product id names several variants (so it cannot name one).
    public func isAmbiguousProduct(_ key: String) -> Bool { variantIDs(ofProduct: key).count > 1 }
}

/// Which catalog id a row's variant column holds.
public enum VariantKeyKind: String, Sendable, CaseIterable {
    case variantID = "variant_id"
    case sku
    case barcode
    case productID = "product_id"
    /// A column named `product` or `variant`: any of the above.
    case any
}

extension Catalog {
    /// A row's variant that the catalog does not name: no such id, or one several variants
    /// share (naming them, and how to name one).
    func unknownVariant(_ key: String, by kind: VariantKeyKind, column: String, at: SourceLocation) -> Diagnostic {
        if let (what, variants) = ambiguity(key, by: kind) {
            return Diagnostic(
                .unknownVariant, at: at, "\(what) names several variants (\(variants.joined(separator: ", "))): name one by variant_id",
                input: key, context: ["variants": .list(variants)])
        }
        let named = kind == .any ? "id, sku or barcode" : column
        return Diagnostic(
            .unknownVariant, at: at, "no variant with this \(named) in the catalog: check the value or add the variant with `stockrecon catalog import`",
            input: key)
    }
}
