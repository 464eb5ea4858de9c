import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Whether a worker script can be started: workers run compiled JavaScript, so from TypeScript sources
 * (tests under swc) the work runs in the caller's thread instead.
 */
export const canStartWorker = (script: string): boolean => __filename.endsWith('.js') && existsSync(script);

/** Starts `script` with `data`, resolves with the one message it posts, rejects if it fails or exits without one. */
export function oneShotWorker<T>(script: string, data: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    let answered = false;
    worker.once('message', (result: T) => {
      answered = true;
      resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`${what} exited with code ${code}`));
    });
  });
}
