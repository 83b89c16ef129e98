# mentor-themes: the same steps as the README's `make run`, in an image.
#   docker build -t mentor-themes .
#   docker run -p 8000:8000 -v mentor-themes-var:/app/var mentor-themes
#   docker exec <container> mentor-themes keys create --tenant demo --role admin
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 mentor

COPY pyproject.toml README.md LICENSE ./
COPY training/ training/
COPY service/ service/
RUN pip install .

# The default model is trained at build time from the committed samples; the config is
# seeded, so the same sources give the same model.
COPY data/samples/ data/samples/
COPY data/transfer/ data/transfer/
RUN mentor-themes train --unless-active \
    && mkdir -p var \
    && chown -R mentor:mentor /app/var /app/models

USER mentor
ENV MENTOR_THEMES_HOST=0.0.0.0 \
    MENTOR_THEMES_PORT=8000 \
    MENTOR_THEMES_DATABASE_URL=sqlite:////app/var/mentor-themes.db \
    MENTOR_THEMES_MODELS_DIR=/app/models
EXPOSE 8000
VOLUME ["/app/var"]

HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

CMD ["sh", "-c", "mentor-themes db upgrade && exec mentor-themes serve"]
