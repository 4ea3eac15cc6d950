#!/usr/bin/env python3
"""Fill cells of a workbook with openpyxl, as a person editing it in Excel would.

usage: xlsx_fill.py IN.xlsx OUT.xlsx CELLS_JSON
CELLS_JSON: {"Báo cáo": {"D10": 3, "F10": "ghi chú", "D11": "=SUM(D9:D10)"}, "tuanle": {"B4": "2"}}
Numbers are written as numbers, strings as text (a string starting with "=" is a formula).
Used by the Rust tests (crates/app/tests/workbooks.rs); fails loudly if openpyxl is missing.
"""
import json
import sys

import openpyxl


def main() -> None:
    src, dst, cells = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    wb = openpyxl.load_workbook(src)
    for sheet, values in cells.items():
        ws = wb[sheet]
        for ref, value in values.items():
            ws[ref].value = value
    wb.save(dst)


if __name__ == "__main__":
    main()
