#!/usr/bin/env python3
"""Writes the large-catalog benchmark's data into FOLDER: VARIANTS variants (UUID ids, as
the synq benchmark's) over 20 locations in one org, products of one to three variants, and
synq CSVs of 1,000 and of ROWS rows over them (every row under the approval thresholds, so
that every row posts), plus the same ROWS rows with quantities of 60 to 99 (every row held).
Usage: generate_catalog.py VARIANTS ROWS FOLDER"""
import os
import random
import sys
import uuid

count = int(sys.argv[1])
rows = int(sys.argv[2])
out = sys.argv[3]
os.makedirs(out, exist_ok=True)
rng = random.Random(29)
variants = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]
locations = [f"LOC-{i:02d}" for i in range(1, 21)]

with open(os.path.join(out, "orgs.csv"), "w") as f:
    f.write("org_id,name,default_location_id\nbench,Bench Org,LOC-01\n")
with open(os.path.join(out, "locations.csv"), "w") as f:
    f.write("location_id,site_id,name\n")
    for loc in locations:
        f.write(f"{loc},site-1,Location {loc}\n")
with open(os.path.join(out, "users.csv"), "w") as f:
    f.write("user_id,role\nboss,manager\n")
with open(os.path.join(out, "variants.csv"), "w", buffering=1 << 20) as f:
    f.write("variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n")
    product = 0
    for i, v in enumerate(variants):
        if rng.random() < 0.5:
            product += 1
        f.write(f"{v},P{product:07d},bench,SKU-{i:07d},{4000000000000 + i},{rng.randint(10, 1200) / 100:.2f},false\n")


def synq(path, n, held):
    with open(path, "w", buffering=1 << 20) as f:
        f.write("variant_id,location_id,quantity_delta,reference_id,notes\n")
        chunk = []
        for i in range(n):
            quantity = rng.randint(60, 99) if held else rng.randint(1, 40)
            delta = quantity * (1 if rng.random() < 0.7 else -1)
            chunk.append(f"{rng.choice(variants)},{rng.choice(locations)},{delta},REF-{i:07d},\"note {i % 97}\"\n")
            if len(chunk) == 10000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))


synq(os.path.join(out, "synq-1000.csv"), 1000, False)
synq(os.path.join(out, f"synq-{rows}.csv"), rows, False)
synq(os.path.join(out, f"held-{rows}.csv"), rows, True)
print(out)
