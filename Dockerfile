# One image for both profiles (docker-compose.yml). By default it runs the embedded profile: every
# service as a process of one container (scripts/start.ts), data on a volume. The distributed profile
# runs the same image once per service with `node dist/apps/<name>.js`.
# Node 24 (LTS, supported until April 2028): Node 20 reached end of life in April 2026. The code still
# runs on 20 (development machines); better-sqlite3 12 is built here from source if no prebuilt fits.
FROM node:24-bookworm-slim AS build
RUN apt-get update -qq && apt-get install -y -qq python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV PEIL_DATA_DIR=/data PEIL_HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
# Not root; compose also runs it with a read-only root filesystem (only /data and /tmp are writable).
USER node
CMD ["node", "dist/apps/start.js"]
