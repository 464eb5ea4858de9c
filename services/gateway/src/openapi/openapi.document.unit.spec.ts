import { ENROLMENT_EVENT_ROLES, ENROLMENT_EVENT_SCHEMAS } from '@peil/contracts';
import { MAX_EVENTS_PER_REQUEST } from '@peil/platform/submissions';
import { buildOpenApiDocument } from './openapi.document';
import type { ApiSection } from './openapi.types';

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();
  const schemas = doc.components.schemas as Record<string, any>;

  it('is OpenAPI 3.1 with a bearer scheme required by default and health and docs open', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/health']?.get?.security).toEqual([]);
    expect(doc.paths['/v1/docs']?.get?.security).toEqual([]);
  });

  it('describes the enrolment events with data schemas generated from the contracts', () => {
    for (const type of Object.keys(ENROLMENT_EVENT_SCHEMAS)) expect(schemas[type]).toBeDefined();
    expect(schemas.HouseholdEnrolled.required).toEqual(expect.arrayContaining(['householdId', 'essnId', 'participant', 'consent']));
    expect(schemas.HouseholdEnrolled.properties.participant.properties.sex.enum).toEqual(['F', 'M']);
    expect(schemas.HouseholdEnrolled.properties.participant.properties.birthDate.format).toBe('date');
    expect(schemas.HouseholdEnrolled.$schema).toBeUndefined();

    const post = doc.paths['/v1/enrolment/events']?.post;
    expect(post?.description).toMatch(/Roles: ngo, admin, supervisor\./);
    expect(post?.['x-peil-roles']).toEqual(['ngo', 'admin', 'supervisor']);
    expect(post?.['x-peil-event-roles']).toEqual(ENROLMENT_EVENT_ROLES);
    expect(post?.description).toContain('HouseholdPersonalDataErased: supervisor, admin');
    const batch = schemas.EnrolmentEventBatch;
    expect(batch.properties.events.maxItems).toBe(MAX_EVENTS_PER_REQUEST);
    expect(batch.properties.events.items.discriminator.mapping.HouseholdEnrolled).toBe('#/components/schemas/HouseholdEnrolledSubmission');
    expect(schemas.SubmittedEvent.properties.eventId.format).toBe('uuid');
    expect(schemas.SubmissionResult.properties.status.enum).toEqual(['accepted', 'duplicate', 'rejected']);
    expect(Object.keys(schemas.SubmissionResult.properties)).toEqual(['eventId', 'status', 'position', 'streamId', 'revision', 'hash', 'error']);
  });

  it('describes the household read and the ledger routes', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/enrolment/households/{householdId}', '/v1/ledger/events', '/v1/ledger/streams/{streamId}', '/v1/ledger/verify']),
    );
    expect(doc.paths['/v1/ledger/events']?.get?.parameters?.map((p) => p.name)).toEqual(['after', 'limit']);
    expect(Object.keys(schemas.VerificationReport.properties)).toEqual(['ok', 'checkedEvents', 'headPosition', 'verifiedThrough', 'firstFailure']);
  });

  it('describes the personal-data access log as the auditor\'s alone', () => {
    for (const path of ['/v1/ledger/access-log', '/v1/ledger/access-log/verify']) {
      expect(doc.paths[path]?.get?.['x-peil-roles']).toEqual(['auditor']);
      expect(doc.paths[path]?.get?.description).toMatch(/Roles: auditor\./);
    }
    expect(Object.keys(schemas.AccessLogEntry.properties)).toEqual(['seq', 'at', 'principal', 'role', 'requestId', 'householdId', 'fields', 'prevHash', 'hash']);
    expect(schemas.AccessLogPage.required).toEqual(['entries', 'next', 'verification']);
  });

  it('leaves every $ref pointing at something defined', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, kind, name] of refs) expect((doc.components as any)[kind!][name!]).toBeDefined();
  });

  it('omits sections whose service is not running, and refuses two sections claiming one path', () => {
    const ghost: ApiSection = { service: 'not-a-service', tag: { name: 'ghost', description: '' }, paths: { '/v1/ghost': {} } };
    expect(buildOpenApiDocument([ghost]).paths['/v1/ghost']).toBeUndefined();
    const a: ApiSection = { tag: { name: 'a', description: '' }, paths: { '/v1/x': {} } };
    expect(() => buildOpenApiDocument([a, { ...a, tag: { name: 'b', description: '' } }])).toThrow('path /v1/x is described twice');
  });
});

describe('every context in the document', () => {
  it('documents the events endpoint of each writing context, with its event types', () => {
    const { buildOpenApiDocument } = jest.requireActual('./openapi.document') as typeof import('./openapi.document');
    const doc = buildOpenApiDocument();
    for (const [context, type] of [
      ['enrolment', 'HouseholdEnrolled'],
      ['assessment', 'LivelihoodPlanApproved'],
      ['asset-transfer', 'AssetDelivered'],
      ['training', 'TrainingSessionHeld'],
      ['evaluation', 'SurveyRecorded'],
      ['grant', 'ExpenditureRecorded'],
    ]) {
      expect(doc.paths[`/v1/${context}/events`]?.post).toBeDefined();
      expect(doc.components.schemas[type!]).toBeDefined();
    }
    expect(doc.paths['/v1/grant/reconciliation']?.get).toBeDefined();
  });
});
