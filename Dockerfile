# The nhacviec service. Migrations run at start-up from the same settings.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/nhacviec.db

RUN useradd --create-home --uid 1000 nhacviec && mkdir /data && chown nhacviec /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY core core
COPY bot bot
COPY handlers handlers
COPY schedules schedules
COPY plans plans
COPY db db
COPY locales locales
# Editable: the gettext catalog is read from locales/ beside the packages.
RUN pip install -e . && pybabel compile -d locales -D messages

USER nhacviec
VOLUME ["/data"]
CMD ["nhacviec", "run"]
