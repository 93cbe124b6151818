# Roundtable: build the browser app with Node, run the service with Python.
# Configure with DATABASE_URL (PostgreSQL for several replicas), SECRET_KEY, ALLOWED_ORIGINS.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; \
    else mkdir -p ../backend/roundtable/static; fi

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --create-home --uid 10001 roundtable
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY backend/ backend/
COPY migrations/ migrations/
COPY --from=frontend /src/backend/roundtable/static/ backend/roundtable/static/
COPY docker/entrypoint.sh /usr/local/bin/roundtable-entrypoint
RUN uv sync --frozen --no-dev \
    && mkdir -p /app/var && chown -R roundtable /app/var
USER roundtable
ENV PATH=/app/.venv/bin:$PATH DATABASE_URL=sqlite:////app/var/roundtable.sqlite3
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health').status != 200)"
ENTRYPOINT ["roundtable-entrypoint"]
CMD ["roundtable", "serve", "--host", "0.0.0.0", "--port", "8000"]
