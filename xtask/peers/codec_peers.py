"""SZ3 and ZFP peers for the DASHI codec comparison (run by `cargo xtask peers --only codec`).

Loads the truth vorticity `omega.npy` ([T, N, N] float32), takes the selected frames and,
for each compressor and each target compression ratio R, searches the error bound whose
achieved ratio is the smallest one >= R (the closest to R from above); when no error
bound reaches R, the largest ratio found is kept and the entry says so. Every frame is
compressed on its own, as a 2D N x N array, all frames of one (method, R) with the same
error bound; the ratio is

    ratio = raw bytes of the selected frames (F * N * N * 4) / total compressed bytes.

Compressed bytes are the complete streams each library needs to decompress a frame on
its own: SZ3's (pysz) stream with its header and stored config, ZFP's (zfpy) stream with
its header (`write_header=True`).

Compressors:
  sz3  pysz (SZ3's own Python bindings): `szConfig()` with `errorBoundMode = ABS` and
       `absErrorBound = e`, everything else at its default (algorithm INTERP_LORENZO,
       OpenMP off); `sz.compress(frame, config)`, `sz.decompress(stream, np.float32, (N, N))`.
  zfp  zfpy (ZFP's own Python bindings): fixed-accuracy mode,
       `zfpy.compress_numpy(frame, tolerance=e)`, `zfpy.decompress_numpy(stream)`. ZFP
       rounds the tolerance down to a power of two, so its achievable ratios are a
       staircase and the achieved ratio can sit well above the target.

Search: bracket the target by factors of 10 in the error bound, starting from 1e-2 times
the RMS of the selected frames, then bisect in log space; at most --max-evals evaluations
of the whole frame set per (method, R). Then the chosen setting is run --repeats more
times, timed (compress and decompress of all frames, library calls only; the median is
reported), and its decompressed frames are written.

This script computes no error metrics: every method, ours included, is scored by the same
Rust implementation (`dashi-codec`'s `codec_compare` example) from the files written here.

Outputs, in --out DIR:
  {method}_r{R}.f32  decompressed frames, raw little-endian float32 [F, N, N], C order
  peers.json         {"n": N, "frames": [indices], "raw_bytes": F*N*N*4, ...,
                      "entries": [{"method": "sz3"|"zfp", "target_ratio": R,
                                   "achieved_ratio": x, "compressed_bytes": b,
                                   "raw_bytes": r, "error_bound": e, "compress_s": ..,
                                   "decompress_s": .., "file": "sz3_r20.f32",
                                   "package": "pysz 1.1.0", "mode": "...",
                                   "below_ratio": x2 | null, "below_error_bound": e2 | null,
                                   "evaluations": k, "note": ""}, ...]}
  (below_*: the largest ratio under the target that the search met, for context; note:
  empty, or why the achieved ratio is not just above the target.)
A method that cannot run (package missing, or a library error) gets, for each R, an entry
{"method", "target_ratio", "unavailable": "reason", "package": ...} and no file; the
other method is unaffected. The last stdout line is a JSON summary
{"peers_json": path, "entries": k, "unavailable": k2}.

Frames: `a:b` or `a:b:s` (Python range semantics: a, a+s, ... < b), a comma list
`i,j,k`, or one index.
"""

import argparse
import importlib.metadata
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

METHODS = ("sz3", "zfp")


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def parse_frames(spec, total):
    """Frame indices from `a:b[:s]` (half-open, like Python's range), `i,j,k` or `i`."""
    spec = spec.strip()
    try:
        return _parse_frames(spec, total)
    except ValueError as e:
        if str(e).startswith("--frames"):
            raise
        raise ValueError(f"--frames {spec!r}: expected a:b, a:b:s, i,j,k or i ({e})") from None


