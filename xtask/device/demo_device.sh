#!/usr/bin/env bash
# `dashi demo` on the device machine (H100/H200, no cargo): the embedded default run on the
# GPU and on the CPU executor of the same machine, then N = 256 … 2048 on the GPU.
# Expects .gl/*.deb (the Vulkan loader) and .bin/dashi (cargo build --release -p dashi-cli).
# Prints a table last; outputs (summaries, metrics) go to $OUT.
set -u
out=${OUT:-/tmp/dashi-demo}
mkdir -p "$out"
. xtask/device/vulkan_env.sh
# ONLY="gpu_n1024 gpu_n2048" runs a subset.
run() {  # name, then dashi demo flags
  local name=$1; shift
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
  local t0=$(date +%s.%N)
  .bin/dashi demo --out "$out/$name" --metrics-json "$out/$name.json" --quiet "$@" > "$out/$name.log" 2>&1
  local rc=$?
  local t1=$(date +%s.%N)
  echo "$name rc=$rc wall=$(python3 -c "print(round($t1 - $t0, 2))")" | tee -a "$out/runs.txt"
}
run gpu_n128 --backend gpu --require-gpu
run cpu_n128 --backend cpu
run gpu_n256 --backend gpu --require-gpu --n 256
run gpu_n512 --backend gpu --require-gpu --n 512
run gpu_n1024 --backend gpu --require-gpu --n 1024
run gpu_n2048 --backend gpu --require-gpu --n 2048
python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
print()
print(f"{'run':<10} {'device':<28} {'les s':>7} {'fit s':>7} {'rollout s':>9} {'steps':>6} {'decode s':>8} {'total s':>8} {'hct rollout':>11}")
for name in ["gpu_n128", "cpu_n128", "gpu_n256", "gpu_n512", "gpu_n1024", "gpu_n2048"]:
    p = out / f"{name}.json"
    if not p.exists():
        print(f"{name:<10} (no metrics; see {name}.log)")
        continue
    m = json.loads(p.read_text())
    t = m["timings"]
    dev = m["device"]["les"]["device"][:28]
    hct = m["results"]["high_correlation_time"]["rollout"]
    hct = f"{hct:.2f}" if hct is not None else "-"
    steps = m["parameters"]["rollout_steps"]
    print(f"{name:<10} {dev:<28} {t['les_s']:>7.2f} {t['fit_s']:>7.2f} {t['rollout_s']:>9.2f} {steps:>6} {t['decode_s']:>8.2f} {t['total_s']:>8.2f} {hct:>11}")
PY
