#!/usr/bin/env python3
"""Writes the benchmark's data: a catalog of 5,000 variants over 20 locations, and a synq
CSV of N valid rows (five columns, a quoted free-text notes column; ~78 bytes a row).
Costs (0.10 to 12.00) and quantities (1 to 40) keep every row under the approval
thresholds (50 units, 500.00), so that every row posts."""
import os
import random
import sys
import uuid

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "data")
os.makedirs(out, exist_ok=True)
rng = random.Random(42)
variants = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5000)]
locations = [f"LOC-{i:02d}" for i in range(1, 21)]

with open(os.path.join(out, "orgs.csv"), "w") as f:
    f.write("org_id,name,default_location_id\nbench,Bench Org,LOC-01\n")
with open(os.path.join(out, "locations.csv"), "w") as f:
    f.write("location_id,site_id,name\n")
    for loc in locations:
        f.write(f"{loc},site-1,Location {loc}\n")
with open(os.path.join(out, "variants.csv"), "w") as f:
    f.write("variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n")
    for i, v in enumerate(variants):
        f.write(f"{v},P{i:05d},bench,SKU-{i:05d},{4000000000000 + i},{rng.randint(10, 1200) / 100:.2f},false\n")

words = ["restock", "damaged", "shelf", "count", "found", "returned", "bin", "aisle", "promo", "transfer"]
path = os.path.join(out, f"synq-{rows}.csv")
with open(path, "w", buffering=1 << 20) as f:
    f.write("variant_id,location_id,quantity_delta,reference_id,notes\n")
    chunk = []
    for i in range(rows):
        delta = rng.randint(1, 40) * (1 if rng.random() < 0.7 else -1)
        note = f"{rng.choice(words)}, {rng.choice(words)} {rng.randint(1, 999)}"
        chunk.append(f"{rng.choice(variants)},{rng.choice(locations)},{delta},REF-{i:07d},\"{note}\"\n")
        if len(chunk) == 10000:
            f.write("".join(chunk))
            chunk.clear()
    f.write("".join(chunk))
print(path)
