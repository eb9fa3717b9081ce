"""NumPy peer for the DASHI rollout benchmark (run by `cargo xtask peers`).

Steps a linear latent state `z_{t+1} = z_t @ A` for `--steps` steps with NumPy and
prints one JSON line on stdout with the median throughput over `--repeats` runs.

The operator is the same kind of matrix as in `dashi-core`'s `rollout_bench`: a
random orthogonal D x D matrix (Q from `np.linalg.qr` of a seeded standard-normal
matrix) scaled by 0.9999, so `z @ A^t` neither blows up nor reaches denormals.
The matrices are not bit-identical to ours (different generators), only of the same
shape and conditioning, which is all a throughput comparison needs.

Every `--stride`-th state is observed (copied into a list), as a consumer of
snapshots would; `snapshots_per_s = (steps // stride) / wall_s`.

Also reported: the NumPy version and the BLAS library threadpoolctl finds
(`internal_api`, `version`, `num_threads`, `architecture`, i.e. the kernel/core
type OpenBLAS picked), so the numbers can be read against the right library.
"""

import argparse
import json
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info


def blas_info():
    """The first BLAS threadpool threadpoolctl reports (NumPy's), without paths."""
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return {
                "internal_api": pool.get("internal_api"),
                "version": pool.get("version"),
                "num_threads": pool.get("num_threads"),
                "architecture": pool.get("architecture"),
                "threading_layer": pool.get("threading_layer"),
            }
    return {"internal_api": None}


def operator(dim, seed):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * 0.9999


def initial_state(dim):
    # Same deterministic z0 as rollout_bench.
    i = np.arange(dim, dtype=np.int64)
    return ((i * 7919) % 1000) / 1000.0 - 0.5


def rollout(a, z0, steps, stride):
    """One timed rollout; returns (seconds, snapshots)."""
    z = z0.copy()
    snapshots = []
    start = time.perf_counter()
    for t in range(1, steps + 1):
        z = z @ a
        if t % stride == 0:
            snapshots.append(z.copy())
    wall = time.perf_counter() - start
    return wall, snapshots


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dim", type=int, default=654)
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--stride", type=int, default=200)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--dtype", choices=["f64", "f32"], default="f64")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    if min(args.dim, args.steps, args.stride, args.repeats) < 1:
        p.error("dim, steps, stride and repeats must be >= 1")

    dtype = np.float64 if args.dtype == "f64" else np.float32
    a = np.ascontiguousarray(operator(args.dim, args.seed).astype(dtype))
    z0 = initial_state(args.dim).astype(dtype)

    # Warm-up: wake BLAS threads and fault in pages before timing.
    rollout(a, z0, min(args.steps, 200), args.stride)

    times = []
    final = None
    for _ in range(args.repeats):
        wall, snaps = rollout(a, z0, args.steps, args.stride)
        times.append(wall)
        final = snaps[-1] if snaps else None
    times.sort()
    wall = times[len(times) // 2]
    n_snap = args.steps // args.stride
    out = {
        "bench": "rollout",
        "peer": "numpy",
        "dim": args.dim,
        "steps": args.steps,
        "dtype": args.dtype,
        "mode": "plain",
        "stride": args.stride,
        "repeats": args.repeats,
        "wall_s": wall,
        "steps_per_s": args.steps / wall,
        "ns_per_step": wall * 1e9 / args.steps,
        "snapshots": n_snap,
        "snapshots_per_s": n_snap / wall,
        "last_norm": float(np.linalg.norm(final)) if final is not None else None,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "blas": blas_info(),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
