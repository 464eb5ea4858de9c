import { existsSync } from 'node:fs';
import { verifyPackFile } from '@peil/ledger';
import { EXIT, parseArgs, textArg, UsageError, verifierArg } from './cli-args';

export const VERIFY_PACK_USAGE = `  verify-pack <file> --key <verifier key | @file> [--trusted <checkpoint file>]…
                                          check an audit pack offline (no server, no data dir): every hash and
                                          chain, the Merkle root against the signed checkpoint, the signature
                                          against the key given here, each trusted checkpoint a prefix of the pack`;

/** `verify-pack`: prints the JSON result; 0 intact, 1 any integrity failure (or no trusted key), 2 usage. */
export async function verifyPackCommand(args: readonly string[], out: (text: string) => void): Promise<number> {
  const parsed = parseArgs(args, ['--key', '--trusted']);
  const [file, ...extra] = parsed.positional;
  if (!file || extra.length > 0) throw new UsageError('verify-pack takes exactly one pack file');
  if (!existsSync(file)) throw new UsageError(`no such pack file: ${file}`);
  const keys = parsed.options.get('--key') ?? [];
  if (keys.length > 1) throw new UsageError('--key given more than once');
  const key = keys[0] === undefined ? undefined : verifierArg(keys[0]);
  const trusted = (parsed.options.get('--trusted') ?? []).map((t) => textArg(t.startsWith('@') ? t : `@${t}`, '--trusted'));
  const result = await verifyPackFile(file, { ...(key ? { key } : {}), trusted });
  out(`${JSON.stringify(result, null, 2)}\n`);
  return result.ok ? EXIT.intact : EXIT.integrity;
}
