#!/usr/bin/env python3
"""Baseline for `tuanle bench`: DuckDB summing the raw report values.

Reads units.csv (id,parent_id,depth) and values.csv (unit_id,slot,value) from the
directory given as argument, and times, in DuckDB:
  - national: the national total of every slot from the raw values;
  - rebuild:  every unit's subtree sums, level by level from the deepest level up
              (the same result tuanle keeps as running sums).
Prints one JSON object: timings in milliseconds and checksums.
"""
import json
import sys
import time

import duckdb


def main(folder: str, repeats: int = 5) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE units AS SELECT * FROM read_csv_auto('{folder}/units.csv', header=true)")
    con.execute(f"CREATE TABLE vals AS SELECT * FROM read_csv_auto('{folder}/values.csv', header=true)")
    n_values = con.execute("SELECT COUNT(*) FROM vals").fetchone()[0]

    national = []
    total = None
    for _ in range(repeats):
        t = time.perf_counter()
        rows = con.execute("SELECT slot, SUM(value) FROM vals GROUP BY slot ORDER BY slot").fetchall()
        national.append((time.perf_counter() - t) * 1000)
        total = sum(r[1] for r in rows)

    max_depth = con.execute("SELECT MAX(depth) FROM units").fetchone()[0]
    rebuild = []
    checksum = None
    for _ in range(max(1, repeats // 2)):
        t = time.perf_counter()
        con.execute("CREATE OR REPLACE TABLE acc AS SELECT unit_id, slot, SUM(value) AS value FROM vals GROUP BY unit_id, slot")
        for depth in range(max_depth, 0, -1):
            con.execute(
                """
                INSERT INTO acc
                SELECT u.parent_id, a.slot, SUM(a.value)
                FROM acc a JOIN units u ON u.id = a.unit_id
                WHERE u.depth = ? AND u.parent_id IS NOT NULL
                GROUP BY u.parent_id, a.slot
                """,
                [depth],
            )
            # Fold duplicates (a unit's own values plus its children's) into one row.
            con.execute("CREATE OR REPLACE TABLE acc AS SELECT unit_id, slot, SUM(value) AS value FROM acc GROUP BY unit_id, slot")
        rebuild.append((time.perf_counter() - t) * 1000)
        checksum = con.execute("SELECT COUNT(*), SUM(value) FROM acc").fetchone()
    root_total = con.execute(
        "SELECT SUM(a.value) FROM acc a JOIN units u ON u.id = a.unit_id WHERE u.parent_id IS NULL"
    ).fetchone()[0]
    national.sort()
    rebuild.sort()
    print(json.dumps({
        "values": n_values,
        "national_ms_median": national[len(national) // 2],
        "rebuild_ms_median": rebuild[len(rebuild) // 2],
        "national_total": total,
        "root_total_after_rebuild": root_total,
        "rebuilt_rows": checksum[0],
        "duckdb_version": duckdb.__version__,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
