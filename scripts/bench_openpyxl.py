#!/usr/bin/env python3
"""Baseline for `tuanle bench` (workbook import): consolidating commune workbooks with
openpyxl, the way district and province staff do it today by hand or with a macro.

The folder given as argument holds one report workbook per commune, laid out as
FOLDER/<province code>/<district code>/<commune code>.xlsx (the files a district collects
from its communes, and a province from its districts). For every workbook the script
opens it, finds the table (the heading row "STT · Các hoạt động · Đơn vị · … · Ghi chú"),
reads every number cell of the value columns, and adds it to its district's sheet; then
adds the districts up per province and the provinces up for the nation, cell by cell.

Prints one JSON object: the time in seconds (from the first file opened to the national
sum), the counts, and the sums per cell address ("D12") for the nation and every province.

    python3 scripts/bench_openpyxl.py target/bench/sqlite/workbooks [--full-load]

By default workbooks are opened with `read_only=True, data_only=True`, openpyxl's fastest
documented way to read values (the fairest baseline); `--full-load` opens them the way a
naive script does (`load_workbook(path, data_only=True)`).
"""
import json
import os
import sys
import time
from collections import defaultdict

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

REPORT_SHEET = "Báo cáo"


def value_columns(row):
    """The value columns (0-based) if `row` is the table's heading row, else []."""
    cells = [str(v).strip() if v is not None else "" for v in row]
    if "STT" in cells and "Đơn vị" in cells:
        first = cells.index("Đơn vị") + 1
        last = cells.index("Ghi chú") if "Ghi chú" in cells else len(cells)
        return list(range(first, last))
    return []


def read_workbook(path, read_only):
    """Every number of the table of one workbook: {"D12": value}."""
    wb = load_workbook(path, read_only=read_only, data_only=True)
    try:
        ws = wb[REPORT_SHEET] if REPORT_SHEET in wb.sheetnames else wb.active
        rows = ws.iter_rows(values_only=True)
        header_row, columns = 0, []
        for number, row in enumerate(rows, start=1):
            columns = value_columns(row)
            if columns:
                header_row = number
                break
        if not columns:
            raise ValueError(f"{path}: không tìm thấy bảng (dòng STT … Đơn vị … Ghi chú)")
        letters = {j: get_column_letter(j + 1) for j in columns}
        out = {}
        for number, row in enumerate(rows, start=header_row + 1):
            for j in columns:
                if j < len(row):
                    v = row[j]
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        out[f"{letters[j]}{number}"] = int(v)
        return out
    finally:
        wb.close()


def add(into, cells):
    for k, v in cells.items():
        into[k] += v


def main(folder, read_only=True):
    files = []
    for province in sorted(os.listdir(folder)):
        pdir = os.path.join(folder, province)
        if not os.path.isdir(pdir):
            continue
        for district in sorted(os.listdir(pdir)):
            ddir = os.path.join(pdir, district)
            for name in sorted(os.listdir(ddir)):
                if name.endswith(".xlsx"):
                    files.append((province, district, os.path.join(ddir, name)))

    t = time.perf_counter()
    districts = defaultdict(lambda: defaultdict(int))
    for province, district, path in files:
        add(districts[(province, district)], read_workbook(path, read_only))
    provinces = defaultdict(lambda: defaultdict(int))
    for (province, _), sums in districts.items():
        add(provinces[province], sums)
    nation = defaultdict(int)
    for sums in provinces.values():
        add(nation, sums)
    seconds = time.perf_counter() - t

    print(json.dumps({
        "seconds": seconds,
        "mode": "read_only" if read_only else "full_load",
        "openpyxl": __import__("openpyxl").__version__,
        "files": len(files),
        "districts": len(districts),
        "provinces": len(provinces),
        "nation": dict(nation),
        "by_province": {p: dict(s) for p, s in provinces.items()},
    }))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit("usage: bench_openpyxl.py FOLDER [--full-load]")
    main(args[0], read_only="--full-load" not in sys.argv)
