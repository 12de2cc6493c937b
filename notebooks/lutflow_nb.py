"""Helpers the notebooks share: where the project is, how to run lutflow, the runs table as records."""
import json
import os
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
from deltalake import DeltaTable

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "pcpo_runs"
# The lutflow command: an installed `lutflow`, or the sources through tsx (what CI does).
LUTFLOW = shlex.split(os.environ.get("LUTFLOW", "node --import tsx cli/main.ts"))


def lutflow(*args, input_text=None):
    """Runs a lutflow command from the project root; returns stdout, raises with stderr on failure."""
    p = subprocess.run([*LUTFLOW, *map(str, args)], cwd=ROOT, input=input_text, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"lutflow {' '.join(map(str, args))} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def runs_frame(table=SAMPLE):
    """The runs table (one column per record field), oldest launch first, as lutflow orders it."""
    df = DeltaTable(str(table)).to_pandas()
    return df.sort_values(["launched_at", "run_id"], kind="stable").reset_index(drop=True)


def feature_matrix(table=SAMPLE):
    """The feature vectors lutflow builds for every run (point-in-time, replayed in event time), by run id."""
    rows = [json.loads(line) for line in lutflow("features", "--table", table).splitlines()]
    ids = [r["run_id"] for r in rows]
    x = np.array([[np.nan if v is None else v for v in r["features"]] for r in rows], dtype=np.float32)
    return pd.Index(ids, name="run_id"), x


def feature_names():
    return [f["name"] for f in json.loads(lutflow("features", "--json"))["features"]]


def _iso(ts):
    return None if pd.isna(ts) else pd.Timestamp(ts).tz_convert("UTC").isoformat().replace("+00:00", "Z")


def _present(d):
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in d.items() if v is not None and not (isinstance(v, float) and np.isnan(v))}


def records(df):
    """Table rows back to lut.pcpo-features records (the nested contract lutflow predict reads)."""
    out = []
    for r in df.to_dict("records"):
        plan = _present({k: r[k] for k in ["kind", "provider", "model", "gpu_type", "gpu_count", "framework", "precision", "batch_size", "requests", "prompt_tokens", "max_output_tokens", "spot", "region"]})
        prices = _present({"gpu_usd_per_hour": r["price_gpu_usd_per_hour"], "input_usd_per_mtok": r["price_input_usd_per_mtok"], "output_usd_per_mtok": r["price_output_usd_per_mtok"], "source": r["price_source"], "as_of": r["price_as_of"]})
        outcome = None
        if not pd.isna(r["ended_at"]):
            outcome = _present({"ended_at": _iso(r["ended_at"]), "status": r["status"], "gpu_seconds": r["gpu_seconds"], "input_tokens": r["input_tokens"], "output_tokens": r["output_tokens"], "cost_usd_micros": r["cost_usd_micros"]})
        out.append({"schema_version": int(r["schema_version"]), "run_id": r["run_id"], "tenant_id": r["tenant_id"], "launched_at": _iso(r["launched_at"]), "plan": plan, "context": {"prices": prices} if prices else None, "outcome": outcome})
    return out
