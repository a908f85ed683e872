#!/usr/bin/env bash
# Build a virtual environment holding the real LLaMA-Factory trainer, for the opt-in
# differential tests (tests/differential/): they run `llamafactory-cli train` on CPU and
# compare its verdict with lorachecks'.
#
#   tools/setup_lf_venv.sh [VENV_DIR]        (default: .lfvenv beside this checkout)
#   LORACHECKS_LF_VENV=VENV_DIR python -m pytest tests/differential
#
# Torch is installed first, pinned to the CPU build, and stays pinned through a constraints
# file: an unpinned resolve of torchvision/torchaudio would pull a newer CUDA torch (GBs).
set -euo pipefail

VENV="${1:-$(cd "$(dirname "$0")/.." && pwd)/.lfvenv}"
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="${LF_TORCH_VERSION:-2.13.0}"
LF_VERSION="${LF_VERSION:-0.9.5}"

"$PYTHON" -m venv "$VENV"
constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
echo "torch==$TORCH_VERSION" >"$constraints"

pip=("$VENV/bin/pip" install --quiet --disable-pip-version-check)
# TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu serves torch without the CUDA
# libraries; leave it unset where the CPU wheel is already on a local index or find-links.
if [ -n "${TORCH_INDEX_URL:-}" ]; then
    pip+=(--extra-index-url "$TORCH_INDEX_URL")
fi
"${pip[@]}" "torch==$TORCH_VERSION"
"${pip[@]}" -c "$constraints" "llamafactory==$LF_VERSION"

# torchvision/torchaudio on PyPI are linked against the CUDA torch; next to the CPU torch
# their compiled parts fail to load. LLaMA-Factory's text training never uses them:
# transformers treats torchvision as optional (drop it), and LLaMA-Factory imports
# torchaudio at module level only for audio decoding, which torchaudio >= 2.9 leaves to
# torchcodec (keep its Python code, drop the broken extension).
py="$VENV/bin/python"
if ! "$py" -c 'import torchvision' >/dev/null 2>&1; then
    "$VENV/bin/pip" uninstall --quiet --yes torchvision
    echo "setup_lf_venv: removed torchvision (its build does not match torch $TORCH_VERSION)"
fi
if ! "$py" -c 'import torchaudio' >/dev/null 2>&1; then
    ta_lib="$("$py" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("torchaudio").origin).parent / "lib")')"
    rm -f "$ta_lib"/*.so
    echo "setup_lf_venv: removed torchaudio's compiled extension (built for another torch)"
fi

installed="$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')"
if [ "$installed" != "$TORCH_VERSION" ]; then
    echo "setup_lf_venv: torch $installed installed, expected $TORCH_VERSION" >&2
    exit 1
fi
"$VENV/bin/python" -c 'import llamafactory, transformers, peft; print("llamafactory", llamafactory.__version__, "transformers", transformers.__version__, "peft", peft.__version__)'
echo "ready: LORACHECKS_LF_VENV=$VENV"
