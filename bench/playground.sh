#!/usr/bin/env bash
# The playground table: each playground set trained with its own preset for
# seeds 1 to 5 (mlptui train --dataset SET --seed S --json), with the mean
# test accuracy, the slowest run's train_seconds and the slowest wall time
# (process start to exit: generating the data, training, saving).
#
#   bash bench/playground.sh [extra training flags]
#
# Runs go to a temporary directory that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlptui" ./cmd/mlptui
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
printf '%-8s %-40s %9s %13s %10s\n' set "test accuracy, seeds 1-5" mean "max train s" "max wall s"
for set in spiral circles xor gauss moons; do
  accs="" ; maxtrain=0 ; maxwall=0
  for seed in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    out=$("$tmp/mlptui" train --dataset "$set" --seed "$seed" --runs "$tmp/runs" --json "$@" 2>/dev/null)
    t1=$(date +%s.%N)
    acc=$(field test_accuracy <<<"$out")
    secs=$(field train_seconds <<<"$out")
    accs="$accs $acc"
    maxtrain=$(awk -v a="$maxtrain" -v b="$secs" 'BEGIN{print (b>a)?b:a}')
    maxwall=$(awk -v a="$maxwall" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN{print (b>a)?b:a}')
  done
  mean=$(awk -v s="$accs" 'BEGIN{n=split(s,a," "); for(i=1;i<=n;i++) t+=a[i]; printf "%.3f", t/n}')
  printf '%-8s %-40s %9s %13.3f %10.3f\n' "$set" "$accs" "$mean" "$maxtrain" "$maxwall"
done
