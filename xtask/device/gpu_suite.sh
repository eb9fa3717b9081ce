#!/usr/bin/env bash
# The dashi-gpu suite on a datacenter GPU (the device machine: H100/H200, no cargo).
#
# Expects, in the repository root: .gl/*.deb (the Vulkan loader, see docs/BENCHMARKS.md)
# and .bin/ with release builds made on the build machine:
#   .bin/test_*       cargo test --release -p dashi-gpu --no-run   (the parity suite)
#   .bin/gpu_bench    cargo build --release -p dashi-gpu --example gpu_bench
# Runs every parity test binary with DASHI_REQUIRE_GPU=1, our benchmarks, and the
# PyTorch/cuBLAS peer (xtask/peers/torch_gpu.py) in the same session, and prints a
# table last. Logs go to $OUT (or /tmp/dashi-gpu-suite).
set -u
out=${OUT:-/tmp/dashi-gpu-suite}
mkdir -p "$out"
. xtask/device/vulkan_env.sh

: > "$out/tests.txt"
rm -f "$out/tests.log"
for t in .bin/test_*; do
  name=$(basename "$t")
  "$t" --test-threads=1 --nocapture > "$out/last.log" 2>&1
  rc=$?
  { echo "=== $name (rc=$rc)"; cat "$out/last.log"; } >> "$out/tests.log"
  summary=$(grep -E "^test result" "$out/last.log" | tail -1)
  echo "$name rc=$rc $summary" | tee -a "$out/tests.txt"
done

.bin/gpu_bench --repeats 5 > "$out/gpu_bench.jsonl" 2> "$out/gpu_bench.err"
echo "gpu_bench rc=$?"
python3 xtask/peers/torch_gpu.py --repeats 5 > "$out/torch.jsonl" 2> "$out/torch.err"
echo "torch_gpu rc=$?"

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
rows = [json.loads(l) for f in ("gpu_bench.jsonl", "torch.jsonl") for l in (out / f).read_text().splitlines() if l.strip()]
dev = next((r for r in rows if r["bench"] == "device"), {})
ours_roll = next((r for r in rows if r["bench"] == "rollout_single" and "peer" not in r), None)
ours_gemm = next((r for r in rows if r["bench"] == "gemm_batched" and "peer" not in r), None)
peers = {r["peer"]: r for r in rows if "peer" in r}
print()
print("GPU:", (out / "gpu.txt").read_text().strip(), "| wgpu adapter:", dev.get("device"), dev.get("device_type"), dev.get("driver"))
print("tests:")
print((out / "tests.txt").read_text().rstrip())
print()
print(f"{'measurement':44} {'ours':>14} {'peer':>14} {'ratio':>8}")
def line(name, ours, peer, unit):
    ratio = ours / peer if ours and peer else float("nan")
    print(f"{name:44} {ours:14.1f} {peer:14.1f} {ratio:8.3f}  {unit}")
if ours_roll:
    for p in ("torch-eager", "torch-cudagraph"):
        if p in peers:
            line(f"rollout D=654 f32 steps/s vs {p}", ours_roll["steps_per_s"], peers[p]["steps_per_s"], "steps/s")
    print(f"{'  ours device time per step (timestamps)':44} {ours_roll['device_ns_per_step']:14.1f} ns")
if ours_gemm and "torch-matmul-f32-notf32" in peers:
    p = peers["torch-matmul-f32-notf32"]
    line("gemm M=4096 D=654 f32 GFLOP/s (device time)", ours_gemm["gflop_per_s_device"], p["gflop_per_s"], "GFLOP/s")
    line("gemm M=4096 D=654 f32 GFLOP/s (wall)", ours_gemm["gflop_per_s_wall"], p["gflop_per_s"], "GFLOP/s")
copy = next((r for r in rows if r["bench"] == "copy_bandwidth"), None)
for r in rows:
    if r["bench"] == "fft2" and "peer" not in r:
        p = next((q for q in rows if q["bench"] == "fft2" and q.get("peer") == "torch-cufft" and q["n"] == r["n"]), None)
        tag = f"N={r['n']} b={r['batch']} cols={r.get('columns')}" + ("" if r.get("default", True) else " (alt)")
        if p:
            line(f"fft2 {tag} fields/s dev", r["fields_per_s_device"], p["fields_per_s"], "fields/s")
            line(f"fft2 {tag} fields/s wall", r["fields_per_s_wall"], p["fields_per_s"], "fields/s")
        if copy:
            print(f"{'  ours achieved GB/s vs copy bandwidth':44} {r['gb_per_s_device']:14.1f} {copy['gb_per_s']:14.1f} {r['gb_per_s_device'] / copy['gb_per_s']:8.3f}")
for r in rows:
    if r["bench"] == "rfft2" and "peer" not in r:
        p = next((q for q in rows if q["bench"] == "rfft2" and q.get("peer") == "torch-cufft" and q["n"] == r["n"]), None)
        if p:
            line(f"rfft2 N={r['n']} fields={r['fields']} real fields/s span", r["fields_per_s_span"], p["fields_per_s"], "fields/s")
            line(f"rfft2 N={r['n']} fields={r['fields']} real fields/s wall", r["fields_per_s_wall"], p["fields_per_s"], "fields/s")
print("default column split, three fresh allocations each (median / min / max):")
for n in sorted({r["n"] for r in rows if r["bench"] == "fft2"}):
    trials = [r for r in rows if r["bench"] == "fft2" and "peer" not in r and r["n"] == n and r.get("default") and r.get("submit_every", 0) == 0]
    p = next((q for q in rows if q["bench"] == "fft2" and q.get("peer") == "torch-cufft" and q["n"] == n), None)
    if not trials or not p:
        continue
    for key in ("fields_per_s_device", "fields_per_s_span", "fields_per_s_wall"):
        v = sorted(t[key] for t in trials)
        c = p["fields_per_s"]
        print(f"  fft2 N={n:>4} {key[14:]:>6}: median {v[len(v)//2]:12.1f} ({v[len(v)//2]/c:.3f})  min {v[0]:12.1f} ({v[0]/c:.3f})  max {v[-1]:12.1f} ({v[-1]/c:.3f})  cuFFT {c:.1f}")
for n in sorted({r["n"] for r in rows if r["bench"] == "fft2_untimed"}):
    v = sorted(r["fields_per_s_wall"] for r in rows if r["bench"] == "fft2_untimed" and r["n"] == n)
    p = next((q for q in rows if q["bench"] == "fft2" and q.get("peer") == "torch-cufft" and q["n"] == n), None)
    if p and v:
        c = p["fields_per_s"]
        print(f"  fft2 N={n:>4} wall, no timestamps: median {v[len(v)//2]:12.1f} ({v[len(v)//2]/c:.3f})  min {v[0]/c:.3f}  max {v[-1]/c:.3f}")
for r in rows:
    if r["bench"] == "fft_pass" and copy:
        print(f"  pass N={r['n']:>4} axis={r['axis']} L={r['radix']:>4} span={r['span']:>3} {r['device_s']*1e6:9.1f} us {r['gb_per_s_device']:8.1f} GB/s = {r['gb_per_s_device']/copy['gb_per_s']:.2f} of copy")
PY
rm -f "$out/last.log"
