import { Injectable } from '@nestjs/common';
import { AssessmentReads } from './context-reads';

/** A household's livelihood state (no personal data lives in this context). */
@Injectable()
export class LivelihoodQuery {
  constructor(private readonly reads: AssessmentReads) {}

  async household(householdId: string) {
    const household = await this.reads.household(householdId);
    if (household.status === 'unknown') return null;
    const { livelihood, expectedRevision } = await this.reads.livelihood(householdId);
    return { householdId, householdStatus: household.status, skillsProfile: livelihood.skills ?? null, plan: livelihood.plan ?? null, revision: expectedRevision };
  }

  async market(district: string) {
    const { market } = await this.reads.market(district);
    return market ?? null;
  }
}
