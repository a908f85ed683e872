# lorachecks dry-run on a GPU: the official PyTorch CUDA runtime plus the dry-run extras
# (transformers, peft, diffusers). torch comes from the base image and is not reinstalled.
#   docker build -f docker/dryrun.Dockerfile -t lorachecks-dryrun .
#   docker run --rm --gpus all -v "$PWD:/work" -v "$HOME/.cache/huggingface:/hf" -e HF_HOME=/hf \
#     lorachecks-dryrun dry-run --device cuda --format json configs/train.yaml
# BASE_IMAGE: an official PyTorch image with torch >= 2.6 (transformers 5 turns PyTorch off below 2.6),
# or the same image from a registry mirror.
ARG BASE_IMAGE=pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /opt/lorachecks
COPY pyproject.toml README.md ./
COPY lorachecks ./lorachecks
COPY docker/dryrun-constraints.txt ./
# DEEPSPEED=true adds DeepSpeed (pinned too): `dry-run --nproc N` then runs the config's ZeRO
# stage itself instead of DDP standing in (docs/dryrun.md).
ARG DEEPSPEED=false
# The project itself comes from the build context; its libraries are pinned by the constraints.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir --constraint dryrun-constraints.txt ".[dryrun-diffusion]" \
    && if [ "$DEEPSPEED" = "true" ]; then \
        pip install --no-cache-dir --constraint dryrun-constraints.txt deepspeed accelerate; \
    fi \
    && useradd --create-home --uid 1000 lorachecks

USER 1000
WORKDIR /work
ENTRYPOINT ["lorachecks"]
CMD ["dry-run", "--help"]
