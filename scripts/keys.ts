import { generateApiKey, isRole, KEY_NAME, keyId, KeyRegistry, KeyRegistryError, ROLES, type RegisteredKey } from '@peil/platform/auth';
import { systemClock, type Clock } from '@peil/platform/clock';

export const KEYS_USAGE = `  keys add --role <role> --name <name>    register a new API key and print it, once (it is not kept)
  keys list [--json]                      id, name, role, created, revoked of every key (never the keys)
  keys revoke <id|name>                   refuse a key from the gateway's next request on (no restart)
`;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/**
 * `peil-ledger keys …` on the gateway's key registry in the data dir. It may run while the gateway
 * runs: the gateway sees every change from its next request. Exit codes: 0 done, 2 usage error
 * (unknown subcommand or role, bad name, no such key, a name already in use).
 */
export function keysCommand(args: readonly string[], dataDir: string, io: Output, clock: Clock = systemClock): number {
  const [sub, ...rest] = args;
  const usage = (problem: string) => {
    io.err(`peil-ledger keys: ${problem}\nusage:\n${KEYS_USAGE}`);
    return 2;
  };
  if (sub !== 'add' && sub !== 'list' && sub !== 'revoke') return usage(sub === undefined ? 'which keys command?' : `unknown keys command ${sub}`);
  const parsed = parseOptions(rest);
  if (typeof parsed === 'string') return usage(parsed);
  const { options, positional } = parsed;

  // Checked before the registry is opened, so that a mistyped command creates nothing.
  if (sub === 'add') {
    const { role, name } = options;
    if (!role || !name || positional.length > 0) return usage('add needs --role <role> and --name <name>');
    if (!isRole(role)) return usage(`unknown role ${role}; roles are ${ROLES.join(', ')}`);
    if (!KEY_NAME.test(name)) return usage(`key names are 1–64 letters, digits and . _ @ - (starting with a letter or digit)`);
  }
  if (sub === 'revoke' && (positional.length !== 1 || Object.keys(options).length > 0)) return usage('revoke needs one key id or name');
  if (sub === 'list' && (positional.length > 0 || Object.keys(options).some((o) => o !== 'json'))) return usage('list takes only --json');

  const registry = KeyRegistry.inDataDir(dataDir);
  try {
    const now = clock.now().toISOString();
    switch (sub) {
      case 'add': {
        const role = options.role!;
        if (!isRole(role)) return usage(`unknown role ${role}`);
        const key = generateApiKey(role);
        const added = registry.add({ role, key, id: keyId(key), name: options.name! }, 'cli', now);
        io.out(`id    ${added.id}\nname  ${added.name}\nrole  ${added.role}\nkey   ${key}\n`);
        io.err('The key is shown this once: the registry keeps only its SHA-256. Hand it to its holder now.\n');
        return 0;
      }
      case 'list': {
        const keys = registry.list();
        io.out(options.json !== undefined ? `${JSON.stringify(keys.map(listed), null, 2)}\n` : table(keys));
        return 0;
      }
      case 'revoke': {
        const revoked = registry.revoke(positional[0]!, now);
        io.out(`revoked ${revoked.id} (${revoked.name}, ${revoked.role}) at ${revoked.revokedAt}\n`);
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof KeyRegistryError) {
      io.err(`peil-ledger keys: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    registry.close();
  }
}

/** `--name value` pairs (and the `--json` flag) apart from positional arguments; a string is a usage problem. */
function parseOptions(args: readonly string[]): { options: Record<string, string | undefined>; positional: string[] } | string {
  const options: Record<string, string | undefined> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (name === 'json') {
      options.json = '';
      continue;
    }
    if (name !== 'role' && name !== 'name') return `unknown option ${arg}`;
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
    options[name] = value;
    i += 1;
  }
  return { options, positional };
}

function listed(k: RegisteredKey) {
  return { id: k.id, name: k.name, role: k.role, origin: k.origin, created: k.createdAt, revoked: k.revokedAt };
}

function table(keys: readonly RegisteredKey[]): string {
  if (keys.length === 0) return 'no keys registered\n';
  const rows = [['ID', 'NAME', 'ROLE', 'ORIGIN', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.name, k.role, k.origin, k.createdAt, k.revokedAt ?? '-'])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`;
}
