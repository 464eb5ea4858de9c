/** Programme rules that are configuration, not code (PEIL_WORKING_AGE_MIN/MAX, PEIL_HOUSEHOLD_CAPACITY). */
export interface EnrolmentPolicy {
  workingAgeMin: number;
  workingAgeMax: number;
  capacity: number;
}

export const DEFAULT_ENROLMENT_POLICY: EnrolmentPolicy = { workingAgeMin: 18, workingAgeMax: 64, capacity: 1500 };
