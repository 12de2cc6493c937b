"""Reference side of the model cross-check: Python xgboost (the official library).

  variants OUTDIR           train small models of several kinds on data with missing values; write
                            OUTDIR/<name>.json, OUTDIR/vectors.json and OUTDIR/<name>.expected.json
  predict MODEL VECTORS     load MODEL (official JSON) and print its predictions for VECTORS (null = missing)
  margins MODEL VECTORS     the same, raw margins (output_margin=True)
  train SPEC                time native training with the parameters and data in SPEC, print seconds
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb


def data(n=600, d=21, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x[rng.random((n, d)) < 0.15] = np.nan
    y = np.nan_to_num(x[:, 0]) * 2 + np.nan_to_num(x[:, 3]) ** 2 + rng.normal(scale=0.1, size=n)
    return x, y


def variants(out):
    x, y = data()
    vectors = x[:50].copy()
    vectors[0, :] = np.nan
    json.dump([[None if np.isnan(v) else float(v) for v in row] for row in vectors], open(f"{out}/vectors.json", "w"))
    specs = {
        "squarederror": ({"objective": "reg:squarederror"}, y),
        "gamma": ({"objective": "reg:gamma"}, np.exp(y / 4)),
        "logistic": ({"objective": "binary:logistic"}, (y > 0).astype(float)),
        "quantile": ({"objective": "reg:quantileerror", "quantile_alpha": np.array([0.5, 0.9])}, y),
        "tweedie": ({"objective": "reg:tweedie"}, np.exp(y / 4)),
    }
    for name, (params, label) in specs.items():
        booster = xgb.train({**params, "max_depth": 6, "eta": 0.3, "nthread": 2},
                            xgb.DMatrix(x, label=label), num_boost_round=20)
        booster.save_model(f"{out}/{name}.json")
        pred = booster.inplace_predict(vectors)
        json.dump(np.asarray(pred, dtype=float).tolist(), open(f"{out}/{name}.expected.json", "w"))
    # A model with a categorical split, which the TypeScript predictor must refuse.
    cat = np.random.default_rng(1).integers(0, 4, size=(200, 1)).astype(np.float32)
    dm = xgb.DMatrix(cat, label=cat[:, 0] * 2.0, feature_types=["c"], enable_categorical=True)
    xgb.train({"tree_method": "hist", "max_cat_to_onehot": 1, "nthread": 2}, dm, num_boost_round=2).save_model(f"{out}/categorical.json")
    xgb.train({"booster": "dart", "nthread": 2}, xgb.DMatrix(x, label=y), num_boost_round=2).save_model(f"{out}/dart.json")
    print(xgb.__version__)


def load_vectors(path):
    return np.array([[np.nan if v is None else v for v in row] for row in json.load(open(path))], dtype=np.float32)


def predict(model, vectors, margin=False):
    booster = xgb.Booster(model_file=model)
    x = load_vectors(vectors)
    pred = booster.predict(xgb.DMatrix(x, missing=np.nan, feature_names=booster.feature_names), output_margin=margin)
    print(json.dumps(np.asarray(pred, dtype=float).tolist()))


def train(spec_path):
    spec = json.load(open(spec_path))
    x = np.fromfile(spec["x"], dtype=np.float32).reshape(spec["rows"], spec["cols"])
    y = np.fromfile(spec["y"], dtype=np.float32)
    dm = xgb.DMatrix(x, label=y, missing=np.nan)
    t0 = time.perf_counter()
    xgb.train(spec["params"], dm, num_boost_round=spec["rounds"])
    print(json.dumps({"seconds": time.perf_counter() - t0, "version": xgb.__version__}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "variants":
        variants(sys.argv[2])
    elif cmd == "predict":
        predict(sys.argv[2], sys.argv[3])
    elif cmd == "margins":
        predict(sys.argv[2], sys.argv[3], margin=True)
    elif cmd == "train":
        train(sys.argv[2])
