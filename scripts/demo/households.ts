import { NAMES, PLACES, kitsOf, type Kit, type Place, type Sector } from './lebanon';
import type { Prng } from './random';
import { monthLabel, PILOT_MONTHS, type Timeline } from './timeline';

/** The asset ceiling per household (policy default: US$1,000), kept below with a margin. */
const KIT_CEILING_MINOR = 95_000;
/** The official rate since February 2024 and what money changers gave around it (LBP per US$). */
const LBP_RATES = ['89500', '89500', '89500', '89600', '89700'] as const;

export interface Household {
  n: number;
  householdId: string;
  place: Place;
  sex: 'F' | 'M';
  /** Pilot month of enrolment, and day. */
  enrolled: { m: number; day: number };
  sector: Sector;
  kit: Kit[];
  modules: string[];
  coachingSessions: number;
  /** Pilot month of withdrawal: nothing of the household is recorded from that month on. */
  withdrawnIn: number | null;
  planIn: number;
  deliveredIn: number;
}

const yearOf = (m: number) => Number(monthLabel(m).slice(0, 4));
export const pad = (n: number, width: number) => String(n).padStart(width, '0');
const districtCode = (place: Place) => place.district.en.replace(/[^A-Za-z]/g, '').slice(0, 3).toUpperCase();

/** A person of working age on the enrolment day: mostly 25–45, as in the ESSN caseload. */
function participant(rng: Prng, householdId: string, k: number, sex: 'F' | 'M', year: number) {
  const age = rng.around(35, 11, 19, 60);
  const phone = rng.chance(0.88) ? { phone: `+961 ${rng.pick(['3', '70', '71', '76', '78', '79', '81'])} ${pad(rng.int(0, 999_999), 6)}` } : {};
  return {
    participantId: `P-${householdId.slice(3)}-${k}`,
    fullName: `${rng.pick(NAMES[sex])} ${rng.pick(NAMES.family)}`,
    sex,
    birthDate: `${year - age - 1}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`,
    educationLevel: rng.weighted(['none', 'primary', 'intermediate', 'secondary', 'vocational', 'university'] as const, (e) => ({ none: 8, primary: 24, intermediate: 28, secondary: 22, vocational: 10, university: 8 })[e]),
    ...phone,
  };
}

/** Women lean to tailoring, food processing and hairdressing; men to phone repair, livestock and retail. */
function preferredSector(rng: Prng, sex: 'F' | 'M', viable: readonly Sector[]): Sector {
  const lean: Record<Sector, [number, number]> = {
    tailoring: [5, 1], 'food-processing': [5, 2], agriculture: [2, 4], livestock: [2, 4], hairdressing: [3, 1], 'phone-repair': [1, 4], 'small-retail': [2, 4],
  };
  return rng.weighted(viable, (s) => lean[s][sex === 'F' ? 0 : 1]);
}

/** One or two items of the sector, within the ceiling per household. */
function kitFor(rng: Prng, sector: Sector): Kit[] {
  const options = kitsOf(sector);
  const first = rng.pick(options);
  const second = options.find((k) => k !== first && rng.chance(0.5) && first.unitCostCeilingMinor + k.unitCostCeilingMinor <= KIT_CEILING_MINOR);
  return second ? [first, second] : [first];
}

/**
 * Households: enrolment (months 2–4, so that every endline falls a year after enrolment within the
 * pilot), baseline survey, skills profile, plan, asset deliveries partly paid in LBP with their
 * receipts and later verifications, coaching visits, saving nudges, midline and endline surveys;
 * some withdraw (the services release what a plan still held), some replace their participant.
 */
