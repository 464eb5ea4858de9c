# One image for both profiles (docker-compose.yml). By default it runs the embedded profile: every
# service as a process of one container (scripts/start.ts), data on a volume. The distributed profile
# runs the same image once per service with `node dist/services/<name>/src/main.js`.
FROM node:20-bookworm-slim AS build
RUN apt-get update -qq && apt-get install -y -qq python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV PEIL_DATA_DIR=/data PEIL_HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node
CMD ["node", "dist/scripts/start.js"]
