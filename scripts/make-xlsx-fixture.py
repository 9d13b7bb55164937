#!/usr/bin/env python3
"""Writes fixtures/exports/stocktake.xlsx by hand (zip + XML, no spreadsheet library), so
that every kind of cell the XLSX reader handles is in it: shared strings (a barcode with
leading zeros stays text), an inline string, numbers written 8, 8.0, 8.5 and as a binary
double's long text, a date-formatted serial, a boolean, a second sheet chosen by name."""
import os
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "fixtures", "exports", "stocktake.xlsx")

shared = ["Barcode", "Counted", "Note", "Counted at", "0012345678905", "4006381333948", " back room ", "4006381333931"]
def s(ref, index): return f'<c r="{ref}" t="s"><v>{index}</v></c>'
def n(ref, value, style=None): return f'<c r="{ref}"{f" s={chr(34)}{style}{chr(34)}" if style else ""}><v>{value}</v></c>'
def inline(ref, text): return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

rows = [
    (1, [s("A1", 0), s("B1", 1), s("C1", 2), s("D1", 3)]),
    (2, [s("A2", 4), n("B2", "8"), s("C2", 6), n("D2", "46346.5", 1)]),
    (3, [s("A3", 5), n("B3", "8.0"), inline("C3", "inline note"), n("D3", "46346", 1)]),
    (5, [s("A5", 7), n("B5", "8.5")]),
    (6, [inline("A6", "4006381333955"), n("B6", "12.300000000000001"), '<c r="C6" t="b"><v>1</v></c>']),
]
sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         + "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in rows) + '</sheetData></worksheet>')
notes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>This sheet is not the count</t></is></c></row></sheetData></worksheet>')
workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Stock" sheetId="2" r:id="rId2"/></sheets></workbook>')
rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
        '</Relationships>')
sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">'
       + "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in shared) + '</sst>')
styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts>'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>')
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in [("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", rels), ("xl/sharedStrings.xml", sst),
                       ("xl/styles.xml", styles), ("xl/worksheets/sheet1.xml", notes), ("xl/worksheets/sheet2.xml", sheet)]:
        info = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 0, 0, 0))
        z.writestr(info, text, zipfile.ZIP_DEFLATED)
print(path)
# The same workbook as a ZIP64 archive (sizes and offsets in ZIP64 records), as some writers
# make even for small files.
zipfile.ZIP64_LIMIT = 0
zip64 = path.replace(".xlsx", "-zip64.xlsx")
with zipfile.ZipFile(path) as source, zipfile.ZipFile(zip64, "w", zipfile.ZIP_DEFLATED) as z:
    for info in source.infolist():
        z.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
print(zip64)