export function generateHouseholds(t: Timeline, rng: Prng, count: number, lines: { assets: string }): Household[] {
  const households: Household[] = [];
  for (let n = 0; n < count; n++) {
    const householdId = `HH-${pad(n + 1, 5)}`;
    const place = rng.weighted(PLACES, (p) => p.district.weight);
    const sex = rng.chance(0.62) ? 'F' : 'M';
    const e = 2 + Math.floor((n * 3) / count);
    const day = rng.int(1, 24);
    const sector = preferredSector(rng, sex, place.district.sectors);
    const withdrawnIn = rng.chance(0.05) ? e + rng.int(1, 9) : null;
    const h: Household = {
      n, householdId, place, sex, enrolled: { m: e, day }, sector, kit: kitFor(rng, sector),
      modules: ['business-development', 'financial-literacy', ...(rng.chance(0.55) ? ['technical'] : [])],
      coachingSessions: rng.int(6, 8), withdrawnIn, planIn: e + 1, deliveredIn: e + 2,
    };
    households.push(h);
    const active = (m: number) => m < PILOT_MONTHS && (withdrawnIn === null || m < withdrawnIn);

    t.add('enrolment', e, day, '09:10', 'HouseholdEnrolled', {
      householdId, essnId: `ESSN-${pad(4_100_000 + n * 37, 7)}`, governorate: place.governorate.en, district: place.district.en,
      sdcId: `SDC-${districtCode(place)}-${pad(1 + (n % 2), 2)}`, participant: participant(rng, householdId, 1, sex, yearOf(e)), consent: true,
    }, householdId);
    const baseline = baselineOf(rng, sex);
    survey(t, rng, h, 'baseline', e, day, baseline);
    t.add('profiles', e, Math.min(day + 2, 28), '10:00', 'SkillsProfileRecorded', {
      householdId, skills: skillsOf(sector), yearsExperience: rng.int(0, 15), preferredSector: sector,
    }, householdId);

    if (active(h.planIn)) {
      t.add('plans', h.planIn, rng.int(1, 20), '11:00', 'LivelihoodPlanApproved', {
        householdId, planId: `PLAN-${householdId.slice(3)}`, sector, assetKit: h.kit.map((k) => ({ itemCode: k.itemCode, quantity: 1 })),
        trainingModules: h.modules, coachingSessions: h.coachingSessions,
      }, householdId);
    }
    // A household withdrawn before its delivery: the services release what its plan held themselves.
    if (active(h.deliveredIn)) deliver(t, rng, h, lines.assets);
    for (let m = e + 3, k = 0; k < h.coachingSessions; m++, k++) {
      if (active(m) && rng.chance(0.9)) t.add('participation', m, rng.int(1, 26), '16:00', 'CoachingVisitRecorded', { visitId: `CV-${householdId.slice(3)}-${k + 1}`, householdId }, `${householdId}/${k}`);
    }
    const channel = rng.weighted(['sms', 'whatsapp', 'voice'] as const, (c) => ({ sms: 5, whatsapp: 4, voice: 1 })[c]);
    for (let m = e + 2; active(m); m++) {
      if (rng.chance(0.85)) {
        t.add('participation', m, rng.int(1, 28), '18:30', 'SavingsNudgeSent', {
          nudgeId: `N-${householdId.slice(3)}-${m}`, householdId, channel, template: rng.pick(['save-weekly-ar-v2', 'goal-reminder-ar-v1', 'emergency-fund-ar-v1']),
        }, `${householdId}/${m}`);
      }
    }
    if (active(e + 7)) survey(t, rng, h, 'midline', e + 7, rng.int(1, 26), progress(rng, baseline, 0.5));
    if (active(e + 13)) survey(t, rng, h, 'endline', e + 13, rng.int(1, 26), progress(rng, baseline, 1));
    const replacedIn = rng.chance(0.03) ? e + rng.int(2, 12) : null;
    if (replacedIn !== null && active(replacedIn)) {
      const newSex = rng.chance(0.7) ? 'F' : 'M';
      t.add('changes', replacedIn, rng.int(1, 26), '12:00', 'ParticipantReplaced', {
        householdId, participant: participant(rng, householdId, 2, newSex, yearOf(replacedIn)),
        reason: rng.pick(['participant took up full-time employment', 'participant moved to care for a relative', 'participant fell ill; spouse continues the business']),
      }, householdId);
    }
    if (withdrawnIn !== null && withdrawnIn < PILOT_MONTHS) {
      t.add('changes', withdrawnIn, rng.int(1, 26), '13:00', 'HouseholdWithdrawn', {
        householdId, reason: rng.pick(['moved abroad', 'moved out of the programme area', 'declined to continue', 'found stable employment']),
      }, householdId);
    }
  }
  return households;
}

function skillsOf(sector: Sector): string[] {
  const skills: Record<Sector, string[]> = {
    tailoring: ['sewing', 'alterations', 'embroidery'], 'food-processing': ['cooking', 'food preservation', 'baking'], agriculture: ['vegetable growing', 'irrigation'],
    livestock: ['animal husbandry', 'dairy'], hairdressing: ['hair cutting', 'styling'], 'phone-repair': ['electronics', 'phone repair'], 'small-retail': ['sales', 'bookkeeping'],
  };
  return skills[sector];
}

