import Foundation

/// The fields a source row can give an adjustment: the `columns:` keys of a mapping file.
public enum MappedField: String, Sendable, CaseIterable, Hashable {
    case variant
    case quantity
    /// The new on-hand of a `set` row where a file keeps it apart from the change (canonical's `quantity_after`).
    case quantityAfter = "quantity_after"
    /// How a row changes stock, per row (`adjustment` or `set`; haravan's `adjust` or `set`).
    case transactionType = "transaction_type"
    /// An adjustment type column: free text, or a closed set where the format says so.
    case adjustmentType = "adjustment_type"
    case location
    /// The site the location must belong to (brand-api's `site_id`).
    case site
    case reason
    case reasonDescription = "reason_description"
    case reference
    case unitCost = "unit_cost"
    /// A unit cost in integer minor units (canonical's `unit_cost_minor`).
    case unitCostMinor = "unit_cost_minor"
    /// The cost of the whole line (haravan's `cost_amount`): the unit cost is it divided by the quantity.
    case totalCost = "total_cost"
    case occurredAt = "occurred_at"
    case notes
    case idempotencyKey = "idempotency_key"
    /// The time of day of `occurred_at` where a file keeps it in a column of its own (ERPNext's
    /// `Posting Time`): joined to the date, read by `date_format` and `time_format`.
    case occurredTime = "occurred_time"

    /// Free text is kept byte for byte (SPEC section 2); every other field is an id, a
    /// number, a code or a time, trimmed of surrounding spaces before it is matched.
    public var isFreeText: Bool { self == .notes || self == .reasonDescription || self == .reference }
}

/// A column that names the variant, and which catalog id it holds.
public struct VariantColumn: Sendable, Hashable {
    public var name: String
    public var kind: VariantKeyKind
    public init(_ name: String, _ kind: VariantKeyKind) {
        self.name = name
        self.kind = kind
    }
}

/// How to read one source's rows (SPEC section 6): which header holds each field, how
/// numbers, dates and reasons are written, and what the format implies for the rules.
/// Every built-in format is one (`SourceFormat.mapping`); a mapping file is another.
public struct ColumnMapping: Sendable {
    public enum Separator: String, Sendable, CaseIterable {
        case comma = ",", semicolon = ";", tab = "\t", auto
    }

    public enum DecimalMark: String, Sendable, CaseIterable {
        case point = ".", comma = ","
    }

    /// What a row's quantity is: a change, or the new on-hand (`set` semantics).
    public enum QuantityMeaning: String, Sendable, CaseIterable {
        case delta, onHand = "on_hand"
    }

    /// What a row's location names.
    public enum LocationKey: String, Sendable, CaseIterable {
        case locationID = "location_id", name
    }

    /// A wide sheet's quantity columns: those whose header matches `pattern` (its first group
    /// names the location), or the headers listed with their locations.
    public struct WideColumns: Sendable, Hashable {
        public var pattern: String?
        public var listed: [(header: String, location: String)]
        public var locationBy: LocationKey
        /// `_` in a header's location part stands for a space (Lightspeed's `inventory_Main_Outlet`).
        public var underscoresAreSpaces: Bool

        public init(pattern: String?, listed: [(header: String, location: String)], locationBy: LocationKey, underscoresAreSpaces: Bool) {
            self.pattern = pattern
            self.listed = listed
            self.locationBy = locationBy
            self.underscoresAreSpaces = underscoresAreSpaces
        }

        public static func == (lhs: WideColumns, rhs: WideColumns) -> Bool { lhs.description == rhs.description }
        public func hash(into hasher: inout Hasher) { hasher.combine(description) }

        /// The header pattern as an expression over a whole header, any case; nil without a
        /// pattern, or for one that is not a regular expression.
        public var headerExpression: NSRegularExpression? {
            pattern.flatMap { try? NSRegularExpression(pattern: "^(?:" + $0 + ")$", options: [.caseInsensitive]) }
        }

        /// Its meaning, in a fixed order.
        public var description: String {
            "pattern \(pattern ?? "") listed " + listed.map { "\($0.header)=\($0.location)" }.joined(separator: ",")
                + " by \(locationBy.rawValue) underscores \(underscoresAreSpaces)"
        }
    }

    /// Text encodings a file may be written in.
    public enum Encoding: String, Sendable, CaseIterable {
        case utf8 = "utf-8", windows1252 = "windows-1252", latin1 = "iso-8859-1"
        case utf16LittleEndian = "utf-16le", utf16BigEndian = "utf-16be"

        public var isUTF16: Bool { self == .utf16LittleEndian || self == .utf16BigEndian }
    }

    /// How the rows lie in a file: one a record, or haravan's line items inside adjustments.
    public enum Shape: Sendable {
        case rows, haravanAdjustments
    }

    /// The format's name, or the mapping file's path: said in messages.
    public var name: String
    /// What reads a file's bytes into rows: the built-in format, or the mapping's own text.
    /// Files read under one identity with the same bytes hold the same rows.
    public var identity: String
    public var shape: Shape = .rows
    public var separator: Separator = .auto
    public var decimalMark: DecimalMark = .point
    /// A wide sheet: columns that each hold one location's quantity (nil: one quantity column).
    public var quantityColumns: WideColumns?

