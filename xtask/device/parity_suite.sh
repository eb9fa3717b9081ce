#!/usr/bin/env bash
# Every GPU parity test binary on the device machine (no cargo there), DASHI_REQUIRE_GPU=1.
#
# Expects, in the repository root: .gl/*.deb (the Vulkan loader) and .binpack/bin.tar.xz,
# a tarball of .bin/test_* made on the build machine from the release test binaries of
# dashi-gpu and of the parity tests of dashi-les, dashi-codec and dashi-atoms (each stripped;
# the tarball keeps the carry under its size limit). Prints one line per binary, then a
# table of totals. Logs go to $OUT (or /tmp/dashi-parity-suite).
set -u
out=${OUT:-/tmp/dashi-parity-suite}
mkdir -p "$out"
. xtask/device/vulkan_env.sh
tar -xJf .binpack/bin.tar.xz
: > "$out/tests.txt"
for t in .bin/test_*; do
  name=$(basename "$t")
  "$t" --test-threads=1 > "$out/$name.log" 2>&1
  rc=$?
  summary=$(grep -E "^test result" "$out/$name.log" | tail -1)
  skipped=$(grep -ci "skipped" "$out/$name.log")
  echo "$name rc=$rc skipped_lines=$skipped $summary" | tee -a "$out/tests.txt"
done
echo
awk '{ for (i = 1; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } if ($2 != "rc=0") bad++ }
     END { printf "binaries %d, nonzero exits %d, tests passed %d, failed %d\n", NR, bad + 0, p, f }' "$out/tests.txt"
