FROM python:3.11-slim
WORKDIR /app
# The printable PDFs (WeasyPrint): Pango lays the text out, HarfBuzz subsets the embedded font,
# fonts-noto-cjk has the Chinese glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY portfolio ./portfolio
COPY api ./api
COPY schemas ./schemas
# The pages' message catalogues are compiled here (.mo files are build output, not in git);
# templates, static files and catalogues go into the installed package as package data.
RUN pybabel compile -d api/web/locale \
    && pip install --no-cache-dir --no-deps . && useradd --system portfolio
USER portfolio
ENV PORTFOLIO_ENV=production PORTFOLIO_HOST=0.0.0.0 PORTFOLIO_PORT=8000
EXPOSE 8000
CMD ["portfolio", "serve"]
