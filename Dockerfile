FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home ecopark && mkdir -p var && chown -R ecopark var
USER ecopark
EXPOSE 8000
# A request that runs past 60 s is cut (large Excel imports run as background jobs instead);
# X-Forwarded-Proto is honoured only from TRUSTED_PROXY_IPS (ecopark/settings.py).
CMD ["gunicorn", "ecopark.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--graceful-timeout", "30"]
