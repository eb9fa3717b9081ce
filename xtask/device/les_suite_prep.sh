#!/usr/bin/env bash
# Build-machine half of the LES GPU comparison (issue 5): fetches what the device machine
# (H100/H200, no internet; JAX with CUDA already installed, jax-cfd not) lacks to run
# xtask/peers/jax_cfd_les.py, as pure-Python wheels in .wheels/ (ignored by git).
#
#   xtask/device/les_suite_prep.sh            # here, with internet
#   then on the device, carrying .wheels (and .bin for ours):
#   bash xtask/device/les_device.sh
#
# Only jax-cfd and tree-math are fetched: jax-cfd's other requirements (jax, numpy,
# scipy) come with JAX itself. Versions are those pinned for the CPU suite in
# xtask/src/peers.rs (LES_PEER_PINS); keep the two in step.
set -euo pipefail
cd "$(dirname "$0")/../.."

JAX_CFD_VERSION=0.2.1
TREE_MATH_VERSION=0.2.1

mkdir -p .wheels
python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: --dest .wheels \
  "jax-cfd==${JAX_CFD_VERSION}" "tree-math==${TREE_MATH_VERSION}"

# Both must be pure Python (any platform, any CPython 3), or they will not install there.
for w in .wheels/jax_cfd-${JAX_CFD_VERSION}-*.whl .wheels/tree_math-${TREE_MATH_VERSION}-*.whl; do
  [ -f "$w" ] || { echo "les_suite_prep: missing $w" >&2; exit 1; }
  case "$w" in
    *-none-any.whl) ;;
    *) echo "les_suite_prep: $w is not a pure-Python wheel" >&2; exit 1 ;;
  esac
done
ls -l .wheels
echo "les_suite_prep: wheels ready; carry .wheels to the device and run xtask/device/les_device.sh"
