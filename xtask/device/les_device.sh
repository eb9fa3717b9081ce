#!/usr/bin/env bash
# Issue 5 on a datacenter GPU (device machine: H100/H200, no cargo, no internet), one
# session: the vorticity/spectral parity tests, `dashi validate` at N = 64 and 128
# (GPU f32 vs CPU f64), and the Kolmogorov-flow benchmark of ours (.bin/les_bench, RK4)
# against jax-cfd's crank_nicolson_rk4 spectral solver on the same GPU at N = 1024 and
# 2048, same dt (jax-cfd's stable_time_step, max velocity 7, Courant 0.5) and same number
# of steps. Prints a table last.
#
# Expects (carry them): .gl/*.deb (Vulkan loader), .bin/{test_*,dashi,les_bench},
# .wheels/{jax_cfd,tree_math}*.whl (xtask/device/les_suite_prep.sh). Output in $OUT.
set -u
out=${OUT:-/tmp/dashi-les-device}
logs=/tmp/dashi-les-logs
mkdir -p "$out" "$logs"
. xtask/device/vulkan_env.sh

for t in .bin/test_*; do
  "$t" --test-threads=1 > "$logs/$(basename "$t").log" 2>&1
  echo "$(basename "$t") rc=$? $(grep -E '^test result' "$logs/$(basename "$t").log" | tail -1)"
done

for n in 64 128; do
  .bin/dashi validate --n "$n" --backend gpu --require-gpu --quiet --force \
    --metrics-json "$out/validate_n$n.json" > "$logs/validate_n$n.txt" 2>&1
  echo "validate N=$n rc=$?"
done

lib=/tmp/les-pylib
rm -rf "$lib"
python3 -m pip install -q --disable-pip-version-check --no-deps --no-index --target "$lib" .wheels/*.whl > "$logs/pip.log" 2>&1
export PYTHONPATH="$lib${PYTHONPATH:+:$PYTHONPATH}"
: > "$out/jax_cfd.jsonl"
: > "$out/dashi.jsonl"
runs=${LES_RUNS:-1024:3000 2048:800}
for spec in $runs; do
  n=${spec%%:*}
  steps=${spec##*:}
  dt=$(python3 xtask/peers/jax_cfd_les.py --n "$n" --print-dt | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["dt"]))')
  python3 xtask/peers/jax_cfd_les.py --n "$n" --steps "$steps" --repeats 3 >> "$out/jax_cfd.jsonl" 2> "$logs/jax_cfd_n$n.err"
  echo "jax-cfd N=$n dt=$dt steps=$steps rc=$?"
  .bin/les_bench --backend gpu --scheme rk4 --n "$n" --dt "$dt" --steps "$steps" --repeats 3 >> "$out/dashi.jsonl" 2> "$logs/dashi_n$n.err"
  echo "les_bench N=$n rc=$?"
  # Per-op host and device time of a shorter timed run (timestamps on), for the record.
  .bin/les_bench --backend gpu --scheme rk4 --n "$n" --dt "$dt" --steps 200 --repeats 1 --op-timings \
    2>&1 | grep -v XDG > "$out/op_timings_n$n.txt"
done

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
load = lambda f: [json.loads(l) for l in (out / f).read_text().splitlines() if l.strip().startswith("{")]
jax = {r["n"]: r for r in load("jax_cfd.jsonl")}
ours = {r["n"]: r for r in load("dashi.jsonl")}
print()
print(open(out / "gpu.txt").read().strip())
for n in (64, 128):
    try:
        m = json.load(open(out / f"validate_n{n}.json"))["results"]
        print(f"validate N={n}: passed={m['passed']} rel_l2@100={m['rel_l2_at_steps']:.3e} "
              f"energy_dev={m['worst_energy_dev']:.3e} enstrophy_dev={m['worst_enstrophy_dev']:.3e}")
    except Exception as e:
        print(f"validate N={n}: no result ({e})")
print(f"{'N':>6} {'dt':>10} {'steps':>6} {'ours sim/s':>11} {'jax sim/s':>10} {'ratio':>6} {'ours FFT/step':>13} {'jax FFT/step':>12}")
for n in sorted(set(jax) | set(ours)):
    j, o = jax.get(n), ours.get(n)
    if not (j and o):
        print(n, "missing", bool(j), bool(o)); continue
    print(f"{n:>6} {o['dt']:>10.3e} {o['steps']:>6} {o['sim_time_per_wall_s']:>11.4f} {j['sim_time_per_wall_s']:>10.4f} "
          f"{o['sim_time_per_wall_s'] / j['sim_time_per_wall_s']:>6.2f} {o['ffts_per_step']:>13} {str(j.get('ffts_per_step')):>12}")
PY
