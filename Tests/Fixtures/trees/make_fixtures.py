#!/usr/bin/env python3
"""Writes the LightGBM and XGBoost fixtures that `prospect import` is tested against.

Run once, from any folder, with the pinned versions below (a virtual environment keeps them
apart from anything else):

    python3 -m venv /tmp/fixtures-venv
    /tmp/fixtures-venv/bin/pip install numpy==2.4.6 lightgbm==4.7.0 xgboost==3.2.0
    /tmp/fixtures-venv/bin/python Tests/Fixtures/trees/make_fixtures.py

Everything is deterministic (seeded data, single-threaded deterministic training), so a rerun
with these versions writes the same files. The outputs, beside this script:

- lightgbm_model.json: `Booster.dump_model()` of a binary model (20 trees, 15 leaves).
- lightgbm_rf_model.json: the same with `boosting=rf` (5 trees, 7 leaves; `average_output`).
- lightgbm_zero_model.json: 10 trees, 7 leaves, `zero_as_missing=True`, trained where a third
  of the magnetics values are 0 (splits with `missing_type` "Zero").
- xgboost_model.json: `Booster.save_model()` JSON of a `binary:logistic` model (20 trees, depth 4).
- features.csv: the test rows (float32 values written exactly; `nan` is a missing value), with a
  `kind` column: `sample` rows are drawn like the training data, `lightgbm_threshold` and
  `xgboost_threshold` rows put one feature at (and one float32 step either side of) a split
  threshold the row's path reaches, so `<=` against `<` and double against float comparisons
  are decided by these rows; `zero` rows hold zeros for the zero-as-missing model.
- lightgbm_pred.csv, lightgbm_rf_pred.csv, lightgbm_zero_pred.csv, xgboost_pred.csv: each library's own `predict`
  probability for every row of features.csv, 17 significant digits.
- xgboost_contrib_approx.csv: XGBoost's `pred_contribs=True, approx_contribs=True` (Saabas)
  per feature and its bias column, for every row.
- xgboost_contrib_shap.csv: XGBoost's `pred_contribs=True` (path-dependent TreeSHAP, Lundberg
  et al. 2018) per feature and its bias column, for every row.
- lightgbm_multiclass.json, xgboost_multiclass.json, lightgbm_categorical.json,
  xgboost_categorical.json: small real models that `prospect import` must refuse.
"""
import json
import os

import lightgbm as lgb
import numpy as np
import xgboost as xgb

VERSIONS = {"numpy": "2.4.6", "lightgbm": "4.7.0", "xgboost": "3.2.0"}
HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["thorium", "magnetics", "fault_distance", "lithology"]


def check_versions():
    found = {"numpy": np.__version__, "lightgbm": lgb.__version__, "xgboost": xgb.__version__}
    if found != VERSIONS:
        raise SystemExit(f"pinned versions {VERSIONS}, found {found}")


def dataset(rng, n):
    """n rows of four float32 features and a binary label with interactions."""
    thorium = rng.gamma(4.0, 3.0, n) + 2.0
    magnetics = rng.normal(0.0, 80.0, n)
    fault = rng.exponential(1200.0, n)
    lith = rng.integers(1, 7, n).astype(np.float64)
    logit = (-2.5 + 0.25 * (thorium - 12.0) + 1.2 * (lith == 4) + 0.015 * magnetics * (lith == 4)
             + 1.8 * (fault < 500.0) - 0.0004 * fault + 0.5 * np.sin(magnetics / 40.0)
             + 0.6 * (thorium > 15.0) * (fault < 1000.0))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float64)
    X = np.column_stack([thorium, magnetics, fault, lith]).astype(np.float32)
    # Fault distance is unknown for 5 % of the rows, so the models learn where missing goes.
    X[rng.random(n) < 0.05, 2] = np.nan
    return X, y


