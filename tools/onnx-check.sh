#!/usr/bin/env bash
# ONNX export check: trains tiny models of every layer kind (ReLU, leaky
# ReLU, GELU; LayerNorm, BatchNorm; plain and residual blocks; dropout;
# ZCA whitening) on Iris, a CSV table of numbers, a CSV table of every
# column kind (an ignored id, categories, gaps, missing indicators; rows
# to classify with gaps and unseen categories) and an image folder of PNG
# and JPEG files in three sizes, exports each with `mlptui export`, and has tools/onnxcheck
# compare ONNX Runtime (onnxruntime-node) with `mlptui classify --json` on
# every sample, to 1e-5 and the same top class, after onnx.checker (when a
# python with onnx is found).
#
#   bash tools/onnx-check.sh                  # what .ci/run runs
#   bash tools/onnx-check.sh RUN INPUT...     # check one run of yours, e.g.
#   bash tools/onnx-check.sh runs/20261202-050000-cifar10 /tmp/cifar10/test
#
# Needs node and npm: onnxruntime-node is installed into a temporary
# directory with --ignore-scripts (its install script fetches GPU providers;
# the CPU library is in the package). MLPTUI_ORT_DIR names a directory that
# holds it already. Without node, npm or the package, it says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "onnx check skipped: node and npm are not both on PATH"
  exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlptui-onnx-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ort=${MLPTUI_ORT_DIR:-$tmp/ort}
if [ ! -d "$ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ort"
  if ! (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund --fetch-retries=1 --fetch-timeout=30000 onnxruntime-node >npm.log 2>&1); then
    echo "onnx check skipped: npm install onnxruntime-node failed: $(tail -1 "$ort/npm.log")"
    exit 0
  fi
fi
if ! NODE_PATH="$ort/node_modules" node -e "require('onnxruntime-node')" 2>"$tmp/node.log"; then
  echo "onnx check skipped: onnxruntime-node does not load here: $(head -1 "$tmp/node.log")"
  exit 0
fi
go build -o "$tmp/mlptui" ./cmd/mlptui
go build -o "$tmp/onnxcheck" ./tools/onnxcheck
check() { "$tmp/onnxcheck" --mlptui "$tmp/mlptui" --node-modules "$ort" --readme README.md --run "$@"; }

if [ $# -gt 0 ]; then
  check "$@"
  exit
fi
"$tmp/onnxcheck" -make-table "$tmp/table.csv"
"$tmp/onnxcheck" -make-mixed "$tmp/mixed.csv"
"$tmp/onnxcheck" -make-images "$tmp/images"
train() { "$tmp/mlptui" train --runs "$tmp/runs" --seed 1 "$@" >/dev/null 2>"$tmp/train.log" || { cat "$tmp/train.log"; exit 1; }; }
mixed=(--dataset "$tmp/mixed.csv" --label label --ignore id --na - --missing-indicator --epochs 150)
train --dataset iris --epochs 30 --name relu
train --dataset iris --epochs 30 --block residual --norm layer --activation gelu --hidden 16,16 --dropout 0.1 --name residual-layer-gelu
train --dataset iris --epochs 30 --norm batch --activation leaky-relu --hidden 16,8 --dropout 0.2 --name batch-leaky
train --dataset iris --epochs 30 --block residual --norm batch --expansion 2 --hidden 8,8,8 --name residual-batch-relu
train --dataset "$tmp/table.csv" --label kind --hidden 16,8 --activation leaky-relu --leaky-slope 0.1 --epochs 20 --name leaky
train "${mixed[@]}" --hidden 16 --activation gelu --norm layer --name layer-gelu
train "${mixed[@]}" --block residual --norm batch --activation leaky-relu --hidden 12,12 --name residual-batch-leaky
train --dataset "$tmp/images" --image-size 8 --hidden 32,16 --epochs 5 --name relu
train --dataset "$tmp/images" --image-size 10 --hidden 24 --activation leaky-relu --epochs 5 --name leaky
train --dataset "$tmp/images" --image-size 8 --block residual --norm layer --activation gelu --hidden 32 --epochs 5 --name residual-layer-gelu
train --dataset "$tmp/images" --image-size 6 --whiten zca --hidden 16 --epochs 5 --name whiten-zca
train --dataset "$tmp/images" --image-size 8 --whiten zca --block residual --norm batch --activation leaky-relu --hidden 24 --epochs 5 --name whiten-residual-batch
checked=0
for run in "$tmp"/runs/*; do
  case $run in
    *-iris-*) check "$run" datasets/data/iris.data ;;
    *-table-*) check "$run" "$tmp/table.csv" ;;
    *-mixed-*) check "$run" "$tmp/mixed.csv" "$tmp/mixed-new.csv" ;;
    *-images-*) check "$run" "$tmp/images" ;;
    *) echo "onnx check: unexpected run $run"; exit 1 ;;
  esac
  checked=$((checked + 1))
done
if [ "$checked" -ne 12 ]; then
  echo "onnx check: $checked runs checked, want 12"; exit 1
fi
echo "onnx check passed"
