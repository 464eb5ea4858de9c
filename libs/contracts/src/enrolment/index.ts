export * from './enrolment.events';
export * from './household-status.view';
