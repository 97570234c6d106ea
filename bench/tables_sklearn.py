#!/usr/bin/python3
"""mlptui against scikit-learn on real tables with categories and gaps.

For each table and seed, mlptui trains (`mlptui train --json`), and
scikit-learn's MLPClassifier trains in a pipeline of SimpleImputer +
OneHotEncoder + StandardScaler on the same rows: the split comes from
`go run ./bench/tablesplit` (mlptui's own split, by seed), and the column
kinds from the run's config.json (number, category or ignored), so both
sides see the same columns. Both: one hidden layer of 100 ReLU units, Adam
at 1e-3, batch 32, no L2, the same number of epochs, trained on the
training part (the validation part is left out of both). The script prints
each run's test accuracy and the means over the seeds.

    /usr/bin/python3 bench/tables_sklearn.py --mlptui ./mlptui TABLE:LABEL ...

Run it from the repository root (it calls `go run ./bench/tablesplit`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

MISSING = {"", "na", "n/a", "nan", "?"}  # mlptui's built-in tokens, any case


def mlptui_run(exe, table, label, seed, epochs, runs):
    out = subprocess.run(
        [exe, "train", "--dataset", table, "--label", label, "--seed", str(seed),
         "--epochs", str(epochs), "--hidden", "100", "--lr", "1e-3", "--batch", "32",
         "--runs", runs, "--json"],
        check=True, capture_output=True, text=True).stdout
    summary = json.loads(out)
    with open(os.path.join(summary["run"], "config.json")) as f:
        config = json.load(f)
    return summary["test_accuracy"], config["table"]


def split(table, label, seed):
    out = subprocess.run(["go", "run", "./bench/tablesplit", "--dataset", table, "--label", label,
                          "--seed", str(seed)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def sklearn_run(table, pipeline_desc, parts, seed, epochs):
    header = 0 if pipeline_desc.get("header") else None
    df = pd.read_csv(table, sep=pipeline_desc["delimiter"].replace("tab", "\t"), header=header,
                     dtype=str, keep_default_na=False)
    df = df.apply(lambda col: col.str.strip())
    df = df.mask(df.apply(lambda col: col.str.lower().isin(MISSING)))
    y = np.array(parts["y"])
    numbers, categories = [], []
    for c in pipeline_desc["columns"]:
        if c["kind"] == "number":
            numbers.append(c["index"])
        elif c["kind"] == "category":
            categories.append(c["index"])
    X = df.iloc[:, numbers + categories].copy()
    X.columns = [f"c{i}" for i in numbers + categories]
    for i in numbers:
        X[f"c{i}"] = X[f"c{i}"].astype(float)
    pre = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), [f"c{i}" for i in numbers]),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]),
         [f"c{i}" for i in categories]),
    ])
    model = Pipeline([
        ("pre", pre),
        ("scale", StandardScaler()),
        ("mlp", MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="adam",
                              learning_rate_init=1e-3, batch_size=32, alpha=0.0, max_iter=epochs,
                              n_iter_no_change=epochs + 1, tol=0, random_state=seed)),
    ])
    train, test = parts["train"], parts["test"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X.iloc[train], y[train])
    return float((model.predict(X.iloc[test]) == y[test]).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mlptui", default="mlptui", help="the mlptui binary")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("tables", nargs="+", help="TABLE:LABEL, the label column by name")
    args = ap.parse_args()
    runs = tempfile.mkdtemp(prefix="mlptui-bench-")
    print(f"{'table':<18} {'seed':>4} {'mlptui':>8} {'sklearn':>8}")
    for spec in args.tables:
        table, label = spec.rsplit(":", 1)
        ours, theirs = [], []
        for seed in range(1, args.seeds + 1):
            acc, desc = mlptui_run(args.mlptui, table, label, seed, args.epochs, runs)
            ref = sklearn_run(table, desc, split(table, label, seed), seed, args.epochs)
            ours.append(acc)
            theirs.append(ref)
            print(f"{os.path.basename(table):<18} {seed:>4} {acc:>8.4f} {ref:>8.4f}", flush=True)
        m, s = np.mean(ours), np.mean(theirs)
        print(f"{os.path.basename(table):<18} mean {m:>8.4f} {s:>8.4f}  difference {100 * (m - s):+.2f} points")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
