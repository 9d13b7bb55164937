import StockReconCore

/// The exports shop systems write, each read by mappings like any other: data, written in
/// the mapping files' own words. An export has two roles: its books (what an import sets
/// on-hand to) and, where it has one, its count (what `count add` reads as counted).
public struct Preset: Sendable {
    public var name: String
    /// The system and the export to take from it, for people.
    public var source: String
    public var books: ColumnMapping
    public var counts: ColumnMapping?
}

public enum Presets {
    public static let all: [Preset] = definitions.compactMap { definition in
        // Written here and tested on their fixtures: a preset that does not parse is a bug, left out.
        guard let books = try? MappingFile.parse(definition.books, file: definition.name) else { return nil }
        let counts = definition.counts.flatMap { try? MappingFile.parse($0, file: definition.name + " (count)") }
        return Preset(name: definition.name, source: definition.source, books: books, counts: counts)
    }

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }

    /// Any header but Shopify's own columns (of every layout) is a location's: the group is its name.
    static let shopifyOldestLocation = #"^(?!(?:Handle|Title|Option[123] (?:Name|Value)|SKU|HS Code|COO|Location|Bin name|"#
        + #"(?:Incoming|Unavailable|Committed|Available)(?: \\(not editable\\))?|On hand(?: \\((?:current|new)\\))?)$)(.+)$"#

    /// The definitions, each a mapping file's text (and a second one for the count role).
    static let definitions: [(name: String, source: String, books: String, counts: String?)] = [
        (
            "shopify-inventory",
            "Shopify: Products > Inventory > Export (one row per variant and location)",
            """
            no_quantity: [not stocked]
            blank_quantity: unchanged
            columns:
              variant: SKU
              variant_by: sku
              quantity: On hand (current)
              quantity_is: on_hand
              location: Location
              location_by: name
            """,
            """
            no_quantity: [not stocked]
            columns:
              variant: SKU
              variant_by: sku
              quantity: On hand (new)
              location: Location
              location_by: name
            """
        ),
        (
            "shopify-inventory-older",
            "Shopify: the inventory export before On hand (current) and (new) (…,Available,On hand)",
            """
            no_quantity: [not stocked]
            blank_quantity: unchanged
            columns:
              variant: SKU
              variant_by: sku
              quantity: On hand
              quantity_is: on_hand
              location: Location
              location_by: name
            """,
            nil
        ),
        (
            "shopify-inventory-oldest",
            "Shopify: the oldest inventory export (…,Option3 Value,SKU, then one column of Available per location, named by it)",
            """
            no_quantity: [not stocked]
            blank_quantity: unchanged
            required_columns: [Handle, Title, Option1 Name, Option1 Value]
            columns:
              variant: SKU
              variant_by: sku
              quantity_is: on_hand
              quantity_columns:
                pattern: "\(shopifyOldestLocation)"
                location_by: name
            """,
            """
            no_quantity: [not stocked]
            required_columns: [Handle, Title, Option1 Name, Option1 Value]
            columns:
              variant: SKU
              variant_by: sku
              quantity_columns:
                pattern: "\(shopifyOldestLocation)"
                location_by: name
            """
        ),
        (
            "erpnext-stock-reconciliation",
            "ERPNext: Stock Reconciliation, Data Import template (a document's cells on its first row)",
            """
            date_format: "%d-%m-%Y"
            time_format: "%H:%M:%S"
            fill_down: [ID, Posting Date, Posting Time]
            repeated_items: add
            columns:
              variant: Item Code (Items)
              variant_by: any
              quantity: Quantity (Items)
              quantity_is: on_hand
              location: Warehouse (Items)
              location_by: name
              unit_cost: Valuation Rate (Items)
              occurred_at: Posting Date
              occurred_time: Posting Time
              reference: ID
            """,
            """
            date_format: "%d-%m-%Y"
            time_format: "%H:%M:%S"
            fill_down: [Posting Date, Posting Time]
            columns:
              variant: Item Code (Items)
              variant_by: any
              quantity: Quantity (Items)
              location: Warehouse (Items)
              location_by: name
              occurred_at: Posting Date
              occurred_time: Posting Time
            """
        ),
        (
            "odoo-quant",
            "Odoo: Inventory > Physical Inventory, exported (stock.quant)",
            """
            columns:
              variant: Product
              variant_by: any
              variant_pattern: '^\\[([^\\]]+)\\]'
              quantity: Quantity
              quantity_is: on_hand
              location: Location
              location_by: name
            """,
            """
            columns:
              variant: Product
              variant_by: any
              variant_pattern: '^\\[([^\\]]+)\\]'
              quantity: Counted Quantity
              location: Location
              location_by: name
            """
        ),
        (
            "square-item-library",
            "Square: Items > Export library (one row per variation, a Current and a New Quantity column per location)",
            """
            currency: ["$", "€", "£"]
            blank_quantity: unchanged
            columns:
              variant: SKU
              variant_by: sku
              variant_fallback: GTIN
              variant_fallback_by: barcode
              unit_cost: Default Unit Cost
              quantity_is: on_hand
              quantity_columns:
                pattern: "Current Quantity (.+)"
                location_by: name
            """,
            """
            columns:
              variant: SKU
              variant_by: sku
              variant_fallback: GTIN
              variant_fallback_by: barcode
              quantity_columns:
                pattern: "New Quantity (.+)"
                location_by: name
            """
        ),
        (
            "lightspeed-x-series",
            "Lightspeed X-Series (Vend): Products > Export (an inventory_<Outlet> column per outlet, `_` for spaces)",
            """
            blank_quantity: unchanged
            columns:
              variant: sku
              variant_by: sku
              quantity_is: on_hand
              quantity_columns:
                pattern: "inventory_(.+)"
                location_by: name
                underscores_are_spaces: true
            """,
            nil
        ),
        (
            "woocommerce",
            "WooCommerce: Products > Export (Stock blank where stock is not managed)",
            """
            blank_quantity: unchanged
            apostrophe_guard: true
            columns:
              variant: SKU
              variant_by: sku
              variant_fallback: "GTIN, UPC, EAN, or ISBN"
              variant_fallback_by: barcode
              quantity: Stock
              quantity_is: on_hand
            """,
            nil
        ),
    ]
}
