# Sourced by the device scripts (gpu_suite.sh, les_device.sh) after "$out" exists: unpacks
# the carried Vulkan loader (.gl/*.deb), points Vulkan at the NVIDIA driver, makes a
# missing GPU a test failure (DASHI_REQUIRE_GPU=1) and records the GPU in "$out/gpu.txt".
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
export DASHI_REQUIRE_GPU=1
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"
