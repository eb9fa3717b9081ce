"""NumPy peer for the DASHI fft2 benchmark (run by `cargo xtask peers`).

Times `np.fft.fft2` (forward, complex128 -> complex128, NumPy's default "backward"
normalisation, a new output array per call) of a random complex N x N field and
prints one JSON line on stdout, shaped like dashi-core's `fft_bench` line:

  {"bench":"fft2","peer":"numpy","n":...,"dtype":"f64","kind":"c2c",
   "ms_per_fft2":...,"fft2_per_s":..., "numpy":..., "fft_backend":...}

Each repeat runs the transform back to back for at least --min-ms milliseconds (the
iteration count is fixed once by a calibration run, which also warms up); the
reported time per transform is the median over --repeats. `--kind r2c` times
`np.fft.rfft2` of a real float64 field instead.
"""

import argparse
import json
import sys
import time

import numpy as np


def timed(fn, repeats, min_ms):
    start = time.perf_counter()
    calls = 0
    while (time.perf_counter() - start) * 1e3 < min(min_ms, 100.0) or calls < 2:
        fn()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    iters = max(1, int(np.ceil(min_ms / 1e3 / per_call)))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t) / iters)
    times.sort()
    return times[len(times) // 2], iters


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--kind", choices=["c2c", "r2c"], default="c2c")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--min-ms", type=float, default=200.0)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    if min(args.n, args.repeats) < 1 or args.min_ms <= 0:
        p.error("n, repeats and min-ms must be positive")

    rng = np.random.default_rng(args.seed)
    n = args.n
    if args.kind == "c2c":
        x = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
        assert x.dtype == np.complex128
        fn = lambda: np.fft.fft2(x)  # noqa: E731
    else:
        x = rng.standard_normal((n, n))
        fn = lambda: np.fft.rfft2(x)  # noqa: E731
    secs, iters = timed(fn, args.repeats, args.min_ms)
    out = {
        "bench": "fft2",
        "peer": "numpy",
        "n": n,
        "dtype": "f64",
        "kind": args.kind,
        "repeats": args.repeats,
        "iters": iters,
        "ms_per_fft2": secs * 1e3,
        "fft2_per_s": 1.0 / secs,
        "numpy": np.__version__,
        "fft_backend": "pocketfft (numpy.fft, single-threaded)",
        "python": sys.version.split()[0],
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
