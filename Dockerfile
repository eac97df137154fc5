# The Hugging Face Space: a stock JupyterLab 4 from PyPI with the
# jupyterlab-ocean wheel, served on port 7860 (the README's app_port).
#
# Build context = the Space repository, assembled by `npm run space:bundle`
# in the jupyterlab-ocean repository (this folder + dist/*.whl + examples/).
# install.sh and start.sh hold the steps so that a test runs them outside
# Docker (scripts/test-spaces.mjs); this file only wires them up.
FROM python:3.11-slim-bookworm

# Spaces run the container as uid 1000: give that uid a home, and own
# everything it must write (the venv's settings, the workspace).
RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user \
    SPACE_VENV=/home/user/venv \
    PATH=/home/user/venv/bin:$PATH \
    PYTHONUNBUFFERED=1
WORKDIR /home/user/app

COPY --chown=user install.sh start.sh ./
COPY --chown=user dist/ ./dist/
COPY --chown=user examples/ ./examples/
RUN ./install.sh --venv "$SPACE_VENV" --wheel-dir ./dist

EXPOSE 7860
# No token in this file or the image: start.sh refuses to start until the
# Space has a JUPYTER_TOKEN secret.
CMD ["./start.sh"]
