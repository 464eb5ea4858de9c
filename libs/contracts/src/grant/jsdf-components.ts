/**
 * Reference data of the PEIL programme: the JSDF grant's components and budget lines as the grant
 * agreement states them. The demo posts them and the bench's programme ledger signs them; one
 * definition so both describe the same grant.
 */
/** Budget line codes by purpose (the services pick the line that pays for assets, training, coaching by purpose). */
export const JSDF_LINES = { design: 'C1.1', assets: 'C2.1', training: 'C2.2', coaching: 'C2.3', nudges: 'C2.4', evaluation: 'C3.1', management: 'C4.1' } as const;

const line = (code: string, name: string, allocationMinor: number, purpose: string) => ({ code, name, allocationMinor, purpose });
/** The JSDF grant's components and lines (US cents), as signed; shared by the demo and the bench's programme ledger. */
export const JSDF_COMPONENTS = [
  { code: 'C1', name: 'Design of a data-driven economic inclusion programme', budgetLines: [line(JSDF_LINES.design, 'Market assessments and targeting design', 25_000_000, 'design')] },
  {
    code: 'C2', name: 'Implementation of the pilot',
    budgetLines: [
      line(JSDF_LINES.assets, 'Asset transfers', 112_500_000, 'assets'),
      line(JSDF_LINES.training, 'Business-development and financial-literacy training', 40_000_000, 'training'),
      line(JSDF_LINES.coaching, 'Coaching and mentoring', 30_000_000, 'coaching'),
      line(JSDF_LINES.nudges, 'Saving nudges', 5_000_000, 'nudges'),
    ],
  },
  { code: 'C3', name: 'Monitoring and evaluation', budgetLines: [line(JSDF_LINES.evaluation, 'Baseline, midline and endline surveys', 35_000_000, 'evaluation')] },
  { code: 'C4', name: 'Project management', budgetLines: [line(JSDF_LINES.management, 'Project management and fiduciary', 23_200_000, 'management')] },
];
