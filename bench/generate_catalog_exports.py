#!/usr/bin/env python3
"""Writes shop systems' exports of ROWS variants over the large-catalog benchmark's catalog
(generate_catalog.py: skus SKU-0000000…, barcodes 4000000000000…, locations LOC-01… named
"Location LOC-01"…) into FOLDER, in each preset's layout: Shopify (a row per variant and
location), Square and Lightspeed (a column per location), WooCommerce (every third variant
by its GTIN alone), Odoo ("[SKU] name") and ERPNext (a document's cells on its first row).
Beside each, PRESET-ROWS.expected: the balances it sets (sku,location_id,on_hand; none of 0).
Quantities stay under the approval thresholds, so that every row posts.
Usage: generate_catalog_exports.py VARIANTS ROWS FOLDER"""
import csv
import os
import random
import sys

variants, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(rows)
locations = [f"LOC-{i:02d}" for i in range(1, 21)]
three = locations[:3]
picked = rng.sample(range(variants), rows)


def name(location):
    return f"Location {location}"


def sku(index):
    return f"SKU-{index:07d}"


def write(preset, header, lines, expected, bom=False):
    with open(os.path.join(out, f"{preset}-{rows}.csv"), "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(lines)
    with open(os.path.join(out, f"{preset}-{rows}.expected"), "w") as f:
        for (s, location), quantity in sorted(expected.items()):
            if quantity != 0:
                f.write(f"{s},{location},{quantity}\n")


lines, expected = [], {}
for i in picked:
    location, quantity = rng.choice(locations), rng.randint(1, 40)
    lines.append([f"h{i}", f"Item {i}", "Title", "Default Title", "", "", "", "", sku(i), "", "", name(location), "", 0, 0, 0, quantity, quantity, ""])
    expected[(sku(i), location)] = quantity
write("shopify-inventory", ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name",
                            "Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name", "Incoming (not editable)",
                            "Unavailable (not editable)", "Committed (not editable)", "Available (not editable)",
                            "On hand (current)", "On hand (new)"], lines, expected)

lines, expected = [], {}
for i in picked:
    cells = []
    for location in three:
        quantity = rng.choice(["", rng.randint(0, 40)])
        cells += [quantity, ""]
        if quantity != "":
            expected[(sku(i), location)] = quantity
    lines.append([f"T{i}", f"Item {i}", "Regular", sku(i), "", "Bench", str(4000000000000 + i), "$1.00", "$0.50", "", ""] + cells)
write("square-item-library", ["Token", "Item Name", "Variation Name", "SKU", "Description", "Category", "GTIN", "Price",
                              "Default Unit Cost", "Default Vendor Name", "Default Vendor Code"]
      + [h for location in three for h in (f"Current Quantity {name(location)}", f"New Quantity {name(location)}")], lines, expected, bom=True)

lines, expected = [], {}
for i in picked:
    cells = []
    for location in three:
        quantity = rng.randint(-3, 40)
        cells += [quantity, 0]
        expected[(sku(i), location)] = quantity
    lines.append([f"a{i}", f"h{i}", sku(i), f"Item {i}", "1.00000", "2.00", 1] + cells)
outlet = lambda location: name(location).replace(" ", "_")
write("lightspeed-x-series", ["id", "handle", "sku", "name", "supply_price", "retail_price", "track_inventory"]
      + [h for location in three for h in (f"inventory_{outlet(location)}", f"reorder_point_{outlet(location)}")], lines, expected)

lines, expected = [], {}
for number, i in enumerate(picked):
    quantity = rng.randint(0, 40)
    lines.append([number, "simple", "" if number % 3 == 0 else sku(i), str(4000000000000 + i), f"Item {i}", 1, 1, quantity, "2.00"])
    expected[(sku(i), "LOC-01")] = quantity
write("woocommerce", ["ID", "Type", "SKU", "GTIN, UPC, EAN, or ISBN", "Name", "Published", "In stock?", "Stock", "Regular price"], lines, expected)

lines, expected = [], {}
for i in picked:
    location, quantity = rng.choice(locations), rng.randint(0, 40)
    lines.append([f"[{sku(i)}] Item {i}", name(location), "", "", "", quantity, "", 0, "2026-11-30", "Alice"])
    expected[(sku(i), location)] = quantity
write("odoo-quant", ["Product", "Location", "Lot/Serial Number", "Package", "Owner", "Quantity", "Counted Quantity", "Difference",
                     "Scheduled Date", "Assigned To"], lines, expected)

lines, expected = [], {}
for number, i in enumerate(picked):
    location, quantity = rng.choice(locations), rng.randint(0, 40)
    document = ["MAT-RECO-2026-00001", "Bench Org", "Stock Reconciliation", "14-08-2026", "17:30:00"] if number == 0 else [""] * 5
    lines.append(document + ["", sku(i), name(location), quantity, "2.50", "", ""])
    expected[(sku(i), location)] = quantity
write("erpnext-stock-reconciliation", ["ID", "Company", "Purpose", "Posting Date", "Posting Time", "ID (Items)", "Item Code (Items)",
                                       "Warehouse (Items)", "Quantity (Items)", "Valuation Rate (Items)", "Batch No (Items)",
                                       "Serial No (Items)"], lines, expected)
print(out)
