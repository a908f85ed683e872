#!/usr/bin/env bash
# Build the venv the sd-scripts oracle runs in (tests/differential_kohya): torch's CPU build
# first, then the requirements of kohya-ss/sd-scripts 48d368fa that its start-up code imports,
# all from PyPI. sd-scripts itself is not installed: point LORACHECKS_SDSCRIPTS at a checkout.
# torchvision is replaced by a stub (tests/differential_kohya/stubs); bitsandbytes, wandb and
# lycoris-lora are there because users' configs name AdamW8bit, log_with = "wandb" and lycoris.kohya.
# Usage: tools/setup_kohya_venv.sh /path/to/venv
set -euo pipefail
venv="${1:?usage: $0 VENV_PATH}"
python3 -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0
"$venv/bin/pip" install -q transformers==4.54.1 diffusers==0.32.1 accelerate==1.6.0 toml==0.10.2 \
    voluptuous==0.15.2 safetensors==0.4.5 huggingface-hub==0.34.3 einops==0.7.0 ftfy==6.3.1 \
    imagesize==1.4.1 sentencepiece==0.2.1 numpy rich opencv-python-headless==4.10.0.84 \
    prodigyopt==1.1.2 lion-pytorch==0.2.3 bitsandbytes wandb lycoris-lora
echo "kohya oracle venv ready: export LORACHECKS_KOHYA_VENV=$venv LORACHECKS_SDSCRIPTS=<sd-scripts checkout>"
