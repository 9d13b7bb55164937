#!/usr/bin/env python3
"""Writes hostile input files for bench/hostile.sh into a folder: wide, long, deep, aliased,
a zip bomb, and files of a million refused rows; each is what an attacker or a broken export
might send."""
import os
import sys
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)

# 100,000 columns, one row.
write("wide.csv", ",".join(["variant_id", "quantity_delta"] + [f"c{i}" for i in range(100_000)]) + "\n"
      + ",".join(["1001", "1"] + ["x"] * 100_000) + "\n")
# One field of 64 MB (over the 1 MB field limit) in a quoted note.
with open(os.path.join(out, "long-field.csv"), "w") as f:
    f.write("variant_id,quantity_delta,notes\n1001,1,\"")
    chunk = "y" * (1 << 20)
    for _ in range(64):
        f.write(chunk)
    f.write("\"\n")
# A JSON document nested a million levels deep.
write("deep.json", "[" * 1_000_000 + "]" * 1_000_000)
# Nested aliases (billion laughs) in a mapping file, behind an apostrophe.
laughs = "note: it's\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for level in range(1, 15):
    laughs += f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
write("laughs.yaml", laughs + "columns: {variant: v, quantity: q}\n")
# A workbook whose sheet and shared strings each unzip to 600 MB (1.2 GB together).
with zipfile.ZipFile(os.path.join(out, "bomb.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    pad = "<!--" + "z" * (600 << 20) + "-->"
    z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet><sheetData>' + pad + "</sheetData></worksheet>")
    z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst>' + pad + "</sst>")
# A catalog file and a count sheet of a million rows, every one refused: the refusals must be
# written as they come, not held (a catalog load held them to 171 MB, a count sheet to 270 MB).
with open(os.path.join(out, "rejected-catalog.csv"), "w") as f:
    f.write("variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n")
    f.writelines(f"V{i:07d},P{i // 3:07d},acme,SKU-{i:07d},{4000000000000 + i},x{i % 100}.50,false\n" for i in range(1_000_000))
with open(os.path.join(out, "rejected-sheet.csv"), "w") as f:
    f.write("variant_id,location_id,counted_quantity\n")
    f.writelines(f"1001,WH-MAIN,x{i}\n" for i in range(1_000_000))
print(out)
