# syntax=docker/dockerfile:1
# sdp: one image for both services. The command picks the service:
#   node dist/server/pipeline-mgmt/main.js     pipeline-mgmt (REST, port 13012)
#   node dist/server/pipeline-worker/main.js   pipeline-worker (/health, /ready, /metrics on 13013)
#   node dist/server/main.js                   both in one process (the default)
#   node dist/server/common/db/migrate-cli.js  apply database migrations and exit
#
# Build (both architectures; nothing architecture-specific is downloaded, so either builds natively
# or under emulation):
#   docker buildx build --platform linux/amd64,linux/arm64 -t sdp:dev .
#
# Signals: tini (Debian's package) is PID 1 and forwards SIGTERM/SIGINT to node, which runs the
# app's graceful shutdown (bounded by server.shutdownTimeoutSec) and exits 0; tini also reaps
# zombies. Both base images must be Debian-based Node 20+ images (apt-get, npm).
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG BASE_IMAGE=node:20-bookworm-slim

# ---- builder: dev dependencies + TypeScript compile. Runs on the build host's own platform: its
# output (JavaScript) is the same for every architecture.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS builder
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY console ./console
RUN npm run build

# ---- runtime: production dependencies only, installed for the target platform.
FROM ${BASE_IMAGE} AS runtime
ARG SDP_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="sdp" \
      org.opencontainers.image.description="stream-data-pipeline: Kafka to OpenSearch pipelines (pipeline-mgmt + pipeline-worker)" \
      org.opencontainers.image.version="${SDP_VERSION}"
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    SDP_CONFIG=/app/config/pipeline-config.yaml
WORKDIR /app
# package.json sits next to dist/: the app reads its name and version from it at run time.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY --from=builder /src/dist ./dist
COPY config ./config
# Files stay root-owned and read-only for the app user; the root filesystem can be mounted read-only.
USER 1000:1000
EXPOSE 13012 13013
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server/main.js"]
