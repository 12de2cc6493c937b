"""Reference side of the Delta cross-check: Python `deltalake` (delta-rs) writes and reads tables.

  write TABLE SPEC.json   append each batch in SPEC["batches"] as its own commit; checkpoint if SPEC["checkpoint"]
  read TABLE              print {"version": v, "rows": [...]} with timestamps as ISO strings
  time TABLE              print {"version": v, "rows": n, "seconds": s}: opening the table and reading it whole
"""
import json
import os
import sys
import time
from datetime import datetime, timezone

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

TYPES = {
    "string": pa.string(),
    "long": pa.int64(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def to_arrow(batch, columns):
    arrays = []
    for name, typ in columns:
        values = [r.get(name) for r in batch]
        if typ == "timestamp":
            values = [None if v is None else datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
        arrays.append(pa.array(values, type=TYPES[typ]))
    return pa.table(arrays, names=[n for n, _ in columns])


def write(table, spec_path):
    spec = json.load(open(spec_path))
    columns = [tuple(c) for c in spec["columns"]]
    for batch in spec["batches"]:
        write_deltalake(table, to_arrow(batch, columns), mode="append")
    if spec.get("checkpoint"):
        DeltaTable(table).create_checkpoint()
    for batch in spec.get("after_checkpoint", []):
        write_deltalake(table, to_arrow(batch, columns), mode="append")


def plain(v):
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return v


def read(table):
    dt = DeltaTable(table)
    rows = dt.to_pyarrow_table().to_pylist()
    print(json.dumps({"version": dt.version(), "rows": [{k: plain(v) for k, v in r.items()} for r in rows]}))


def timed(table):
    start = time.perf_counter()
    dt = DeltaTable(table)
    n = dt.to_pyarrow_table().num_rows
    print(json.dumps({"version": dt.version(), "rows": n, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    {"write": lambda: write(sys.argv[2], sys.argv[3]), "read": lambda: read(sys.argv[2]), "time": lambda: timed(sys.argv[2])}[sys.argv[1]]()
    # deltalake's runtime threads sometimes abort the interpreter at shutdown ("terminate called without
    # an active exception"), after the work is done; leave without the teardown.
    sys.stdout.flush()
    os._exit(0)