def _parse_frames(spec, total):
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or any(p.strip() == "" for p in parts):
            raise ValueError(f"--frames {spec!r}: expected a:b or a:b:s")
        a, b = int(parts[0]), int(parts[1])
        s = int(parts[2]) if len(parts) == 3 else 1
        if s <= 0:
            raise ValueError(f"--frames {spec!r}: the step must be positive")
        frames = list(range(a, b, s))
    else:
        frames = [int(x) for x in spec.split(",") if x.strip() != ""]
    if not frames:
        raise ValueError(f"--frames {spec!r} selects no frame")
    bad = [f for f in frames if f < 0 or f >= total]
    if bad:
        raise ValueError(f"--frames {spec!r}: indices {bad[:5]} outside 0..{total - 1} (the truth has {total} frames)")
    if len(set(frames)) != len(frames):
        raise ValueError(f"--frames {spec!r} repeats a frame")
    return frames


def parse_ratios(spec):
    ratios = []
    for x in spec.split(","):
        x = x.strip()
        if not x:
            continue
        r = float(x)
        if not (math.isfinite(r) and r > 1.0):
            raise ValueError(f"--ratios: {x!r} is not a ratio above 1")
        ratios.append(int(r) if r == int(r) else r)
    if not ratios:
        raise ValueError("--ratios is empty")
    return ratios


class Sz3:
    name = "sz3"
    mode = (
        "SZ3 absolute error bound (errorBoundMode = ABS), defaults otherwise "
        "(algorithm INTERP_LORENZO, OpenMP off); stream includes SZ3's header and config"
    )

    def __init__(self):
        from pysz import sz, szConfig, szErrorBoundMode

        self.sz, self.szConfig, self.abs = sz, szConfig, szErrorBoundMode.ABS
        self.package = f"pysz {version('pysz')}"

    def compress(self, frame, eb):
        config = self.szConfig()
        config.errorBoundMode = self.abs
        config.absErrorBound = float(eb)
        stream, _ = self.sz.compress(frame, config)
        return stream

    def decompress(self, stream, shape):
        data, _ = self.sz.decompress(stream, np.float32, shape)
        return data


class Zfp:
    name = "zfp"
    mode = (
        "ZFP fixed-accuracy mode (tolerance; ZFP rounds it down to a power of two); "
        "stream includes ZFP's header (write_header=True)"
    )

    def __init__(self):
        import zfpy

        self.zfpy = zfpy
        self.package = f"zfpy {version('zfpy')}"

    def compress(self, frame, eb):
        return self.zfpy.compress_numpy(frame, tolerance=float(eb), write_header=True)

    def decompress(self, stream, shape):
        data = self.zfpy.decompress_numpy(stream)
        if data.shape != shape or data.dtype != np.float32:
            raise RuntimeError(f"zfpy decompressed {data.dtype} {data.shape}, expected float32 {shape}")
        return data


def load_method(name):
    """The compressor `name`, or (None, reason) when it cannot be loaded."""
    cls = {"sz3": Sz3, "zfp": Zfp}[name]
    try:
        return cls(), None
    except Exception as e:  # ImportError, or a broken binary wheel
        return None, f"{type(e).__name__}: {e}"


def total_bytes(method, frames, eb):
    return sum(len(method.compress(f, eb)) for f in frames)


