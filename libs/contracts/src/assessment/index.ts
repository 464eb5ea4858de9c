export * from './assessment.events';
export * from './approved-plan.view';
