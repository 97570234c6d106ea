#!/bin/sh
# seeds.sh FIRST LAST [train flags...]: trains one run per seed from FIRST
# to LAST with the flags given and prints each run's test accuracy, then
# their mean. Needs mlptui on PATH (or MLPTUI=path/to/mlptui) and
# /usr/bin/python3 (or PYTHON) for the JSON; runs go under a scratch
# directory unless --runs is given.
#
#   tools/seeds.sh 1 20 --dataset iris          # the iris preset's mean over seeds 1-20
set -eu
first=$1 last=$2
shift 2
mlptui=${MLPTUI:-mlptui}
python=${PYTHON:-/usr/bin/python3}
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
seed=$first
accs=""
while [ "$seed" -le "$last" ]; do
	acc=$("$mlptui" train --runs "$runs" --json "$@" --seed "$seed" 2>/dev/null |
		"$python" -c 'import json,sys; print(json.load(sys.stdin)["test_accuracy"])')
	echo "seed $seed: test accuracy $acc"
	accs="$accs $acc"
	seed=$((seed + 1))
done
echo "$accs" | "$python" -c 'import sys; v=[float(x) for x in sys.stdin.read().split()]; print("mean test accuracy over %d seeds: %.4f" % (len(v), sum(v)/len(v)))'
