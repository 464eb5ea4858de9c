import { intVar, loadConfig } from '@peil/config';
import { z } from 'zod';
import type { EnrolmentPolicy } from '../domain/enrolment-policy';

export const ENROLMENT_POLICY = Symbol('EnrolmentPolicy');

const schema = z
  .object({
    PEIL_WORKING_AGE_MIN: intVar(18, 0, 120),
    PEIL_WORKING_AGE_MAX: intVar(64, 0, 120),
    PEIL_HOUSEHOLD_CAPACITY: intVar(1500, 0, 10_000_000),
  })
  .refine((c) => c.PEIL_WORKING_AGE_MIN <= c.PEIL_WORKING_AGE_MAX, {
    message: 'must not be above PEIL_WORKING_AGE_MAX',
    path: ['PEIL_WORKING_AGE_MIN'],
  });

export function loadEnrolmentPolicy(env: NodeJS.ProcessEnv = process.env): EnrolmentPolicy {
  const c = loadConfig(schema as unknown as z.ZodObject, env) as z.infer<typeof schema>;
  return { workingAgeMin: c.PEIL_WORKING_AGE_MIN, workingAgeMax: c.PEIL_WORKING_AGE_MAX, capacity: c.PEIL_HOUSEHOLD_CAPACITY };
}