def write_json(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def lgb_path(tree, x):
    """Internal nodes (feature, threshold) on the path of row x (no NaN) in a LightGBM dump tree."""
    node, path = tree["tree_structure"], []
    while "split_feature" in node:
        f, t = node["split_feature"], node["threshold"]
        path.append((f, t))
        node = node["left_child"] if float(x[f]) <= t else node["right_child"]
    return path


def xgb_path(tree, x):
    """Internal nodes (feature, threshold) on the path of row x (no NaN) in an XGBoost JSON tree."""
    i, path = 0, []
    while tree["left_children"][i] != -1:
        f, t = tree["split_indices"][i], np.float32(tree["split_conditions"][i])
        path.append((f, t))
        i = tree["left_children"][i] if x[f] < t else tree["right_children"][i]
    return path


def fmt(v):
    """A float32 value written exactly (the shortest decimal of the double it converts to)."""
    v = float(np.float32(v))
    return "nan" if np.isnan(v) else repr(v)


def main():
    check_versions()
    rng = np.random.default_rng(2026)
    X, y = dataset(rng, 2000)

    train = lgb.Dataset(X, label=y, feature_name=NAMES, free_raw_data=False)
    common = {"objective": "binary", "verbose": -1, "num_threads": 1, "deterministic": True, "seed": 7,
              "min_data_in_leaf": 20}
    gbm = lgb.train({**common, "num_leaves": 15, "learning_rate": 0.1}, train, num_boost_round=20)
    # Zero as missing: a third of the magnetics values are 0 (not surveyed).
    Xz = X.copy()
    Xz[np.random.default_rng(5).random(len(Xz)) < 0.3, 1] = 0.0
    zero = lgb.train({**common, "num_leaves": 7, "zero_as_missing": True},
                     lgb.Dataset(Xz, label=y, feature_name=NAMES), num_boost_round=10)
    rf = lgb.train({**common, "boosting": "rf", "num_leaves": 7, "bagging_freq": 1, "bagging_fraction": 0.632,
                    "feature_fraction": 0.8}, train, num_boost_round=5)
    dtrain = xgb.DMatrix(X, label=y, feature_names=NAMES)
    bst = xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3, "tree_method": "hist",
                     "seed": 7, "nthread": 1}, dtrain, num_boost_round=20)

    lgb_dump = gbm.dump_model()
    write_json("lightgbm_model.json", lgb_dump)
    write_json("lightgbm_rf_model.json", rf.dump_model())
    write_json("lightgbm_zero_model.json", zero.dump_model())
    bst.save_model(os.path.join(HERE, "xgboost_model.json"))
    with open(os.path.join(HERE, "xgboost_model.json")) as f:
        xgb_model = json.load(f)

    # Test rows: fresh samples, then rows at thresholds their paths reach.
    sample, _ = dataset(np.random.default_rng(99), 200)
    rows, kinds = [r for r in sample], ["sample"] * len(sample)
    complete = sample[~np.isnan(sample).any(axis=1)]
    for t, tree in enumerate(lgb_dump["tree_info"]):
        for base in complete[3 * t:3 * t + 3]:
            path = lgb_path(tree, base)
            if not path:
                continue
            f, thr = path[-1]
            v = np.float32(thr)
            for w in (v, np.nextafter(v, np.float32(np.inf)), np.nextafter(v, np.float32(-np.inf))):
                r = base.copy()
                r[f] = w
                rows.append(r)
                kinds.append("lightgbm_threshold")
    for t, tree in enumerate(xgb_model["learner"]["gradient_booster"]["model"]["trees"]):
        for base in complete[3 * t + 60:3 * t + 63]:
            path = xgb_path(tree, base)
            if not path:
                continue
            f, thr = path[-1]
            for w in (thr, np.nextafter(thr, np.float32(-np.inf))):
                r = base.copy()
                r[f] = w
                rows.append(r)
                kinds.append("xgboost_threshold")
    # Zeros, and values at and around LightGBM's zero band |x| <= 1e-35f (which its predict
    # reads as 0), in every feature, for the zero-as-missing model.
    k = np.float32(1e-35)
    tiny = [0.0, -0.0, k, -k, np.nextafter(k, np.float32(1)), -np.nextafter(k, np.float32(1)), np.float32(5e-36)]
    for i, base in enumerate(sample[:28]):
        r = base.copy()
        r[i % 4] = tiny[i % len(tiny)]
        if i % 3 == 0:
            r[1] = 0.0
        rows.append(r)
        kinds.append("zero")
    R = np.array(rows, dtype=np.float32)

    with open(os.path.join(HERE, "features.csv"), "w") as f:
        f.write(",".join(NAMES + ["kind"]) + "\n")
        for r, k in zip(R, kinds):
            f.write(",".join(fmt(v) for v in r) + "," + k + "\n")

    def write_pred(name, p):
        with open(os.path.join(HERE, name), "w") as f:
            f.write("probability\n")
            for v in p:
                f.write("%.17g\n" % float(v))

    p_lgb = gbm.predict(R)
    p_rf = rf.predict(R)
    write_pred("lightgbm_zero_pred.csv", zero.predict(R))
    dtest = xgb.DMatrix(R, feature_names=NAMES)
    p_xgb = bst.predict(dtest)
    write_pred("lightgbm_pred.csv", p_lgb)
    write_pred("lightgbm_rf_pred.csv", p_rf)
    write_pred("xgboost_pred.csv", p_xgb)
    contrib = bst.predict(dtest, pred_contribs=True, approx_contribs=True)
    with open(os.path.join(HERE, "xgboost_contrib_approx.csv"), "w") as f:
        f.write(",".join(NAMES + ["bias"]) + "\n")
        for r in contrib:
            f.write(",".join("%.9g" % float(v) for v in r) + "\n")
    shap = bst.predict(dtest, pred_contribs=True)
    with open(os.path.join(HERE, "xgboost_contrib_shap.csv"), "w") as f:
        f.write(",".join(NAMES + ["bias"]) + "\n")
        for r in shap:
            f.write(",".join("%.9g" % float(v) for v in r) + "\n")

    # The threshold rows must decide something: at the threshold and one step away, the
    # predictions differ for most of them.
    kinds = np.array(kinds)
    lt = np.where(kinds == "lightgbm_threshold")[0].reshape(-1, 3)
    xt = np.where(kinds == "xgboost_threshold")[0].reshape(-1, 2)
    lgb_decided = int(sum(p_lgb[a] != p_lgb[b] or p_lgb[a] != p_lgb[c] for a, b, c in lt))
    xgb_decided = int(sum(p_xgb[a] != p_xgb[b] for a, b in xt))
    print(f"{len(R)} rows; LightGBM threshold triples decisive: {lgb_decided}/{len(lt)}; "
          f"XGBoost threshold pairs decisive: {xgb_decided}/{len(xt)}")

    # Models prospect import refuses: multiclass, categorical splits.
    y3 = (X[:, 3] % 3).astype(np.float64)
    small = {"verbose": -1, "num_threads": 1, "deterministic": True, "seed": 7, "num_leaves": 4}
    multi = lgb.train({**small, "objective": "multiclass", "num_class": 3},
                      lgb.Dataset(X[:300], label=y3[:300], feature_name=NAMES), num_boost_round=1)
    write_json("lightgbm_multiclass.json", multi.dump_model())
    # A label that hangs on two lithology classes, so the first split is categorical.
    ycat = np.isin(X[:, 3], [2.0, 4.0]).astype(np.float64)
    cat = lgb.train({**small, "objective": "binary"},
                    lgb.Dataset(X, label=ycat, feature_name=NAMES, categorical_feature=[3]), num_boost_round=2)
    cat_dump = cat.dump_model()
    assert '"=="' in json.dumps(cat_dump), "the categorical LightGBM model has no categorical split"
    write_json("lightgbm_categorical.json", cat_dump)
    xmulti = xgb.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 2, "seed": 7, "nthread": 1},
                       xgb.DMatrix(X[:300], label=y3[:300], feature_names=NAMES), num_boost_round=1)
    xmulti.save_model(os.path.join(HERE, "xgboost_multiclass.json"))
    Xc = X.copy()
    Xc[:, 3] -= 1  # category codes 0…5
    xcat = xgb.train({"objective": "binary:logistic", "max_depth": 2, "seed": 7, "nthread": 1, "tree_method": "hist",
                      "max_cat_to_onehot": 1},
                     xgb.DMatrix(Xc, label=ycat, feature_names=NAMES, feature_types=["q", "q", "q", "c"],
                                 enable_categorical=True), num_boost_round=2)
    xcat.save_model(os.path.join(HERE, "xgboost_categorical.json"))
    with open(os.path.join(HERE, "xgboost_categorical.json")) as f:
        assert 1 in sum((t["split_type"] for t in json.load(f)["learner"]["gradient_booster"]["model"]["trees"]), []), \
            "the categorical XGBoost model has no categorical split"


if __name__ == "__main__":
    main()
