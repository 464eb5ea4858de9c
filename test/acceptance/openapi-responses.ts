import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RouteTemplates } from '@peil/platform/auth';

/** What came back from one live request, as the drift test judges it. */
export interface LiveAnswer {
  method: string;
  /** The path asked, without the query. */
  path: string;
  status: number;
  contentType: string | null;
  text: string;
}

type Json = Record<string, any>;
const DOC_ID = 'https://peil-ledger.invalid/openapi.json';

/**
 * Judges live answers by an OpenAPI 3.1 document with a JSON Schema 2020-12 validator: the status is
 * one the operation documents, the media type one that status documents, and a JSON body validates
 * against its schema. Returns the problems found (none: the answer is what the document says).
 */
export class OpenApiResponses {
  private readonly doc: Json;
  private readonly routes: RouteTemplates;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    // Every `#/components/...` reference made absolute, so a schema compiled on its own resolves them.
    this.doc = JSON.parse(JSON.stringify(document).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
    this.routes = new RouteTemplates(this.doc.paths);
    // Not strict: the document carries OpenAPI keywords (discriminator, example) beside JSON Schema's.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOC_ID, components: this.doc.components });
  }

  /** The documented template of a concrete path, or undefined. */
  template(path: string): string | undefined {
    return this.routes.match(path)?.template;
  }

  operation(method: string, template: string): Json | undefined {
    return this.doc.paths[template]?.[method.toLowerCase()];
  }

  problems(answer: LiveAnswer): string[] {
    const label = `${answer.method} ${answer.path} → ${answer.status}`;
    const template = this.template(answer.path);
    if (!template) return [`${label}: the path is not documented`];
    const operation = this.operation(answer.method, template);
    if (!operation) {
      // A documented path asked with another method: the gateway's 405, documented once for all.
      if (answer.status !== 405) return [`${label}: ${answer.method} is not documented on ${template} and was not answered 405`];
      return this.judge(label, this.resolve(this.doc.components.responses.MethodNotAllowed), answer);
    }
    const documented = operation.responses[String(answer.status)] ?? operation.responses[`${String(answer.status)[0]}XX`] ?? operation.responses.default;
    if (!documented) return [`${label}: status not documented for ${answer.method} ${template} (documents ${Object.keys(operation.responses).join(', ')})`];
    return this.judge(label, this.resolve(documented), answer);
  }

  private judge(label: string, response: Json, answer: LiveAnswer): string[] {
    const content: Json | undefined = response.content;
    if (!content) return answer.text === '' ? [] : [`${label}: documents no body, got ${answer.text.slice(0, 80)}`];
    const media = (answer.contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const mediaType = content[media];
    if (!mediaType) return [`${label}: content type ${media || '(none)'} is not documented (documents ${Object.keys(content).join(', ')})`];
    if (media !== 'application/json') {
      if (answer.text === '') return [`${label}: empty ${media} body`];
      if (media === 'application/xml' && !answer.text.startsWith('<?xml')) return [`${label}: not an XML document`];
      return [];
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`${label}: documented as JSON, body is not JSON: ${answer.text.slice(0, 80)}`];
    }
    const validate = this.validator(mediaType.schema);
    if (validate(body)) return [];
    return [`${label}: body does not match the schema: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`];
  }

  private validator(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) this.compiled.set(key, (validate = this.ajv.compile(schema)));
    return validate;
  }

  private resolve(response: Json): Json {
    const ref: string | undefined = response.$ref;
    if (!ref) return response;
    const name = ref.slice(ref.lastIndexOf('/') + 1);
    const resolved = this.doc.components.responses[name];
    if (!resolved) throw new Error(`unresolved response ${ref}`);
    return resolved;
  }
}
