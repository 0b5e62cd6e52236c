# sdp: one image for both services. The command picks the service:
#   node dist/server/pipeline-mgmt/main.js     pipeline-mgmt (REST, port 13012)
#   node dist/server/pipeline-worker/main.js   pipeline-worker (/health, /ready, /metrics on 13013)
#   node dist/server/main.js                   both in one process (the default)
#   node dist/server/common/db/migrate-cli.js  apply database migrations and exit
#
# Build (both architectures; nothing architecture-specific is downloaded, so either builds natively
# or under emulation):
#   docker buildx build --platform linux/amd64,linux/arm64 -t sdp:dev .
# Behind a proxy whose CA the host trusts, pass that bundle as the build secret `ca`: npm trusts it
# during the two `npm ci` steps and it never ends up in a layer:
#   docker buildx build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t sdp:dev .
# On a machine without a registry, scripts/image.sh makes Debian base images and builds on them.
# No `# syntax=` line: BuildKit's built-in frontend is used, nothing is fetched but the base images.
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
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY console ./console
COPY cli ./cli
RUN npm run build

# ---- deps: production dependencies only, installed for the target platform (npm stays in this stage).
FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm

# ---- runtime: node, tini, the compiled app and its production dependencies; no npm, no build tools.
FROM ${BASE_IMAGE} AS runtime
ARG SDP_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="sdp" \
      org.opencontainers.image.description="stream-data-pipeline: Kafka to OpenSearch pipelines (pipeline-mgmt + pipeline-worker)" \
      org.opencontainers.image.version="${SDP_VERSION}"
# tini from Debian's archive unless the base image has it; npm/npx/corepack/yarn removed when the base
# image ships them (the public node images do), so the runtime stage holds no package manager.
RUN if [ ! -x /usr/bin/tini ]; then \
      apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*; \
    fi \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm \
      /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
      /usr/share/nodejs/npm /usr/bin/npm /usr/bin/npx
ENV NODE_ENV=production \
    SDP_CONFIG=/app/config/pipeline-config.yaml
WORKDIR /app
# package.json sits next to dist/: the app reads its name and version from it at run time.
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=builder /src/dist ./dist
COPY config ./config
# Files stay root-owned and read-only for the app user; the root filesystem can be mounted read-only.
USER 1000:1000
EXPOSE 13012 13013
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server/main.js"]
