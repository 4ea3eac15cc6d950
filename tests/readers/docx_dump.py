#!/usr/bin/env python3
"""Reads a DOCX with python-docx and prints what a person would read, as JSON:
{"paragraphs": [...body paragraphs...], "tables": [[[cell text, ...], ...], ...],
 "fonts": [font names in styles and runs], "section": {page and margin sizes in mm}}.
Used by the Rust tests of crates/documents and crates/web (a real reader, not our own code)."""
import json
import sys

import docx  # python-docx

d = docx.Document(sys.argv[1])
fonts = set()
for p in d.paragraphs:
    for r in p.runs:
        if r.font.name:
            fonts.add(r.font.name)
try:
    rpr = d.styles.element.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rPrDefault")
    if rpr is not None:
        for el in rpr.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts"):
            for v in el.attrib.values():
                fonts.add(v)
except Exception:
    pass
tables = []
for t in d.tables:
    rows = []
    for row in t.rows:
        rows.append([c.text for c in row.cells])
    tables.append(rows)
s = d.sections[0]
mm = lambda v: round(v / 36000, 1) if v is not None else None
out = {
    "paragraphs": [p.text for p in d.paragraphs],
    "tables": tables,
    "fonts": sorted(fonts),
    "section": {
        "page_width": mm(s.page_width),
        "page_height": mm(s.page_height),
        "top": mm(s.top_margin),
        "bottom": mm(s.bottom_margin),
        "left": mm(s.left_margin),
        "right": mm(s.right_margin),
    },
}
json.dump(out, sys.stdout, ensure_ascii=False)
