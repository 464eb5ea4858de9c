import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALL_EVENT_TOPICS, EVENT_CONTEXTS, loadBusConfig } from '@peil/messaging';
import { loadInternalToken } from '@peil/platform/auth';
import { SERVICES, loadPlatformConfig, servicePort, serviceUrl, type ServiceName } from '@peil/platform/config';
import { loadMasterKey } from '@peil/platform/privacy';
import { repoRoot } from '@peil/testing';

/**
 * Issue 6: docker-compose.yml names every service with a health check and runs them on the
 * distributed profile; the topics of infra/kafka/topics.txt are every topic the code uses. No Docker
 * engine is needed: the file is read as YAML (with merge keys, as Compose reads it) and each app
 * container's environment goes through the same loaders the services run at start. Where Debian's
 * `docker-compose` is installed, `docker-compose config -q` checks it against Compose's own schema.
 */
type Healthcheck = { test?: string[] | string; disable?: boolean };
type ComposeService = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  secrets?: string[];
  profiles?: string[];
};

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
};
const services = compose.services;
const APP = [...(Object.keys(SERVICES) as ServiceName[]), 'gateway'] as const;
const SERVERS = ['kafka', 'eventstoredb', 'mongodb'];
const ONE_SHOT = ['topic-init'];

const envOf = (name: string): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]));
const healthUrl = (check: Healthcheck | undefined): string | undefined => {
  const text = Array.isArray(check?.test) ? check.test.join(' ') : (check?.test ?? '');
  return /http:\/\/[^'"\s)]+/.exec(text)?.[0];
};

describe('docker-compose.yml (distributed profile)', () => {
  it('names every service, the gateway, Kafka, EventStoreDB, MongoDB and the topic step', () => {
    for (const name of [...APP, ...SERVERS, ...ONE_SHOT]) expect(Object.keys(services)).toContain(name);
  });

  it('gives every long-running container a health check', () => {
    const longRunning = Object.keys(services).filter((name) => !ONE_SHOT.includes(name));
    for (const name of longRunning) {
      const check = services[name]!.healthcheck;
      expect({ name, test: check?.test !== undefined && check.disable !== true }).toEqual({ name, test: true });
    }
  });

  it('runs each app container from its bundle (dist/apps) on the distributed profile, with an environment the services accept', () => {
    for (const name of APP) {
      const service = services[name]!;
      expect(service.profiles).toBeUndefined(); // part of `docker compose up`
      expect(service.command).toEqual(['node', `dist/apps/${name}.js`]);
      expect(existsSync(join(repoRoot, 'services', name, 'src', 'main.ts'))).toBe(true); // the bundle's entry (scripts/build-apps.ts)
      const env = envOf(name);
      expect({ name, ...pick(env, ['PEIL_EVENT_STORE', 'PEIL_BUS', 'PEIL_SUBSCRIPTIONS', 'PEIL_READ_STORE', 'PEIL_INTERNAL_HOST']) }).toEqual({
        name,
        PEIL_EVENT_STORE: 'esdb',
        PEIL_BUS: 'kafka',
        PEIL_SUBSCRIPTIONS: 'kafka',
        PEIL_READ_STORE: 'mongo',
        PEIL_INTERNAL_HOST: '0.0.0.0',
      });
      for (const variable of ['PEIL_ESDB_URL', 'PEIL_KAFKA_BROKERS', 'PEIL_MONGO_URL']) expect(env[variable]).toBeTruthy();
      expect(env.PEIL_MONGO_URL).toMatch(/[?&]replicaSet=rs0\b/); // transactions need the replica set (0011)
      // Throws a ConfigError naming the variable if the compose file says something the services refuse.
      const config = loadPlatformConfig(env);
      loadBusConfig(env);
      for (const target of Object.keys(SERVICES) as ServiceName[]) {
        expect(serviceUrl(config, target)).toBe(`http://${target}:${servicePort(config, target)}`);
      }
    }
  });

  it('checks each service on its own port, and the gateway on /v1/health', () => {
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      const port = servicePort(loadPlatformConfig(envOf(name)), name);
      expect(healthUrl(services[name]!.healthcheck)).toBe(`http://127.0.0.1:${port}/internal/health`);
    }
    const gateway = envOf('gateway');
    expect(healthUrl(services.gateway!.healthcheck)).toBe(`http://127.0.0.1:${gateway.PEIL_PORT}/v1/health`);
    expect(gateway.PEIL_HOST).toBe('0.0.0.0');
  });

  it('shares no named volume between containers, so each could run on its own host', () => {
    const mountedBy = new Map<string, string[]>();
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) continue; // read-only configuration from the repository
        mountedBy.set(source, [...(mountedBy.get(source) ?? []), name]);
      }
    }
    const shared = [...mountedBy].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
    // Every app container keeps its own data dir (integrity point; the ledger's tree, the gateway's keys).
    for (const name of APP) expect(services[name]!.volumes).toEqual([`${name}-data:${envOf(name).PEIL_DATA_DIR}`]);
  });

  it('gives every app container the shared secrets as files, the key store and the access log in MongoDB', () => {
    const declared = compose.secrets ?? {};
    for (const secret of Object.values(declared)) expect(existsSync(join(repoRoot, secret.file))).toBe(true);
    for (const name of APP) {
      const env = envOf(name);
      expect({ name, keys: env.PEIL_KEY_STORE, accessLog: env.PEIL_ACCESS_LOG }).toEqual({ name, keys: 'mongo', accessLog: 'mongo' });
      for (const [variable, secret] of [['PEIL_INTERNAL_TOKEN_FILE', 'peil_internal_token'], ['PEIL_MASTER_KEY_FILE', 'peil_master_key']] as const) {
        expect({ name, variable, value: env[variable] }).toEqual({ name, variable, value: `/run/secrets/${secret}` });
        expect(services[name]!.secrets).toContain(secret);
        expect(Object.keys(declared)).toContain(secret);
      }
      // A secret given both ways would be refused at start; the values themselves never sit in the file.
      expect({ name, token: env.PEIL_INTERNAL_TOKEN, key: env.PEIL_MASTER_KEY }).toEqual({ name, token: undefined, key: undefined });
    }
    // The development secrets are what the services accept (a short token or a bad key stops a start).
    const nowhere = join(repoRoot, 'no-data-dir');
    expect(loadInternalToken(nowhere, { PEIL_INTERNAL_TOKEN_FILE: join(repoRoot, declared.peil_internal_token!.file) }).length).toBeGreaterThanOrEqual(32);
    expect(loadMasterKey({ PEIL_MASTER_KEY_FILE: join(repoRoot, declared.peil_master_key!.file) }, nowhere)).toHaveLength(32);
    expect(existsSync(nowhere)).toBe(false);
    // Prometheus scrapes with the same token file, not through a data volume.
    expect(services.prometheus?.secrets).toEqual(['peil_internal_token']);
    expect(readFileSync(join(repoRoot, 'infra', 'prometheus', 'prometheus.yml'), 'utf8')).toContain('/run/secrets/peil_internal_token');
  });

  it('starts the apps after their servers and the topics, and the gateway after every service is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        const expected = ONE_SHOT.includes(target) ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, target, condition }).toEqual({ name, target, condition: expected });
      }
    }
    for (const name of APP) {
      expect(Object.keys(services[name]!.depends_on ?? {})).toEqual(expect.arrayContaining(['eventstoredb', 'kafka', 'topic-init', 'mongodb']));
    }
    expect(Object.keys(services.gateway!.depends_on ?? {})).toEqual(expect.arrayContaining(Object.keys(SERVICES)));
  });

  it('mounts only files that exist and volumes that are declared', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect({ name, source, exists: existsSync(join(repoRoot, source)) }).toEqual({ name, source, exists: true });
        else expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  it('keeps the embedded profile reachable as `--profile embedded`', () => {
    expect(services.peil?.profiles).toEqual(['embedded']);
    expect(envOf('peil').PEIL_EVENT_STORE).toBeUndefined();
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const composeMissing = dockerCompose.error ? 'docker-compose is not on PATH (apt-get install docker-compose)' : undefined;
  if (composeMissing) process.stderr.write(`docker-compose config check skipped: ${composeMissing}\n`);
  (composeMissing ? it.skip : it)('passes `docker-compose config -q` (Compose schema; no engine needed)', () => {
    const run = spawnSync('docker-compose', ['config', '-q'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });
});

describe('infra/kafka/topics.txt', () => {
  const lines = readFileSync(join(repoRoot, 'infra', 'kafka', 'topics.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const topics = new Map(
    lines.map((line) => {
      const [name, partitions, retention, ...rest] = line.split(/\s+/);
      return [name!, { partitions: Number(partitions), retention: Number(retention), rest }];
    }),
  );

  it('is well formed: one topic per line, positive partitions, integer retention, no duplicates', () => {
    expect(topics.size).toBe(lines.length);
    for (const [name, t] of topics) {
      expect({ name, ok: /^peil\.[a-z-]+(\.[a-z-]+)*$/.test(name) && Number.isInteger(t.partitions) && t.partitions > 0 && Number.isInteger(t.retention) && t.rest.length === 0 }).toEqual({ name, ok: true });
    }
  });

  it('lists every events topic the relay writes, never expiring', () => {
    for (const name of ALL_EVENT_TOPICS) expect({ name, retention: topics.get(name)?.retention }).toEqual({ name, retention: -1 });
  });

  it('lists the submissions, dead-letter and results topics of every context', () => {
    for (const context of EVENT_CONTEXTS) {
      expect(topics.has(`peil.${context}.submissions`)).toBe(true);
      expect(topics.has(`peil.${context}.submissions.dlq`)).toBe(true);
    }
    expect(topics.has('peil.submission-results')).toBe(true);
  });

  it('is what the topic step creates', () => {
    expect(services['topic-init']?.environment?.TOPICS_FILE).toBe('/infra/kafka/topics.txt');
    expect(services['topic-init']?.volumes).toContain('./infra/kafka:/infra/kafka:ro');
  });
});

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, env[k]]));
}
