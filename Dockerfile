FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build
# The Functions runtime's own npm packages (twilio, @twilio/runtime-handler).
WORKDIR /src/runtime
COPY serverless/runtime/node/package.json serverless/runtime/node/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
# Functions run in bubblewrap sandboxes with Node.js (serverless/runtime/README.md); the container
# must allow the namespaces bubblewrap creates, or functions refuse to run (fail closed).
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*
COPY --from=frontend /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e .
COPY --from=frontend /src/frontend/dist frontend/dist
COPY --from=frontend /src/runtime/node_modules serverless/runtime/node/node_modules
RUN DJANGO_DEBUG=false python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["python", "manage.py", "serve", "--host", "0.0.0.0", "--port", "8000"]
