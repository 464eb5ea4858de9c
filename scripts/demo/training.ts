import type { Household } from './households';
import { pad, usdOf } from './households';
import type { Prng } from './random';
import { PILOT_MONTHS, type Timeline } from './timeline';

const GROUP_SIZE = 25;
/** Sessions of each module, in months after the group's last enrolment. */
const SCHEDULE: Record<string, number[]> = {
  'business-development': [1, 1, 2, 2, 3, 3],
  'financial-literacy': [2, 3, 3, 4],
  technical: [3, 4, 4, 5],
  'coaching-group': [4, 7, 10],
};
const CODE: Record<string, string> = { 'business-development': 'BD', 'financial-literacy': 'FL', technical: 'TV', 'coaching-group': 'CG' };

/**
 * Training groups of up to 25 households of one district, in enrolment order. Each group has its
 * business-development, financial-literacy, technical and coaching-group sessions, each paid (trainer
 * and venue, in dollars or pounds) from the training or coaching line; members attend most sessions
 * of the modules in their plan while they are in the programme.
 */
export function generateTraining(t: Timeline, rng: Prng, households: Household[], lines: { training: string; coaching: string }): number {
  const byDistrict = new Map<string, Household[]>();
  for (const h of households) {
    const members = byDistrict.get(h.place.district.en) ?? [];
    members.push(h);
    byDistrict.set(h.place.district.en, members);
  }
  let sessions = 0;
  for (const [district, members] of byDistrict) {
    for (let g = 0; g * GROUP_SIZE < members.length; g++) {
      const group = members.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      const start = Math.max(...group.map((h) => h.enrolled.m));
      const groupId = `${district.replace(/[^A-Za-z]/g, '').slice(0, 6).toUpperCase()}${g + 1}`;
      for (const [module, offsets] of Object.entries(SCHEDULE)) {
        offsets.forEach((offset, k) => {
          const m = start + offset;
          if (m >= PILOT_MONTHS) return;
          const sessionId = `SES-${groupId}-${CODE[module]}${k + 1}`;
          const day = rng.int(2, 26);
          const usd = (module === 'coaching-group' ? rng.int(90, 140) : rng.int(150, 260)) * 100;
          const rate = '89500';
          const cost = rng.chance(0.4) ? { costMinor: usd * 895, currency: 'LBP', fxRateToUsd: rate } : { costMinor: usd, currency: 'USD' };
          t.add('sessions', m, day, '09:00', 'TrainingSessionHeld', { sessionId, module, governorate: group[0]!.place.governorate.en, district, ...cost }, sessionId);
          t.spend(module === 'coaching-group' ? lines.coaching : lines.training, m, cost.currency === 'USD' ? usd : usdOf(cost.costMinor, rate));
          sessions += 1;
          for (const h of group) {
            const inProgramme = h.withdrawnIn === null || m < h.withdrawnIn;
            const follows = module === 'coaching-group' || h.modules.includes(module);
            if (inProgramme && follows && h.enrolled.m < m && rng.chance(0.86)) {
              t.add('participation', m, day, `14:${pad(h.n % 60, 2)}`, 'TrainingAttended', { sessionId, householdId: h.householdId }, `${sessionId}/${h.householdId}`);
            }
          }
        });
      }
    }
  }
  return sessions;
}
