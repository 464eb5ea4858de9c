import { byLiteralsFirst, templatePattern } from './route-roles';

/**
 * The documented routes (the OpenAPI document's paths and methods), matched against raw paths:
 * the access log and the request metrics name a route by its template — never the raw path, which
 * holds household ids — and a documented path asked with an undocumented method is answered 405.
 */
export interface RouteTemplate {
  template: string;
  methods: ReadonlySet<string>;
  pattern: RegExp;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export class RouteTemplates {
  private readonly routes: RouteTemplate[];

  constructor(paths: Readonly<Record<string, object>>) {
    this.routes = byLiteralsFirst(
      Object.entries(paths).map(([template, item]) => ({
        template,
        methods: new Set(METHODS.filter((m) => Object.hasOwn(item, m)).map((m) => m.toUpperCase())),
        pattern: templatePattern(template),
      })),
    );
  }

  match(target: string): RouteTemplate | undefined {
    const path = target.split('?', 1)[0] ?? '';
    return this.routes.find((r) => r.pattern.test(path));
  }
}
