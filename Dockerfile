# syntax=docker/dockerfile:1
# newsflow worker image: the pinned, hashed runtime lock (no dev tools, no embedded broker, no
# eval or train extras), then newsflow's own wheel, a non-root user, no compilers in the final
# stage.
#
# Build the wheel first: `make wheel && docker build .` (`make wheel` writes
# dist/newsflow-<version>-py3-none-any.whl; .dockerignore lets only it and requirements.lock into
# the context). It is the same file `make test-wheel` installs, the same way, into a clean venv
# and runs the CLI from; the image never builds from the source tree.

FROM python:3.11.14-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/newsflow
COPY requirements.lock /src/requirements.lock
RUN /opt/newsflow/bin/pip install --require-hashes --only-binary=:all: -r /src/requirements.lock
COPY dist/newsflow-*.whl /src/dist/
# Exactly one wheel, installed without its dependencies (the lock has them: pip check says so).
RUN test "$(ls /src/dist/*.whl | wc -l)" -eq 1 \
    && /opt/newsflow/bin/pip install --no-deps --no-index /src/dist/newsflow-*.whl \
    && /opt/newsflow/bin/pip check
# Byte-compile now: the root filesystem is read-only at run time.
RUN /opt/newsflow/bin/python -m compileall -q /opt/newsflow

FROM python:3.11.14-slim-bookworm
ENV PATH=/opt/newsflow/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    NEWSFLOW_DATA_DIR=/tmp/newsflow \
    NEWSFLOW_WEB_HOST=0.0.0.0
RUN groupadd --system --gid 10001 newsflow \
    && useradd --system --uid 10001 --gid newsflow --home-dir /nonexistent --shell /usr/sbin/nologin newsflow
COPY --from=build /opt/newsflow /opt/newsflow
USER 10001:10001
EXPOSE 6066
ENTRYPOINT ["newsflow", "worker"]
CMD ["--service", "ingest"]
