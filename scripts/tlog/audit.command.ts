import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { NoteError, openCheckpoint, verifyConsistency, type Checkpoint, type NoteVerifier } from '@peil/ledger';
import { EXIT, parseArgs, single, UsageError, verifierArg } from './cli-args';

export const AUDIT_USAGE = `  audit --url <base URL> --key <verifier key | @file> --state <file>
                                          a witness (API key in PEIL_API_KEY): fetch the signed checkpoint, check
                                          its signature and that it extends the one kept in --state (consistency
                                          proof), then keep the new one; 0 consistent, 1 integrity failure,
                                          3 server unreachable`;

const TIMEOUT_MS = 30_000;

interface AuditResult {
  ok: boolean;
  origin?: string;
  size?: number;
  root?: string;
  previousSize?: number;
  reason?: string;
}

class Unreachable extends Error {}
class IntegrityFailure extends Error {}

/**
 * `audit`: what a donor runs from cron. A few kilobytes per run: one checkpoint and one consistency
 * proof, whatever the size of the ledger. The state file is exactly the signed checkpoint text as
 * served, so it can be passed to `verify-pack --trusted`.
 */
export async function auditCommand(args: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const parsed = parseArgs(args, ['--url', '--key', '--state']);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument ${parsed.positional[0]} (the API key goes in PEIL_API_KEY, never on the command line)`);
  const url = single(parsed, '--url');
  const keyArg = single(parsed, '--key');
  const stateFile = single(parsed, '--state');
  if (!url || !keyArg || !stateFile) throw new UsageError('audit needs --url, --key and --state');
  const apiKey = env.PEIL_API_KEY?.trim();
  if (!apiKey) throw new UsageError('PEIL_API_KEY is not set (the API key of any role)');
  const key = verifierArg(keyArg);
  const api = apiBase(url);
  const previousText = readState(stateFile);
  const previous = previousText === undefined ? undefined : openState(previousText, key, stateFile);

  const report = (code: number, result: AuditResult) => {
    out(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  };
  try {
    const text = await fetchText(`${api}/ledger/checkpoint`, apiKey);
    let current: Checkpoint;
    try {
      current = openCheckpoint(text, key);
    } catch (err) {
      if (err instanceof NoteError) throw new IntegrityFailure(`bad signature: the served checkpoint does not verify with the trusted key (${err.message})`);
      throw err;
    }
    const summary = { origin: current.origin, size: current.size, root: current.root.toString('base64'), ...(previous ? { previousSize: previous.size } : {}) };
    if (previous) {
      if (current.size < previous.size) throw new IntegrityFailure(`size went backwards: the ledger now has ${current.size} events, ${previous.size} were checkpointed before`);
      const body = JSON.parse(await fetchText(`${api}/ledger/proofs/consistency?from=${previous.size}&to=${current.size}`, apiKey)) as { proof?: unknown };
      const proof = Array.isArray(body.proof) && body.proof.every((p) => typeof p === 'string' && /^[0-9a-f]{64}$/.test(p)) ? (body.proof as string[]) : undefined;
      if (!proof) throw new IntegrityFailure('inconsistent history: the server answered no well-formed consistency proof');
      if (!verifyConsistency(previous.size, current.size, proof.map((p) => Buffer.from(p, 'hex')), previous.root, current.root)) {
        throw new IntegrityFailure(`inconsistent history: the tree of ${current.size} events does not extend the checkpoint of ${previous.size} kept in ${stateFile}`);
      }
    }
    writeState(stateFile, text);
    return report(EXIT.intact, { ok: true, ...summary });
  } catch (err) {
    if (err instanceof IntegrityFailure) return report(EXIT.integrity, { ok: false, reason: err.message });
    if (err instanceof Unreachable) return report(EXIT.unreachable, { ok: false, reason: `unreachable: ${err.message}` });
    throw err;
  }
}

/** `http://host:8080` or `http://host:8080/v1` → the API base ending in /v1 (a UsageError otherwise). */
export function apiBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('--url must be an http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--url must be an http(s) URL');
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path.endsWith('/v1') ? path : `${path}/v1`}`;
}

async function fetchText(url: string, apiKey: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new Unreachable(`${new URL(url).origin}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  if (res.ok) return text;
  // The ledger itself reports that its tree disagrees with its events: that is the finding, not an outage.
  if (res.status === 503 && text.includes('tree_integrity_fault')) throw new IntegrityFailure(`the server reports a tree integrity fault: ${errorMessage(text)}`);
  if (res.status === 401 || res.status === 403) throw new UsageError(`the API key in PEIL_API_KEY was refused (${res.status})`);
  if (res.status === 400) throw new IntegrityFailure(`the server refused the request (${errorMessage(text)}): it does not hold the tree the checkpoint implies`);
  throw new Unreachable(`${new URL(url).origin} answered ${res.status}`);
}

function errorMessage(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

function readState(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`--state: cannot read ${file}`);
  }
}

function openState(text: string, key: NoteVerifier, file: string): Checkpoint {
  try {
    return openCheckpoint(text, key);
  } catch (err) {
    if (err instanceof NoteError) throw new UsageError(`--state ${file} does not hold a checkpoint signed by the given key (${err.message})`);
    throw err;
  }
}

/** Replaced atomically: a crash mid-write never leaves a state that no longer verifies. */
function writeState(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}
