#!/usr/bin/env bash
# A/B of FFT kernel variants on the device machine (H100/H200, no cargo), same session:
# the FFT parity tests of each variant that has one, then the complex fft2 / fft_pass
# sections of every `.bin/gpu_bench_<variant>` (DASHI_FFT_ONLY=1), interleaved over
# `ROUNDS` rounds, with the PyTorch/cuFFT peer before and after. Build each variant
# here with `cargo build --release -p dashi-gpu --example gpu_bench` and copy the binary
# to .bin/gpu_bench_<variant> (and `cargo test --release -p dashi-gpu --no-run`'s
# parity_fft binary to .bin/parity_fft_<variant>). Logs go to $OUT.
#   VARIANTS="a b" ROUNDS=2 NS=1024,2048,4096 OUT=... bash xtask/device/fft_ab.sh
# A variant `name@bin@VAR=value@…` runs .bin/gpu_bench_<bin> (and .bin/parity_fft_<bin>)
# with those variables set; PARITY="name …" limits the parity runs to those variants
# (PARITY="" skips them). Example (2026-11-22, docs/BENCHMARKS.md):
#   PARITY="" VARIANTS="base final cold@final@DASHI_BENCH_WARMUP_S=0" bash xtask/device/fft_ab.sh
set -u
out=${OUT:-/tmp/dashi-fft-ab}
mkdir -p "$out"
. xtask/device/vulkan_env.sh
variants=${VARIANTS:-a b}
ns=${NS:-1024,2048,4096}
run_variant() { # spec, command...: runs the command with the variant's variables
  local spec=$1; shift
  local parts; IFS=@ read -r -a parts <<< "$spec"
  local bin=${parts[1]:-${parts[0]}}
  env "${parts[@]:2}" "${@//XBINX/$bin}"
}
names=""
for v in $variants; do
  name=${v%%@*}; names="$names $name"
  bin=$(echo "$v" | cut -d@ -f2); [ "$bin" = "$v" ] && bin=$name
  if [ -x ".bin/parity_fft_$bin" ] && [[ " ${PARITY-$name} " == *" $name "* ]]; then
    run_variant "$v" ".bin/parity_fft_XBINX" --test-threads=1 --nocapture > "$out/parity_$name.log" 2>&1
    echo "parity_fft_$name rc=$? $(grep -E '^test result' "$out/parity_$name.log" | tail -1)"
  fi
done
python3 xtask/peers/torch_gpu.py --fft-only --ns "$ns" --repeats 5 > "$out/torch_1.jsonl" 2> "$out/torch_1.err"
echo "torch rc=$?"
for round in $(seq 1 "${ROUNDS:-2}"); do
  for v in $variants; do
    name=${v%%@*}
    DASHI_FFT_ONLY=1 DASHI_FFT_NS=$ns run_variant "$v" ".bin/gpu_bench_XBINX" --repeats 5 > "$out/bench_${name}_$round.jsonl" 2> "$out/bench_${name}_$round.err"
    echo "gpu_bench_$name round $round rc=$?"
  done
done
python3 xtask/peers/torch_gpu.py --fft-only --ns "$ns" --repeats 5 > "$out/torch_2.jsonl" 2> "$out/torch_2.err"
echo "torch rc=$?"

python3 - "$out" "$names" <<'PY'
import json, sys, pathlib, statistics
out = pathlib.Path(sys.argv[1]); variants = sys.argv[2].split()
def rows(f):
    return [json.loads(l) for l in f.read_text().splitlines() if l.strip().startswith("{")]
torch = [r for f in sorted(out.glob("torch_*.jsonl")) for r in rows(f)]
cu = {}
for r in torch:
    if r["bench"] == "fft2":
        cu.setdefault(r["n"], []).append(r["fields_per_s"])
copy = [r["gb_per_s"] for r in torch if r["bench"] == "copy_bandwidth"]
print("cuFFT fields/s per torch run:", {n: [round(x) for x in v] for n, v in cu.items()}, "copy GB/s:", [round(c) for c in copy])
for v in variants:
    bench = [r for f in sorted(out.glob(f"bench_{v}_*.jsonl")) for r in rows(f)]
    for n in sorted({r["n"] for r in bench if r["bench"] == "fft2"}):
        c = statistics.median(cu.get(n, [float("nan")]))
        for cols in sorted({tuple(r["columns"]) for r in bench if r["bench"] == "fft2" and r["n"] == n}):
            t = [r for r in bench if r["bench"] == "fft2" and r["n"] == n and tuple(r["columns"]) == cols]
            line = f"{v} N={n:>4} cols={list(cols)!s:12} trials={len(t)}"
            for key in ("device", "span", "wall"):
                x = sorted(r["fields_per_s_" + key] for r in t)
                line += f"  {key} {statistics.median(x)/c:.3f} ({x[0]/c:.3f}-{x[-1]/c:.3f})"
            u = sorted(r["fields_per_s_wall"] for r in bench if r["bench"] == "fft2_untimed" and r["n"] == n and tuple(r["columns"]) == cols)
            if u:
                line += f"  untimed-wall {statistics.median(u)/c:.3f}"
            print(line)
    passes = {}
    for r in bench:
        if r["bench"] == "fft_pass":
            passes.setdefault((r["n"], r["axis"], r["radix"], r["span"]), []).append(r["device_s"] * 1e6)
    for k, us in sorted(passes.items()):
        print(f"  {v} pass N={k[0]:>4} axis={k[1]} L={k[2]:>4} span={k[3]:>3}: " + " ".join(f"{x:.1f}" for x in us) + " us")
PY