    /// Columns whose blank cells take the value above them (ERPNext fills a document's cells
    /// on its first row only), by header name.
    public var fillDown: [String] = []
    /// A strptime-style format for an `occurred_time` column; nil for `%H:%M:%S`.
    public var timeFormat: String?

    /// The format `occurred_at` is read with: the date's, and the time's after a space where
    /// a column of its own holds the time.
    public var timestampFormat: String? {
        guard !names(.occurredTime).isEmpty else { return dateFormat }
        return (dateFormat ?? "%Y-%m-%d") + " " + (timeFormat ?? "%H:%M:%S")
    }

    /// The encoding of the file's text; UTF-16 is found by its byte-order mark whatever this says.
    public var encoding: Encoding = .utf8
    /// A separator between thousands (`1.200`), and the currency signs money may carry.
    public var thousandsSeparator: Character?
    public var currencySigns: [String] = []
    /// Quantity cells that mean "no quantity here" (`not stocked`), in lower case: the row is
    /// skipped and counted as unchanged, not rejected.
    public var noQuantityValues: [String] = []
    /// A blank quantity means no change (unchanged), as on a count sheet, not a missing field.
    public var isBlankQuantityUnchanged = false
    /// The XLSX sheet to read; nil for the first.
    public var sheet: String?
    /// The columns that may name the variant, tried in order in each row: the first filled one names it.
    public var variantColumns: [VariantColumn]
    /// Rows that set on-hand for an item (variant and location) a row of the same reference set
    /// before add to it (`repeated_items: add`: ERPNext's batches of one item), rather than
    /// set it again.
    public var addsRepeatedItems = false
    /// Headers a file must have to be read by this mapping though no field reads them
    /// (`required_columns`: what tells one system's layout from another's).
    public var requiredHeaders: [String] = []
    /// Columns a header may lack even where every named column is required (a fallback variant column).
    public var optionalColumns: Set<String> = []
    /// A regular expression whose first group is the variant's key inside its cell (Odoo's
    /// `[CODE] Name`); a cell it does not match is taken whole.
    public var variantPattern: String?
    /// Cells that a spreadsheet kept as text with a leading `'` (WooCommerce): the `'` is not
    /// part of an id or a number.
    public var dropsApostropheGuard = false
    /// The header names of the other fields, tried in order in each row.
    public var columns: [MappedField: [String]]
    public var quantityIs: QuantityMeaning = .delta
    public var locationBy: LocationKey = .locationID
    /// A strptime-style format for `occurred_at` (`%d.%m.%Y`); nil for ISO-8601.
    public var dateFormat: String?
    public var reasons = ReasonMap()
    /// Values used where a row leaves a field empty.
    public var defaults: [MappedField: String] = [:]
    /// What the values of the `transaction_type` column mean (lowercased); an empty one is a change.
    public var transactionTypes: [String: AdjustmentMode] = ["adjustment": .delta, "set": .set]
    /// Every row needs a reason (`reason_required`).
    public var requiresReason = false
    /// Quantities must be above zero (a receipt: a return to the supplier is an adjustment).
    public var requiresPositiveQuantity = false
    /// The reasons the source allows (lowercased); empty for free text.
    public var reasonChoices: [String] = []
    /// The adjustment type column holds one of `AdjustmentType`, and must be filled.
    public var isAdjustmentTypeClosed = false
    /// Every column the mapping names must be in the file's header (mapping files); built-in
    /// formats need only their variant, quantity and `requiredFields`.
    public var requiresEveryNamedColumn = false
    /// Fields besides the variant and the quantity that a file must have a column for.
    public var requiredFields: [MappedField] = []
    /// Where a mapping file names each header (by the header), to point at it in errors.
    public var origins: [String: SourceLocation] = [:]
    /// Members of a JSON wrapper object whose array holds the rows.
    public var jsonRowKeys: [String] = ["adjustments", "rows", "data", "items"]
    /// The longest field a row may hold, in bytes (`max_field_bytes` in a mapping file): a
    /// longer one is rejected at its row and field, never stored cut short or empty.
    public var maxFieldBytes = ColumnMapping.defaultMaxFieldBytes
    public static let defaultMaxFieldBytes = 1 << 20
    /// What a mapping may raise it to: both backends store a text of up to 1 GB.
    public static let maxFieldBytesLimit = 256 << 20

    public init(name: String, variantColumns: [VariantColumn], columns: [MappedField: [String]]) {
        self.name = name
        identity = "format \(name)"
        self.variantColumns = variantColumns
        self.columns = columns
    }

    /// How the file writes numbers beyond digits and its decimal mark.
    public var numberStyle: NumberStyle {
        NumberStyle(decimalMark: decimalMark == .comma ? "," : ".", thousandsSeparator: thousandsSeparator, currencySigns: currencySigns)
    }

    /// The header names a field may come from.
    public func names(_ field: MappedField) -> [String] { columns[field] ?? [] }

    /// Every header name the mapping reads, variant columns first.
    public var allColumnNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for name in variantColumns.map(\.name) + MappedField.allCases.flatMap({ self.names($0) }) + fillDown where seen.insert(name).inserted {
            names.append(name)
        }
        return names
    }
}
