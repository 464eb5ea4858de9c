import { spawn } from 'node:child_process';

export interface KafkaMock {
  /** host:port of each mock broker, for a client's bootstrap list. */
  brokers: string[];
  /** Kills the cluster; everything it stored is gone. */
  stop(): Promise<void>;
  /**
   * Freezes the whole cluster (SIGSTOP): sockets still accept connections but nothing answers, as
   * with a hung or partitioned broker. Unlike stop(), the cluster comes back on the same ports.
   */
  pause(): void;
  resume(): void;
}

export interface KafkaMockOptions {
  /** Number of brokers in the mock cluster (default 3). */
  brokers?: number;
  /** How long to wait for kcat to print its bootstrap servers (default 10 s). */
  startTimeoutMs?: number;
  /** The kcat executable (default `kcat` on the PATH). */
  command?: string;
}

const MISSING = 'kcat not found: apt-get install -y kcat';

/**
 * librdkafka's mock cluster, hosted by kcat: a Kafka-protocol broker that starts in milliseconds with
 * no JVM, no Docker and no network. The kcat consumer itself is incidental (it tails a `warmup`
 * topic); what matters is that `test.mock.num.brokers` makes librdkafka start a cluster in-process
 * and print its addresses. Known limits (docs/decisions/0012): its metadata names controller 0,
 * which no broker has, so kafkajs admin calls and idempotent producers fail against it; topics are
 * auto-created (4 partitions) on first metadata request; its ports are random, so a restarted
 * cluster is a new cluster at new addresses; consumer groups wait ~3 s before the first assignment.
 */
export function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const count = options.brokers ?? 3;
  const child = spawn(options.command ?? 'kcat', ['-C', '-b', 'x:1', '-t', 'warmup', '-X', `test.mock.num.brokers=${count}`, '-d', 'mock'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // With `-d mock` kcat logs every request; stderr must be drained or the cluster blocks on a full
  // pipe. Only a tail is kept, for error messages.
  let tail = '';
  let found: string[] | undefined;
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  return new Promise<KafkaMock>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new Error(`kafka mock: no bootstrap.servers line from kcat within ${options.startTimeoutMs ?? 10_000} ms\n${tail}`));
    }, options.startTimeoutMs ?? 10_000);

    child.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'ENOENT' ? new Error(MISSING) : err);
    });
    child.once('exit', (code, signal) => {
      if (!found) fail(new Error(`kafka mock: kcat exited (${code ?? signal}) before its cluster started\n${tail}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const seen = tail + chunk;
      tail = seen.slice(-4000);
      if (found) return;
      // Searched before trimming: under load one chunk can carry the line followed by more than the
      // kept tail of request logs. The debug line says `bootstrap.servers=a,b,c`; the notice printed
      // without -d says `replaced with a,b,c`; only a whole line counts, so a port cut by a chunk boundary is never taken.
      const match = /(?:bootstrap\.servers=|replaced with )((?:[\w.-]+:\d+,?)+)(?=\s)/.exec(seen);
      if (!match) return;
      found = match[1]!.split(',').filter(Boolean);
      clearTimeout(timer);
      let stopped = false;
      resolve({
        brokers: found,
        async stop() {
          if (stopped) return;
          stopped = true;
          process.removeListener('exit', killOnExit);
          // SIGKILL, not SIGTERM: a paused process would not act on SIGTERM until resumed.
          child.kill('SIGKILL');
          await exited;
        },
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
      });
    });
  });
}
