"""PyTorch/CUDA peer for dashi-gpu's rollout benchmarks (run on an H100/H200).

Same workloads as `crates/dashi-gpu/examples/gpu_bench.rs`, in f32 with TF32 disabled
(true f32 arithmetic, like our WGSL):
  * rollout_single: z <- z @ A for `steps` steps, one trajectory (D = 654), timed with
    CUDA events around the whole loop (eager PyTorch, one cuBLAS gemv per step), and
    the same loop captured once in a CUDA graph of 100 steps and replayed;
  * gemm_batched: Z <- Z @ A for M = 4096 trajectories, a chain of 20 products;
  * fft2: torch.fft.fft2 (cuFFT) on complex64 batches filling 128 MiB, n = 256 … 4096,
    and the device's copy bandwidth (a 1 GiB device-to-device copy, bytes read +
    written) to put achieved GB/s in context.
Prints one JSON line per measurement (medians over `--repeats`).
"""

import argparse
import json

import torch


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def timed(fn, repeats):
    out = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        out.append(start.elapsed_time(end) * 1e-3)
    return median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dim", type=int, default=654)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--fft-only", action="store_true", help="only the complex fft2 and the copy bandwidth")
    ap.add_argument("--ns", default="256,1024,2048,4096", help="FFT sizes, comma-separated")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dev = torch.device("cuda")
    g = torch.Generator(device="cpu").manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(args.dim, args.dim, generator=g, dtype=torch.float64))
    a = (q * 0.9999).to(torch.float32).to(dev)
    z0 = torch.randn(args.dim, generator=g).to(torch.float32).to(dev)
    name = torch.cuda.get_device_name(0)

    if not args.fft_only:
        def loop():
            z = z0
            for _ in range(args.steps):
                z = z @ a
            return z

        loop()
        wall = timed(loop, args.repeats)
        print(json.dumps({"bench": "rollout_single", "peer": "torch-eager", "dim": args.dim, "steps": args.steps,
                          "steps_per_s": args.steps / wall, "ns_per_step": wall * 1e9 / args.steps, "device": name,
                          "torch": torch.__version__}))

        static_z = z0.clone()
        graph_steps = 100
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                w = static_z
                for _ in range(graph_steps):
                    w = w @ a
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            w = static_z
            for _ in range(graph_steps):
                w = w @ a
            static_out = w

        def graphed():
            for _ in range(args.steps // graph_steps):
                graph.replay()
                static_z.copy_(static_out)

        graphed()
        wall = timed(graphed, args.repeats)
        print(json.dumps({"bench": "rollout_single", "peer": "torch-cudagraph", "dim": args.dim, "steps": args.steps,
                          "steps_per_s": args.steps / wall, "ns_per_step": wall * 1e9 / args.steps, "device": name}))

        chain = 20
        zb = torch.randn(args.batch, args.dim, generator=g).to(torch.float32).to(dev)
        wb = torch.empty_like(zb)

        def gemms():
            x, y = zb, wb
            for _ in range(chain):
                torch.matmul(x, a, out=y)
                x, y = y, x

        gemms()
        t = timed(gemms, args.repeats)
        flop = 2.0 * args.batch * args.dim * args.dim * chain
        print(json.dumps({"bench": "gemm_batched", "peer": "torch-matmul-f32-notf32", "batch": args.batch, "dim": args.dim,
                          "chain": chain, "device_s": t, "gflop_per_s": flop / t * 1e-9, "device": name}))

    # Complex fft2 on batches filling 128 MiB; real rfft2 (half spectra out) on 64 MiB of reals.
    transforms = (("fft2", torch.fft.fft2, torch.complex64, lambda n: max(1, (16 << 20) // (2 * n * n)), "batch", {}),
                  ("rfft2", torch.fft.rfft2, torch.float32, lambda n: max(2, (16 << 20) // (n * n)), "fields",
                   {"output": "half spectra (n x (n/2+1))"}))
    for bench, transform, dtype, count, key, extra in transforms:
        if args.fft_only and bench != "fft2":
            continue
        for n in [int(v) for v in args.ns.split(",")]:
            fields = count(n)
            x = torch.randn(fields, n, n, dtype=dtype, device=dev)
            transform(x)

            def run():
                for _ in range(10):
                    transform(x)

            t = timed(run, args.repeats) / 10
            print(json.dumps({"bench": bench, "peer": "torch-cufft", "n": n, key: fields, "device_s": t, **extra,
                              "fields_per_s": fields / t, "device": name}))

    src = torch.empty(1 << 28, dtype=torch.float32, device=dev)
    dst = torch.empty_like(src)
    dst.copy_(src)
    t = timed(lambda: dst.copy_(src), args.repeats)
    print(json.dumps({"bench": "copy_bandwidth", "peer": "torch", "bytes": 2 * 4 * (1 << 28), "device_s": t,
                      "gb_per_s": 2 * 4 * (1 << 28) / t * 1e-9, "device": name}))


if __name__ == "__main__":
    main()
