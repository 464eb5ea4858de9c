import { z } from 'zod';
import { loadConfig } from '@peil/config';
import { ROLES, isRole, type Role } from '../auth/roles';

/**
 * The message header naming the producing principal. Kafka records carry no producer identity, so
 * the claim is only as strong as the broker's write ACLs on the submissions topics (0014).
 */
export const PRINCIPAL_HEADER = 'principal';

const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@\/-]{0,199}$/;
const SHAPE = 'must be a JSON object { "<principal>": "<role>" }';

const schema = z.object({
  PEIL_KAFKA_PRINCIPALS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const principals = new Map<string, Role>();
      if (v === undefined || v.trim() === '') return principals;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: SHAPE });
        return z.NEVER;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: SHAPE });
        return z.NEVER;
      }
      for (const [name, role] of Object.entries(parsed)) {
        if (!PRINCIPAL_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', message: 'principal names are 1–200 letters, digits and . _ : @ / -' });
          return z.NEVER;
        }
        // `system` is the services' own role: no outside producer may hold it.
        if (!isRole(role)) {
          ctx.addIssue({ code: 'custom', message: `the role of ${name} must be one of ${ROLES.join(', ')}` });
          return z.NEVER;
        }
        principals.set(name, role);
      }
      return principals;
    }),
});

/** PEIL_KAFKA_PRINCIPALS: who may produce submissions, and as which role. Empty when unset: every submission is refused. */
export function loadKafkaPrincipals(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, Role> {
  return loadConfig(schema, env).PEIL_KAFKA_PRINCIPALS;
}
