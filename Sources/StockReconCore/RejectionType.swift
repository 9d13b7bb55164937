/// The stable codes of SPEC section 3. Raw values are what the `rejections.type` column holds.
public enum RejectionType: String, Sendable, CaseIterable, Codable {
    case missingField = "missing_field"
    case invalidQuantity = "invalid_quantity"
    case zeroDelta = "zero_delta"
    case unknownVariant = "unknown_variant"
    case crossBrand = "cross_brand"
    case unknownLocation = "unknown_location"
    case locationRequired = "location_required"
    case reasonRequired = "reason_required"
    case unknownReason = "unknown_reason"
    case invalidCost = "invalid_cost"
    case invalidTimestamp = "invalid_timestamp"
    case conflictingDuplicate = "conflicting_duplicate"
    case negativeStock = "negative_stock"
    /// A closed-set field (such as `transaction_type`) holds a value outside its set.
    case invalidChoice = "invalid_choice"
    /// Free text holds a byte the database cannot store (PostgreSQL's text cannot hold NUL).
    case invalidText = "invalid_text"
    /// The whole file could not be read: nothing in it was posted.
    case unreadableFile = "unreadable_file"
    /// The file's bytes were imported before, read another way (another mapping or format):
    /// refused whole, nothing in it was posted.
    case readDifferently = "read_differently"
    /// A count sheet that counts exactly the items an earlier sheet of the count counted (a
    /// corrected copy, or the same sheet saved again): refused unless it replaces that sheet.
    case sheetCountedBefore = "sheet_counted_before"
}
