# The product's image: gunicorn serving config.wsgi (gunicorn.conf.py); the same image runs
# the Celery worker and beat (compose.yaml). Build: `docker build -t innovation-fund .`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    MEDIA_ROOT=/data/media \
    PDF_FONT_DIR=/usr/share/fonts/truetype/dejavu \
    PDF_TIBETAN_FONT_DIR=/usr/share/fonts/truetype/tibetan

# WeasyPrint's system libraries (Pango, HarfBuzz's subsetter) and the fonts of the PDFs: DejaVu,
# and DDC Uchen (Tibetan script) for Dzongkha.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-ddc-uchen \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The production dependencies only (pyproject.toml), each at the version requirements.txt pins,
# and factory_boy with Faker, which `manage.py seed_demo` builds the demo with: no test tools
# (pytest, Playwright, schemathesis) in the image.
COPY pyproject.toml requirements.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/production.txt \
    && pip install --no-compile -c requirements.txt -r /tmp/production.txt factory_boy Faker \
    && rm /tmp/production.txt

COPY . .

# Static files collected at build time (WhiteNoise serves them, compressed, with hashed names).
# The key is a placeholder for this one command: the running container needs its own SECRET_KEY.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0

# Not root: the app user owns only the media folder (a volume in compose.yaml).
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --no-create-home --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data/media \
    && chown -R app:app /data
USER app

EXPOSE 8000
# gunicorn reads /app/gunicorn.conf.py: config.wsgi:application on 0.0.0.0:$PORT (8000).
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
