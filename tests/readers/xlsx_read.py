#!/usr/bin/env python3
"""Read a workbook with openpyxl and print what a reader sees, as JSON.

usage: xlsx_read.py FILE.xlsx
Output: {sheet: {"state": "visible"|"hidden"|"veryHidden", "protected": bool,
                 "cells": {"A1": value, ...}, "unlocked": ["D10", ...],
                 "validations": [{"type": "whole", "operator": "greaterThanOrEqual",
                                  "formula1": "0", "sqref": "D10"}, ...]}}
Used by the Rust tests; fails loudly if openpyxl is missing.
"""
import json
import sys

import openpyxl


def main() -> None:
    wb = openpyxl.load_workbook(sys.argv[1])
    out = {}
    for ws in wb.worksheets:
        cells, unlocked = {}, []
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells[c.coordinate] = c.value
                if c.protection is not None and c.protection.locked is False:
                    unlocked.append(c.coordinate)
        out[ws.title] = {
            "state": ws.sheet_state,
            "protected": bool(ws.protection.sheet),
            "cells": cells,
            "unlocked": unlocked,
            "validations": [
                {"type": dv.type, "operator": dv.operator, "formula1": dv.formula1, "sqref": str(dv.sqref)}
                for dv in ws.data_validations.dataValidation
            ],
        }
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
