# syntax=docker/dockerfile:1.7
# One image per Eco² component from the same source tree:
#   docker build --build-arg COMPONENT=gateway -t ghcr.io/eco2-team/eco2-gateway .
#   COMPONENT = gateway | auth | my | scan | character | location | info | chat | storage | ai
# Bun runs the TypeScript directly, so there is no compile stage: one stage resolves production
# dependencies with npm (the lockfile is npm's), the final stage is Bun, non-root, read-only friendly.

ARG BUN_VERSION=1.4.5
ARG NODE_VERSION=22.12.0

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: bun and deno are devDependencies and their postinstall downloads are not needed.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM oven/bun:${BUN_VERSION}-slim AS runtime
ARG COMPONENT
# Fail the build early on a missing or unknown component, and resolve its entry file.
RUN case "${COMPONENT}" in \
      gateway) entry=gateway/main.ts ;; \
      auth|my|scan|character|location|info|chat) entry="services/${COMPONENT}/main.ts" ;; \
      storage|ai) entry="workers/${COMPONENT}/main.ts" ;; \
      *) echo "COMPONENT must be one of gateway auth my scan character location info chat storage ai, got '${COMPONENT}'" >&2; exit 1 ;; \
    esac \
 && echo "${entry}" > /etc/eco2-entry \
 && groupadd --gid 10001 eco2 \
 && useradd --uid 10001 --gid eco2 --no-create-home --shell /usr/sbin/nologin eco2
WORKDIR /app
# MIMALLOC_PURGE_DELAY: the runtime environment of every Bun process of ours (RUNTIME_ENV in
# catalog/components.ts says why; catalog.test.ts checks this line against it).
ENV NODE_ENV=production \
    MIMALLOC_PURGE_DELAY=-1 \
    ECO2_COMPONENT=${COMPONENT} \
    PORT=8000 \
    GRPC_PORT=50051 \
    METRICS_PORT=9464
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json tsconfig.json ./
COPY --chown=root:root gen ./gen
COPY --chown=root:root catalog ./catalog
COPY --chown=root:root lib ./lib
COPY --chown=root:root services ./services
COPY --chown=root:root workers ./workers
COPY --chown=root:root gateway ./gateway
COPY --chown=root:root infra/docker/healthcheck.ts ./healthcheck.ts
# Files stay root-owned and read-only to the process; it writes only to /tmp (an emptyDir in Kubernetes).
USER 10001:10001
EXPOSE 8000 50051 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["bun", "/app/healthcheck.ts"]
# The Deployments pass `bun <entry>` as args; this default runs the same thing under plain docker.
ENTRYPOINT []
CMD ["/bin/sh", "-c", "exec bun \"$(cat /etc/eco2-entry)\""]
