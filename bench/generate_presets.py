#!/usr/bin/env python3
"""Writes exports in shop systems' layouts over the benchmark's catalog (generate.py):
a Shopify inventory export of N rows and the same rows as canonical CSV (sku, location,
quantity_after, set), and a Square item library of M rows with 10 location column pairs,
one row per variation as Square writes it, with a catalog of those M variations."""
import os
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
square_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
out = os.path.join(os.path.dirname(__file__), "data")
rng = random.Random(7)
skus = [f"SKU-{i:05d}" for i in range(5000)]
locations = [f"LOC-{i:02d}" for i in range(1, 21)]

shopify = os.path.join(out, f"shopify-{rows}.csv")
canonical = os.path.join(out, f"canonical-set-{rows}.csv")
with open(shopify, "w", buffering=1 << 20) as s, open(canonical, "w", buffering=1 << 20) as c:
    s.write("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,"
            "Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),"
            "Available (not editable),On hand (current),On hand (new)\n")
    c.write("sku,location_id,quantity_after,transaction_type\n")
    for i in range(rows):
        sku, loc, qty = rng.choice(skus), rng.choice(locations), rng.randint(1, 40)
        s.write(f"item-{sku.lower()},Item {sku},Title,Default Title,,,,,{sku},,,Location {loc},,0,0,0,{qty},{qty},\n")
        c.write(f"{sku},{loc},{qty},set\n")

square = os.path.join(out, f"square-{square_rows}.csv")
square_variants = os.path.join(out, f"variants-square-{square_rows}.csv")
with open(square, "w", buffering=1 << 20) as f, open(square_variants, "w", buffering=1 << 20) as v:
    pairs = [f"Current Quantity Location {loc},New Quantity Location {loc}" for loc in locations[:10]]
    f.write("Token,Item Name,Variation Name,SKU,Description,Category,GTIN,Price,Default Unit Cost,Default Vendor Name,"
            "Default Vendor Code," + ",".join(pairs) + "\n")
    v.write("variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n")
    for i in range(square_rows):
        sku = f"SQ-{i:06d}"
        v.write(f"SQV-{i:06d},SQP-{i:06d},bench,{sku},{5000000000000 + i},0.50,false\n")
        cells = ",".join(f"{rng.randint(0, 40)},{rng.randint(0, 40)}" for _ in range(10))
        f.write(f"T{i},Item {sku},Regular,{sku},,Bench,,$1.00,$0.50,,,{cells}\n")
print(shopify, canonical, square, square_variants)
