#!/usr/bin/env python3
"""Writes fixtures/counts/year-end-back-room.xlsx by hand (zip + XML): a count sheet keyed
by barcode (kept as text), counted quantities as number cells (6 and 13.0), and notes that
try a formula and a script, for the stocktake pipeline and the browser check."""
import os
import zipfile
from xml.sax.saxutils import escape

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "fixtures", "counts", "year-end-back-room.xlsx")
rows = [["barcode", "location_id", "counted_quantity", "notes"],
        ["4006381333948", "WH-BACK", 6, "=1+1"],
        ["4006381333955", "STORE-1", 13.0, "<script>document.title='pwned'</script>"]]

def cell(ref, value):
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'

sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         + "".join(f'<row r="{r}">' + "".join(cell(f"{'ABCD'[c]}{r}", v) for c, v in enumerate(row)) + "</row>"
                   for r, row in enumerate(rows, 1))
         + "</sheetData></worksheet>")
main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
parts = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Back room" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": sheet,
}
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
    for name, text in parts.items():
        archive.writestr(zipfile.ZipInfo(name, (2026, 11, 23, 0, 0, 0)), text)
