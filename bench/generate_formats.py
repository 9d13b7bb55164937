#!/usr/bin/env python3
"""Writes the format benchmark's files for N rows, from the catalog generate.py made:
the same rows as a dayzero CSV and a dayzero JSON array; canonical CSVs with and without
natural keys; a haravan listing (adjustments of 10 line items, each with an id) and its
re-export with 1,000 more line items."""
import json
import os
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "data")
rng = random.Random(7)
variants = [line.split(",")[0] for line in open(os.path.join(out, "variants.csv")).read().splitlines()[1:]]
locations = [f"LOC-{i:02d}" for i in range(1, 21)]
reasons = ["damaged", "found", "recount", "returned"]
data = [(rng.choice(variants), rng.choice(locations), rng.randint(1, 40) * (1 if rng.random() < 0.7 else -1), rng.choice(reasons))
        for _ in range(rows + 1000)]

def write(name, lines):
    with open(os.path.join(out, name), "w", buffering=1 << 20) as f:
        for line in lines:
            f.write(line)

write(f"dayzero-{rows}.csv", ["variant_id,location_id,quantity_change,reason\n"] + [f"{v},{l},{q},{r}\n" for v, l, q, r in data[:rows]])
write(f"dayzero-{rows}.json", ["[\n"] + [("," if i else "") + json.dumps({"variant_id": v, "location_id": l, "quantity_change": q, "reason": r}) + "\n"
                                          for i, (v, l, q, r) in enumerate(data[:rows])] + ["]\n"])
write(f"canonical-nokeys-{rows}.csv", ["variant_id,location_id,quantity_delta,reason_code\n"] + [f"{v},{l},{q},{r}\n" for v, l, q, r in data[:rows]])
write(f"canonical-keys-{rows}.csv", ["idempotency_key,variant_id,location_id,quantity_delta,reason_code\n"]
      + [f"li-{i + 1},{v},{l},{q},{r}\n" for i, (v, l, q, r) in enumerate(data[:rows])])

def listing(count):
    yield '{"adjustments": [\n'
    for start in range(0, count, 10):
        items = [{"id": f"li-{i + 1}", "product_variant_id": data[i][0], "quantity": data[i][2]} for i in range(start, min(start + 10, count))]
        adjustment = {"id": start // 10 + 1, "location_id": data[start][1], "type": "adjust", "reason": "newproduct", "line_items": items}
        yield ("," if start else "") + json.dumps(adjustment) + "\n"
    yield "]}\n"

write(f"haravan-{rows}.json", listing(rows))
write(f"haravan-{rows}-plus-1000.json", listing(rows + 1000))
