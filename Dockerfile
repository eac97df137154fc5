# The Hugging Face Space: JupyterLab from PyPI at the project's pins
# (requirements/space.txt) with the jupyterlab-ocean wheel, served on port
# 7860 (app_port in README.md's front matter).
#
# The build context is either this repository after `npm run dist` or the
# Space repository that `npm run space:bundle` assembles; both have the same
# layout: spaces/install.sh and start.sh, requirements/space.txt, dist/*.whl
# and examples/. The steps live in those scripts so that a test runs them
# outside Docker (scripts/test-spaces.mjs); this file only wires them up.
FROM python:3.11-slim-bookworm

# Spaces run the container as uid 1000: give that uid a home, and own
# everything it must write (the venv's settings, the workspace).
RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user \
    SPACE_VENV=/home/user/venv \
    PATH=/home/user/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /home/user/app

# The lock and install.sh first: the layer with the 140 pinned packages is
# rebuilt only when they change, not for every new wheel.
COPY --chown=user requirements/space.txt ./requirements/
COPY --chown=user spaces/install.sh spaces/start.sh ./spaces/
RUN ./spaces/install.sh --venv "$SPACE_VENV" --requirements-only
COPY --chown=user dist/ ./dist/
COPY --chown=user examples/ ./examples/
RUN ./spaces/install.sh --venv "$SPACE_VENV"

EXPOSE 7860
# No token in this file or the image: start.sh refuses to start until the
# Space has a JUPYTER_TOKEN secret.
CMD ["./spaces/start.sh"]