def search(method, frames, raw_bytes, target, rms, max_evals):
    """The error bound whose ratio is the smallest >= target among those tried.

    Returns (eb, compressed_bytes, evaluations, note, nearest_below), nearest_below being
    (ratio, eb) of the largest ratio below the target tried, or None."""
    tried = {}  # eb -> compressed bytes

    def ratio(eb):
        if eb not in tried:
            tried[eb] = total_bytes(method, frames, eb)
        return raw_bytes / tried[eb]

    scale = rms if rms > 0 and math.isfinite(rms) else 1.0
    lo_limit, hi_limit = scale * 1e-12, scale * 1e6
    eb = scale * 1e-2
    lo = hi = None  # lo: ratio < target; hi: ratio >= target
    if ratio(eb) >= target:
        hi = eb
        while len(tried) < max_evals and eb > lo_limit:
            eb /= 10.0
            if ratio(eb) >= target:
                hi = eb
            else:
                lo = eb
                break
    else:
        lo = eb
        while len(tried) < max_evals and eb < hi_limit:
            eb *= 10.0
            if ratio(eb) < target:
                lo = eb
            else:
                hi = eb
                break
    if lo is not None and hi is not None:
        while len(tried) < max_evals and hi / lo > 1.0 + 1e-6:
            mid = math.sqrt(lo * hi)
            if ratio(mid) >= target:
                hi = mid
            else:
                lo = mid

    above = [(raw_bytes / b, e) for e, b in tried.items() if raw_bytes / b >= target]
    below = [(raw_bytes / b, e) for e, b in tried.items() if raw_bytes / b < target]
    # The largest ratio below the target (with the largest error bound giving it), for context.
    nearest_below = max(below) if below else None
    if above:
        # Smallest ratio >= target; among equal ratios the smallest error bound.
        r, eb = min(above)
        note = ""
        if lo is None:
            note = f"ratio >= target already at the smallest error bound tried ({eb:.3g})"
    else:
        r, neg_eb = max((raw_bytes / b, -e) for e, b in tried.items())
        eb = -neg_eb
        note = f"target not reached: largest ratio found {r:.4g} (error bound up to {max(tried):.3g})"
    if above and nearest_below is not None and r > 1.05 * target:
        note = f"no setting tried gives a ratio in [{target}, {r:.3g}); the nearest below is {nearest_below[0]:.3g}"
    return eb, tried[eb], len(tried), note, nearest_below