function deliver(t: Timeline, rng: Prng, h: Household, assetsLine: string): void {
  const day = rng.int(1, 24);
  h.kit.forEach((kit, k) => {
    const deliveryId = `DLV-${h.householdId.slice(3)}-${k + 1}`;
    // Suppliers quote 80–100 % of the ceiling, in whole dollars; a third are paid in pounds.
    const usd = Math.floor((kit.unitCostCeilingMinor * rng.int(80, 100)) / 10_000) * 100;
    const rate = rng.pick(LBP_RATES);
    const paid = rng.chance(0.35)
      ? { unitCostMinor: Math.floor((usd * 895) / 5_000) * 5_000, currency: 'LBP', fxRateToUsd: rate }
      : { unitCostMinor: usd, currency: 'USD' };
    const serials = /^(SEW|PHN|HAIR-KIT)/.test(kit.itemCode) ? { serialNumbers: [`${kit.itemCode.slice(0, 3)}-${h.householdId.slice(3)}${k + 1}`] } : {};
    t.add('deliveries', h.deliveredIn, day, `10:${pad(k * 10, 2)}`, 'AssetDelivered', {
      deliveryId, householdId: h.householdId, itemCode: kit.itemCode, quantity: 1, ...serials, ...paid, supplier: kit.supplier,
      invoiceRef: `INV-${kit.itemCode.slice(0, 3)}-${h.householdId.slice(3)}-${k + 1}`,
    }, deliveryId);
    t.spend(assetsLine, h.deliveredIn, paid.currency === 'USD' ? usd : usdOf(paid.unitCostMinor, rate));
    t.add('deliveries', h.deliveredIn, day, `11:${pad(k * 10, 2)}`, 'AssetReceiptAcknowledged', {
      deliveryId, method: rng.weighted(['signature', 'otp', 'thumbprint'] as const, (m) => ({ signature: 6, otp: 3, thumbprint: 1 })[m]),
    }, deliveryId);
    const verifiedIn = h.deliveredIn + 3;
    if (verifiedIn < PILOT_MONTHS && (h.withdrawnIn === null || verifiedIn < h.withdrawnIn)) {
      t.add('deliveries', verifiedIn, rng.int(1, 26), '10:00', 'AssetVerified', {
        deliveryId, status: rng.weighted(['in-use', 'not-in-use', 'sold', 'damaged', 'lost'] as const, (s) => ({ 'in-use': 84, 'not-in-use': 7, sold: 3, damaged: 4, lost: 2 })[s]),
      }, deliveryId);
    }
  });
}

/** LBP → US cents, half to even as the services convert (whole-pound amounts, rates of whole pounds). */
export function usdOf(lbp: number, rate: string): number {
  const r = Number(rate);
  const q = Math.floor((lbp * 100) / r);
  const rem = lbp * 100 - q * r;
  return rem * 2 > r || (rem * 2 === r && q % 2 === 1) ? q + 1 : q;
}

interface Outcome {
  incomeUsdMinor: number;
  savingsUsdMinor: number;
  businessOperating: boolean;
  employed: boolean;
}

function baselineOf(rng: Prng, sex: 'F' | 'M'): Outcome {
  return {
    incomeUsdMinor: rng.around(sex === 'F' ? 11_000 : 15_000, 6_000, 0, 40_000),
    savingsUsdMinor: rng.chance(0.7) ? 0 : rng.around(2_000, 1_500, 0, 8_000),
    businessOperating: rng.chance(0.08),
    employed: rng.chance(sex === 'F' ? 0.12 : 0.3),
  };
}

/** Half-way (midline) or all the way (endline): incomes up about 45 %, savings built, most businesses running. */
function progress(rng: Prng, b: Outcome, share: number): Outcome {
  return {
    incomeUsdMinor: Math.max(0, Math.round(b.incomeUsdMinor * (1 + share * rng.around(45, 30, -20, 150) / 100))),
    savingsUsdMinor: b.savingsUsdMinor + Math.round(share * rng.around(6_000, 4_000, 0, 20_000)),
    businessOperating: b.businessOperating || rng.chance(share * 0.72),
    employed: b.employed || rng.chance(share * 0.05),
  };
}

/** Enumerators record in pounds for two households in five, at the day's rate. */
function survey(t: Timeline, rng: Prng, h: Household, round: 'baseline' | 'midline' | 'endline', m: number, day: number, o: Outcome): void {
  const inLbp = rng.chance(0.4);
  const money = inLbp
    ? { monthlyIncomeMinor: o.incomeUsdMinor * 895, savingsMinor: o.savingsUsdMinor * 895, currency: 'LBP', fxRateToUsd: '89500' }
    : { monthlyIncomeMinor: o.incomeUsdMinor, savingsMinor: o.savingsUsdMinor, currency: 'USD' };
  t.add('surveys', m, Math.max(day, round === 'baseline' ? h.enrolled.day : 1), '11:30', 'SurveyRecorded', {
    surveyId: `SRV-${h.householdId.slice(3)}-${round}`, householdId: h.householdId, round, ...money, businessOperating: o.businessOperating, employed: o.employed,
  }, `${h.householdId}/${round}`);
}
