# syntax=docker/dockerfile:1
# One image for every role: `rlm worker`, `rlm orchestrator`, `rlm serve`, `rlm sim`.
# The image runs what users install: the tarballs `./dev pack` writes,
# npm-installed into /app, so the cluster runs the same built JavaScript as
# `npm install @rlm/cli`.
# Layout and reasons: docs/decisions/2026-11-29-packaging-layout.md and
# docs/decisions/2026-11-24-image-layout.md.

# ---- pack: the workspace, built and packed by scripts/pack (what ./dev pack runs) ----
FROM node:24-slim AS pack
ENV CI=true
# The repository pins pnpm through devEngines in package.json.
RUN npm install --global --no-audit --no-fund pnpm@12.21.0
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
# Every workspace manifest must be present for a frozen install.
COPY test/package.json test/package.json
COPY packages packages
COPY scripts/pack scripts/pack
# The build needs the compiler and the type packages (devDependencies).
# isolated-vm and msgpackr-extract load prebuilt binaries (allowBuilds: false),
# so no compiler toolchain is needed.
RUN --mount=type=cache,id=rlm-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --store-dir /pnpm-store
RUN node scripts/pack/pack.ts --out /packages

# ---- deps: the packed packages and their production dependencies ----
FROM node:24-slim AS deps
WORKDIR /app
COPY --from=pack /packages /packages
# Every tarball at once: the @rlm packages depend on each other at exact
# versions, which the local tarballs satisfy. Install scripts are skipped, as
# in the workspace: the native modules ship prebuilt binaries.
RUN --mount=type=cache,id=rlm-npm-cache,target=/root/.npm \
    echo '{"name":"rlm-image","private":true,"type":"module"}' > package.json \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund /packages/*.tgz

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
# isolated-vm needs Node's startup snapshot off. Node is started here with the
# flag, so the CLI's main module runs directly (no launcher re-exec under tini).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--no-node-snapshot", "node_modules/@rlm/cli/dist/main.js"]
# The ops server binds loopback and a free port unless told: in a container, pin it and open it.
CMD ["worker", "--host", "0.0.0.0", "--port", "9464"]
