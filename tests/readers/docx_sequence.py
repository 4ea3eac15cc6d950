#!/usr/bin/env python3
"""Reads a DOCX with python-docx and prints its body in document order, as JSON: a list of
{"p": text} for paragraphs and {"table": [[[paragraph texts of a cell], ...], ...]} for tables
(rows, then cells, then the cell's paragraphs). Used by the Rust tests to check that every
element of an official document (Nghị định 30/2020) is present and in order."""
import json
import sys

import docx  # python-docx
from docx.table import Table
from docx.text.paragraph import Paragraph

d = docx.Document(sys.argv[1])
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
out = []
for el in d.element.body.iterchildren():
    if el.tag == W + "p":
        out.append({"p": Paragraph(el, d).text})
    elif el.tag == W + "tbl":
        t = Table(el, d)
        out.append({"table": [[[p.text for p in c.paragraphs] for c in r.cells] for r in t.rows]})
json.dump(out, sys.stdout, ensure_ascii=False)
