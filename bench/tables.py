#!/usr/bin/python3
"""Compare mlptui's `default` preset with scikit-learn's MLPClassifier
defaults on real tables that scikit-learn ships: wine (178 rows),
breast_cancer (569) and digits (1,797).

For every table and seed the script makes one stratified 80/20 split
(scikit-learn's train_test_split, random_state=seed) and writes it as
train.csv and test.csv. scikit-learn fits StandardScaler + MLPClassifier
(all defaults but random_state) on train.csv; mlptui trains with no
hyperparameter flag on train.csv (holding out its own 10 % for
validation, and 1 % it would test on, --test-split 0.01) and its model is
measured on test.csv with `mlptui eval --dataset`. Both are measured on the
same test rows; means over the seeds are printed.

    /usr/bin/python3 bench/tables.py [--mlptui PATH] [--seeds 1,2,3,4,5]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import warnings

TABLES = {"wine": datasets.load_wine, "breast_cancer": datasets.load_breast_cancer, "digits": datasets.load_digits}


def write_csv(path, x, y):
    with open(path, "w") as f:
        f.write(",".join("f%d" % i for i in range(x.shape[1])) + ",label\n")
        for row, label in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + ",c%d\n" % label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlptui", default="mlptui")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--tables", default=",".join(TABLES))
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    warnings.filterwarnings("ignore")  # MLPClassifier's ConvergenceWarning at max_iter
    work = tempfile.mkdtemp(prefix="mlptui-tables-")
    print("%-14s %5s %8s %8s %8s" % ("table", "rows", "sklearn", "mlptui", "diff"))
    for name in args.tables.split(","):
        x, y = TABLES[name](return_X_y=True)
        sk, ml = [], []
        for seed in seeds:
            xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
            d = os.path.join(work, "%s-%d" % (name, seed))
            os.makedirs(d)
            write_csv(os.path.join(d, "train.csv"), xtr, ytr)
            write_csv(os.path.join(d, "test.csv"), xte, yte)
            clf = make_pipeline(StandardScaler(), MLPClassifier(random_state=seed)).fit(xtr, ytr)
            sk.append(clf.score(xte, yte))
            out = subprocess.run([args.mlptui, "train", "--json", "--dataset", os.path.join(d, "train.csv"),
                                  "--test-split", "0.01", "--seed", str(seed), "--runs", os.path.join(d, "runs")],
                                 capture_output=True, text=True, check=True)
            run = json.loads(out.stdout)["run"]
            ev = subprocess.run([args.mlptui, "eval", "--json", "--run", run, "--dataset", os.path.join(d, "test.csv")],
                                capture_output=True, text=True, check=True)
            ml.append(json.loads(ev.stdout)["accuracy"])
            print("  %s seed %d: sklearn %.4f  mlptui %.4f (%d epochs)" % (name, seed, sk[-1], ml[-1], json.loads(out.stdout)["epochs"]), file=sys.stderr)
        print("%-14s %5d %8.4f %8.4f %+8.4f" % (name, len(y), np.mean(sk), np.mean(ml), np.mean(ml) - np.mean(sk)))


if __name__ == "__main__":
    main()