def run_method(method, frames, shape, raw_bytes, ratios, rms, args, out_dir):
    entries = []
    for target in ratios:
        t0 = time.perf_counter()
        eb, nbytes, evals, note, below = search(method, frames, raw_bytes, target, rms, args.max_evals)
        search_s = time.perf_counter() - t0
        comp_times, decomp_times = [], []
        decoded = None
        for _ in range(args.repeats):
            streams = []
            ct = 0.0
            for f in frames:
                t = time.perf_counter()
                s = method.compress(f, eb)
                ct += time.perf_counter() - t
                streams.append(s)
            dt = 0.0
            decoded = np.empty((len(frames),) + shape, dtype="<f4")
            for i, s in enumerate(streams):
                t = time.perf_counter()
                d = method.decompress(s, shape)
                dt += time.perf_counter() - t
                decoded[i] = d
            got = sum(len(s) for s in streams)
            if got != nbytes:
                raise RuntimeError(f"{method.name}: {got} compressed bytes on re-run, {nbytes} in the search")
            comp_times.append(ct)
            decomp_times.append(dt)
        if not np.all(np.isfinite(decoded)):
            raise RuntimeError(f"{method.name} at error bound {eb:g} decompressed non-finite values")
        file = f"{method.name}_r{target}.f32"
        tmp = os.path.join(out_dir, f".{file}.tmp")
        decoded.tofile(tmp)
        os.replace(tmp, os.path.join(out_dir, file))
        entry = {
            "method": method.name,
            "target_ratio": target,
            "achieved_ratio": raw_bytes / nbytes,
            "compressed_bytes": nbytes,
            "raw_bytes": raw_bytes,
            "error_bound": eb,
            "compress_s": statistics.median(comp_times),
            "decompress_s": statistics.median(decomp_times),
            "compress_s_all": comp_times,
            "decompress_s_all": decomp_times,
            "file": file,
            "package": method.package,
            "mode": method.mode,
            "below_ratio": below[0] if below else None,
            "below_error_bound": below[1] if below else None,
            "evaluations": evals,
            "search_s": search_s,
            "note": note,
        }
        print(
            f"codec_peers: {method.name} R = {target}: error bound {eb:.4g} -> ratio {entry['achieved_ratio']:.3f} "
            f"({evals} evaluations, {search_s:.1f} s){'; ' + note if note else ''}",
            file=sys.stderr,
        )
        entries.append(entry)
    return entries


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--omega", required=True, help="omega.npy of a truth, [T, N, N] float32")
    p.add_argument("--frames", required=True, help="a:b[:s] (half-open), i,j,k, or i")
    p.add_argument("--ratios", default="20,50,100", help="target compression ratios, comma-separated")
    p.add_argument("--out", required=True, help="output directory (created)")
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of sz3,zfp")
    p.add_argument("--max-evals", type=int, default=40, help="error bounds tried per (method, ratio)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs of the chosen setting (median)")
    args = p.parse_args()
    if args.max_evals < 2 or args.repeats < 1:
        p.error("--max-evals must be >= 2 and --repeats >= 1")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        p.error(f"--methods: unknown {unknown}; choose from {','.join(METHODS)}")
    try:
        ratios = parse_ratios(args.ratios)
        omega = np.load(args.omega, mmap_mode="r")
        if omega.ndim != 3 or omega.shape[1] != omega.shape[2] or omega.dtype != np.float32:
            raise ValueError(f"{args.omega}: expected [T, N, N] float32, got {omega.dtype} {omega.shape}")
        frame_ids = parse_frames(args.frames, omega.shape[0])
    except (ValueError, OSError) as e:
        print(f"codec_peers: {e}", file=sys.stderr)
        return 2
    n = int(omega.shape[1])
    shape = (n, n)
    frames = [np.ascontiguousarray(omega[i], dtype=np.float32) for i in frame_ids]
    if not all(np.all(np.isfinite(f)) for f in frames):
        print("codec_peers: the selected frames hold non-finite values", file=sys.stderr)
        return 1
    raw_bytes = len(frames) * n * n * 4
    rms = math.sqrt(sum(float(np.mean(f.astype(np.float64) ** 2)) for f in frames) / len(frames))
    os.makedirs(args.out, exist_ok=True)
    print(
        f"codec_peers: N = {n}, {len(frames)} frames ({args.frames}), raw {raw_bytes} bytes, ratios {ratios}",
        file=sys.stderr,
    )

    entries = []
    for name in methods:
        method, reason = load_method(name)
        if method is not None:
            try:
                entries += run_method(method, frames, shape, raw_bytes, ratios, rms, args, args.out)
                continue
            except Exception as e:  # a library error makes this method unavailable, not the run
                reason = f"{type(e).__name__}: {e}"
                for r in ratios:
                    try:
                        os.remove(os.path.join(args.out, f"{name}_r{r}.f32"))
                    except FileNotFoundError:
                        pass
        print(f"codec_peers: {name} unavailable: {reason}", file=sys.stderr)
        dist = {"sz3": "pysz", "zfp": "zfpy"}[name]
        package = f"{dist} {version(dist)}" if version(dist) else f"{dist} (not installed)"
        entries += [{"method": name, "target_ratio": r, "unavailable": reason, "package": package} for r in ratios]

    doc = {
        "n": n,
        "frames": frame_ids,
        "frames_spec": args.frames,
        "raw_bytes": raw_bytes,
        "omega": os.path.abspath(args.omega),
        "truth_frames": int(omega.shape[0]),
        "ratio_definition": "raw f32 bytes of the selected frames / total compressed bytes (each frame its own 2D stream)",
        "file_layout": "raw little-endian float32 [F, N, N], C order, frames in the order of `frames`",
        "max_evals": args.max_evals,
        "repeats": args.repeats,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "entries": entries,
    }
    path = os.path.join(args.out, "peers.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    unavailable = sum(1 for e in entries if "unavailable" in e)
    print(json.dumps({"peers_json": os.path.abspath(path), "entries": len(entries), "unavailable": unavailable}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
