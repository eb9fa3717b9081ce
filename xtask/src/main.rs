//! DASHI developer tasks, run as `cargo xtask <task>` (alias in `.cargo/config.toml`).
//!
//! # `cargo xtask peers [--quick] [--only rollout|fft|les|codec]`
//!
//! The peer-benchmark harness (docs/DESIGN.md §8): measures DASHI against a peer library in the
//! same run on the same machine and reports *ratios*, which travel between machines
//! far better than absolute times. Today it runs four suites: the CPU linear rollout of
//! `dashi-core` and its CPU 2D FFT against NumPy, the CPU LES (`dashi les`) against
//! jax-cfd, and the v4 proxy codec against SZ3 and ZFP at matched compression ratios;
//! `--only` picks one.
//!
//! ## Rollout
//!
//! 1. creates a Python virtualenv at `target/peers-venv` (if missing) and installs pinned
//!    `numpy` and `threadpoolctl` from PyPI into it (skipped when already installed);
//! 2. builds `dashi-core`'s `rollout_bench` example in release (the executable's path
//!    comes from cargo's JSON messages, so `CARGO_TARGET_DIR` is honoured);
//! 3. runs ours and the NumPy peer (`xtask/peers/numpy_rollout.py`) *interleaved* —
//!    ours f64, NumPy f64, ours f32, NumPy f32, ours stride-jump f64 — each a separate
//!    process reporting the median of 5 repeats, so slow drift of the machine (thermal,
//!    noisy neighbours) hits both sides alike. NumPy runs with `OPENBLAS_CORETYPE` and
//!    `OPENBLAS_L2_SIZE` removed from its environment, so OpenBLAS picks its own kernel;
//!    the kernel threadpoolctl reports is recorded;
//! 4. prints one JSON line per comparison on stdout:
//!    `{"name":…,"ours":…,"peer":…,"unit":…,"ratio":ours/peer}` (higher ratio = ours faster);
//! 5. rewrites the region between `<!-- peers:rollout:begin -->` and
//!    `<!-- peers:rollout:end -->` in `docs/BENCHMARKS.md` (atomically) with the machine,
//!    date, toolchain and peer versions and a table of the comparisons.
//!
//! The harness reads only these fields of `rollout_bench`'s JSON line: `steps_per_s`
//! (plain), `snapshots_per_s`, `snapshots_per_s_all_in` and `precompute_s` (jump), so
//! the stepping internals may change freely.
//!
//! ## FFT
//!
//! 1. builds `dashi-core`'s `fft_bench` example in release;
//! 2. for N = 256, 512, 1024 runs, interleaved, ours on all cores, NumPy
//!    (`xtask/peers/numpy_fft.py`: `np.fft.fft2` on complex128) and ours on one thread —
//!    each a separate process timing the forward f64 complex fft2 out of place (fresh
//!    output per call on both sides), repeats of ≥ 300 ms, median of 5;
//! 3. prints `{"name":"fft2_c2c_f64_nN[_1thread]",…,"unit":"fft2_per_s","ratio":…}` lines;
//! 4. rewrites the region between `<!-- peers:fft:begin -->` and
//!    `<!-- peers:fft:end -->` in `docs/BENCHMARKS.md` (added after the last generated
//!    region, under "FFT: dashi-core vs NumPy", when missing). Only `fft2_per_s` and
//!    `numpy` are read from the two JSON lines.
//!
//! ## LES
//!
//! Issue 5's comparison: Kolmogorov flow (kf = 4, drag μ = 0.1, ν0 = 1e-3, Cs = 0) at
//! N = 128 and 256, simulated time per wall second of `dashi les --backend cpu` against
//! jax-cfd's pseudo-spectral `crank_nicolson_rk4` solver on JAX's CPU backend in f32.
//!
//! 1. fails at once, with a message, if the workspace has no `dashi-cli` package yet;
//! 2. installs pinned `jax[cpu]`, `jaxlib`, `jax-cfd`, `tree-math`, `scipy`, `ml_dtypes`
//!    and `opt_einsum` into the same virtualenv (NumPy kept at its pin), and builds the
//!    `dashi` binary (`cargo build --release -p dashi-cli`);
//! 3. per N: asks `xtask/peers/jax_cfd_les.py --print-dt` for jax-cfd's
//!    `stable_time_step(max_velocity = 7, max_courant_number = 0.5)`, which both sides use;
//!    estimates the cost per step of both (a 50-step run of ours, `--calibrate` of the peer)
//!    and picks one step count, a multiple of 10, so that the faster side runs ≥ 2.5 s;
//!    then runs, interleaved, ours, jax-cfd (whole loop one jitted `lax.scan`, compiled and
//!    warmed up first, median of 5 timed repeats, final state checked finite), ours, ours.
//!    Ours is `dashi les --backend cpu --ic kolmogorov --n N --dt DT --steps S --stride S
//!    --seed 0 --out DIR --metrics-json FILE --quiet` (scratch under `target/peers-les`;
//!    `DASHI_LES_BIN=/path/to/dashi` uses that executable instead of building one);
//!    only `results.sim_time_per_wall_s` and `timings.solve_s` (and, if present,
//!    `results.ffts_per_step`) are read from its metrics JSON; the median of 3 is compared;
//! 4. prints `{"name":"les_kolmogorov_nN_f32_cpu",…,"unit":"sim_time_per_wall_s",…}`
//!    lines on stdout and a table (N, dt, steps, both rates, ratio, FFTs per step) on
//!    stderr;
//! 5. writes the raw lines (`dashi.jsonl`: every metrics JSON of ours, the probes
//!    included; `jax_cfd.jsonl`; `les.jsonl`: the comparisons; `table.txt`;
//!    `machine.txt`) to `docs/bench/<cpu>-<cores>c-<date>-les/` (`-2`, `-3`, … when it
//!    exists) and rewrites the region between `<!-- peers:les:begin -->` and
//!    `<!-- peers:les:end -->` in `docs/BENCHMARKS.md`.
//!
//! The GPU side of the issue (N = 1024, 2048 on an H100/H200) is
//! `xtask/device/les_suite_prep.sh` (here) and `xtask/device/les_device.sh` (there).
//!
//! ## Codec
//!
//! `dashi-codec` (the v4 proxy codec) against SZ3 (PyPI `pysz`) and ZFP (PyPI `zfpy`) at
//! target compression ratios 20, 50 and 100 on a McWilliams truth at N = 128 (made with
//! `dashi les`, or reused); the peers' error bounds are searched so that their ratios
//! match the targets from above (`xtask/peers/codec_peers.py`), and every method, ours
//! included, is scored by one implementation, `dashi-codec`'s example `codec_compare`
//! (`DASHI_CODEC_COMPARE=/path/to/exe` runs another executable with its command line).
//! A peer that cannot be installed or run is listed as "unavailable: reason". Details:
//! the module docs of `codec.rs`.
//!
//! `--quick` (2,000 steps, 2 repeats; FFT repeats of ≥ 50 ms; LES runs of ≥ 0.5 s, one of
//! ours; a 41-frame codec truth, 21 frames compared, one timed peer run) is a smoke test:
//! it prints the JSON lines but leaves `docs/` alone.
//!
//! Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage.

mod codec;
mod peers;
mod report;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  peers [--quick] [--only rollout|fft|les|codec]
                    benchmark dashi against peer libraries (NumPy, jax-cfd, SZ3, ZFP) and update docs/BENCHMARKS.md
                    --quick: short runs, 2 repeats, print only (docs are not touched)
                    --only:  run one suite (rollout: linear rollout; fft: CPU fft2;
                             les: `dashi les` vs jax-cfd, Kolmogorov flow;
                             codec: dashi-codec vs SZ3 and ZFP at compression ratios 20, 50, 100)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = match task.as_str() {
        "peers" => match peers::Options::parse(rest) {
            Ok(opts) => peers::run(&opts),
            Err(e) => {
                eprintln!("xtask peers: {e}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprintln!("xtask: unknown task `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: error: {e}");
            ExitCode::from(1)
        }
    }
}
