extension Catalog {
    /// A variant as a backend reads it, its texts lent for one call: a variant index is written
    /// from a million of them without a string made for each.
    public struct BorrowedVariant {
        public var id: Int64
        public var variantID: BorrowedText
        public var productID: BorrowedText?
        public var orgID: BorrowedText
        public var sku: BorrowedText?
        public var barcode: BorrowedText?
        public var unitCostMinor: Int64?
        public var isLocationAware: Bool

        public init(
            id: Int64, variantID: BorrowedText, productID: BorrowedText?, orgID: BorrowedText, sku: BorrowedText?,
            barcode: BorrowedText?, unitCostMinor: Int64?, isLocationAware: Bool
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
}

extension Catalog.Variant {
    /// The variant a borrowed one lends, its texts copied (bytes that are not UTF-8 repaired, as
    /// any text read into a string is).
    public init(_ borrowed: Catalog.BorrowedVariant) {
        self.init(
            id: borrowed.id, variantID: borrowed.variantID.string, productID: borrowed.productID?.string,
            orgID: borrowed.orgID.string, sku: borrowed.sku?.string, barcode: borrowed.barcode?.string,
            unitCostMinor: borrowed.unitCostMinor, isLocationAware: borrowed.isLocationAware)
    }

    /// Lends this variant's texts to `body`.
    public func withBorrowed<Result>(_ body: (Catalog.BorrowedVariant) throws -> Result) rethrows -> Result {
        func lend(_ text: String?, _ body: (BorrowedText?) throws -> Result) rethrows -> Result {
            guard var text else { return try body(nil) }
            return try text.withUTF8 { try body(BorrowedText($0)) }
        }
        return try lend(variantID) { variantID in
            try lend(productID) { productID in
                try lend(orgID) { orgID in
                    try lend(sku) { sku in
                        try lend(barcode) { barcode in
                            try body(Catalog.BorrowedVariant(
                                id: id, variantID: variantID ?? BorrowedText(""), productID: productID, orgID: orgID ?? BorrowedText(""),
                                sku: sku, barcode: barcode, unitCostMinor: unitCostMinor, isLocationAware: isLocationAware))
                        }
                    }
                }
            }
        }
    }
}
