#!/usr/bin/env bash
# Codec rollout + decode throughput on the device machine (issue 6): frames/s at
# N = 128, 256, 512 with codec_bench (release build carried in .bin/, Vulkan loader in
# .gl/). Run as: OUT=$OUT bash xtask/device/codec_device.sh   (carry .gl and .bin)
set -euo pipefail
out=${OUT:?set OUT}
source "$(dirname "$0")/vulkan_env.sh"
./.bin/codec_bench --backend gpu --n 128,256,512 --frames 200 --repeats 3 | tee "$out/codec_gpu.jsonl"
echo
printf '%6s %6s %24s %24s\n' N D frames_per_s_resident frames_per_s_readback
python3 - "$out/codec_gpu.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"{r['n']:>6} {r['dim']:>6} {r['frames_per_s_resident']:>24.1f} {r['frames_per_s_readback']:>24.1f}")
PY
