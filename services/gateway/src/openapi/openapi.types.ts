/** The parts of OpenAPI 3.1 this document uses; schemas are JSON Schema 2020-12, kept loose. */
export type JsonSchema = { [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema | Reference;
  example?: unknown;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `[]` marks a route open without a key; omitted means the document's default (bearer). */
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | Reference>;
  /** The roles a service accepts on this route (also stated in the description). */
  'x-peil-roles'?: string[];
  /** On an events route: the roles allowed per event type, when narrower than the route's. */
  'x-peil-event-roles'?: Record<string, string[]>;
}

export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;

/**
 * What one context (or the gateway) adds to the document. A section is published only while its
 * service is in SERVICES, like the routes it describes.
 */
export interface ApiSection {
  /** The service that serves these paths; omitted for the gateway's own routes. */
  service?: string;
  tag: { name: string; description: string };
  paths: Record<string, PathItem>;
  schemas?: Record<string, JsonSchema>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier?: string; url?: string } };
  servers: Array<{ url: string; description?: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    schemas: Record<string, JsonSchema>;
  };
}
