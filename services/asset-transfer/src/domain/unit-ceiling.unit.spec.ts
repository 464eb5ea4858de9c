import { unitCeiling } from './assets.decider';

describe('unitCeiling', () => {
  const plan = { unitCeilings: Object.fromEntries([['SEW-01', 35_000], ['__proto__', 12_000]]) as Record<string, number> };

  it('is the plan ceiling of an item in the plan, 0 for one outside it', () => {
    expect(unitCeiling(plan, 'SEW-01')).toBe(35_000);
    expect(unitCeiling(plan, 'OVEN-02')).toBe(0);
  });
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])('finds no ceiling for an item code named %s (no prototype lookup)', (code) => {
    expect(unitCeiling(plan, code)).toBe(0);
  });
  it('finds an item really coded __proto__ as its own member', () => {
    expect(unitCeiling(plan, '__proto__')).toBe(12_000);
  });
});
