# syntax=docker/dockerfile:1
# One image for every role: `rlm worker`, `rlm orchestrator`, `rlm serve`, `rlm sim`.
# The CLI runs unbuilt TypeScript on Node 24, so the image holds the workspace's
# package sources plus production node_modules; there is no build step.
# Layout and reasons: docs/decisions/2026-11-24-image-layout.md.

# ---- deps: production dependencies of @rlm/cli and its workspace packages ----
FROM node:24-slim AS deps
ENV CI=true
# The repository pins pnpm through devEngines in package.json.
RUN npm install --global --no-audit --no-fund pnpm@12.21.0
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# Every workspace manifest must be present for a frozen install; the test
# package is never installed (filtered out below).
COPY test/package.json test/package.json
COPY packages packages
# --prod skips devDependencies; the filter keeps the CLI and what it imports.
# isolated-vm and msgpackr-extract load prebuilt binaries (allowBuilds: false),
# so no compiler is needed.
RUN --mount=type=cache,id=rlm-pnpm-store,target=/pnpm-store \
    pnpm install --prod --frozen-lockfile --filter "@rlm/cli..." --store-dir /pnpm-store

# ---- runtime ----
FROM node:24-slim AS runtime
# tini as PID 1: forwards SIGTERM to Node (which drains) and reaps zombies.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the app user: the root filesystem can be
# mounted read-only in Kubernetes.
COPY --from=deps /app /app
# The `node` user of the official image (uid 1000); numeric so that
# Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# 9464 worker ops, 9465 orchestrator ops, 8080 rlm serve, 8089 rlm sim.
EXPOSE 9464 9465 8080 8089
# Roles answer health on different ports; RLM_HEALTH_URL picks one (compose
# sets it per service; Kubernetes uses its own probes).
ENV RLM_HEALTH_URL=http://127.0.0.1:9464/livez
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.RLM_HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# isolated-vm needs Node's startup snapshot off.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--no-node-snapshot", "packages/cli/src/main.ts"]
# The ops server binds loopback and a free port unless told: in a container, pin it and open it.
CMD ["worker", "--host", "0.0.0.0", "--port", "9464"]
