#!/usr/bin/env python3
"""Writes the stocktake benchmark's data into FOLDER: a catalog of ITEMS variants at one
location (org cnt, users boss and counter), a synq CSV of MOVEMENTS rows spread over them
(quantities 1 to 9, costs up to 9.99: every row posts), and a count sheet with one line
per variant whose counted quantity is off by -3..+3 for a third of them (the rest blank
cells are counted at their posted total, worked out here)."""
import os
import random
import sys

items = int(sys.argv[1])
movements = int(sys.argv[2])
out = sys.argv[3]
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
with open(os.path.join(out, "orgs.csv"), "w") as f:
    f.write("org_id,name,default_location_id\ncnt,Count Org,WH\n")
with open(os.path.join(out, "locations.csv"), "w") as f:
    f.write("location_id,site_id,name\nWH,s1,Warehouse\n")
with open(os.path.join(out, "users.csv"), "w") as f:
    f.write("user_id,role\nboss,manager\ncounter,staff\n")
with open(os.path.join(out, "variants.csv"), "w") as f:
    f.write("variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n")
    for i in range(items):
        f.write(f"V{i:07d},P{i:07d},cnt,SKU-{i:07d},{5000000000000 + i},{rng.randint(1, 999) / 100:.2f},false\n")
on_hand = [0] * items
with open(os.path.join(out, f"movements-{movements}.csv"), "w") as f:
    f.write("variant_id,location_id,quantity_delta\n")
    lines = []
    for n in range(movements):
        i = rng.randrange(items)
        q = rng.randint(1, 9)
        on_hand[i] += q
        lines.append(f"V{i:07d},WH,{q}\n")
        if len(lines) == 100_000:
            f.writelines(lines)
            lines = []
    f.writelines(lines)
with open(os.path.join(out, f"sheet-{items}.csv"), "w") as f:
    f.write("sku,location_id,counted_quantity\n")
    for i in range(items):
        off = rng.randint(-3, 3) if i % 3 == 0 else 0
        f.write(f"SKU-{i:07d},WH,{max(on_hand[i] + off, 0)}\n")
