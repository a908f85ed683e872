# lorachecks lint, schema, estimate and the language server: no torch.
#   docker build -f docker/lint.Dockerfile -t lorachecks-lint .
#   docker run --rm -v "$PWD:/work" lorachecks-lint lint --no-path-checks configs/
# BASE_IMAGE: the same image from a registry mirror, where Docker Hub is out of reach.
ARG BASE_IMAGE=python:3.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /opt/lorachecks
COPY pyproject.toml README.md ./
COPY lorachecks ./lorachecks
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 1000 lorachecks

USER 1000
WORKDIR /work
ENTRYPOINT ["lorachecks"]
CMD ["--help"]
