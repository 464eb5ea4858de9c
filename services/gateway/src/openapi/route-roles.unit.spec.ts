import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROUTE_ROLES, declaredRoute, isPublicHandler, isRole, routeKeyOf } from '@peil/platform/auth';
import { repoRoot } from '@peil/testing';
import { buildOpenApiDocument } from './openapi.document';
import { GATEWAY_OWN_ROUTES, PUBLIC_ROUTES } from '../public-routes';

/**
 * Roles are declared once (ROUTE_ROLES); this ties the table to the controllers the guards protect
 * and to the OpenAPI document, so none of the three can drift from the others.
 */

interface ControllerRoute {
  file: string;
  method: string;
  path: string;
  isPublic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every HTTP route of every controller in the repository, found by reading the decorators' metadata. */
function controllerRoutes(): ControllerRoute[] {
  const files = ['libs', 'services'].flatMap((top) => sourceFiles(join(repoRoot, top))).filter((f) => readFileSync(f, 'utf8').includes('@Controller('));
  const routes: ControllerRoute[] = [];
  for (const file of files) {
    for (const exported of Object.values(require(file) as Record<string, unknown>)) {
      if (typeof exported !== 'function' || Reflect.getMetadata('path', exported) === undefined) continue;
      const proto = (exported as { prototype: Record<string, unknown> }).prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || Reflect.getMetadata('method', handler) === undefined) continue;
        routes.push({ file: relative(repoRoot, file), ...routeKeyOf(exported, handler), isPublic: isPublicHandler(exported, handler) });
      }
    }
  }
  return routes;
}

const doc = buildOpenApiDocument();
const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation! })),
);
const isGatewayFile = (file: string) => file.startsWith('services/gateway/');

describe('roles per route, declared once in ROUTE_ROLES', () => {
  const routes = controllerRoutes();

  it('finds the controllers of every context', () => {
    const prefixes = new Set(routes.map((r) => r.path.split('/')[2]));
    for (const p of ['enrolment', 'assessment', 'asset-transfer', 'training', 'evaluation', 'grant', 'ledger', 'reports', 'docs']) expect(prefixes).toContain(p);
  });

  it('declares roles for every guarded service route and the gateway\'s own, and for nothing else', () => {
    const guarded = routes.filter((r) => !r.isPublic && !isGatewayFile(r.file));
    const undeclared = guarded.filter((r) => declaredRoute(r.method, r.path)?.key !== `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
    const served = new Set([...guarded.map((r) => `${r.method} ${r.path}`), ...GATEWAY_OWN_ROUTES]);
    expect(Object.keys(ROUTE_ROLES).filter((key) => !served.has(key))).toEqual([]);
  });

  it('documents every declared route with exactly its roles (less `system`, which no key carries)', () => {
    for (const { method, path, operation } of documented) {
      if (operation.security?.length === 0) continue;
      const declared = declaredRoute(method, path);
      expect({ route: `${method} ${path}`, roles: operation['x-peil-roles'] }).toEqual({ route: `${method} ${path}`, roles: declared?.roles.filter(isRole) });
      expect(operation.security).toEqual([{ bearerAuth: [] }]);
      expect(operation.description).toContain(`Roles: ${declared?.roles.filter(isRole).join(', ')}.`);
    }
    const keyRoutes = Object.entries(ROUTE_ROLES).filter(([, roles]) => roles.some(isRole)).map(([key]) => key);
    const undocumented = keyRoutes.filter((key) => !documented.some((d) => d.operation.security?.length !== 0 && declaredRoute(d.method, d.path)?.key === key));
    expect(undocumented).toEqual([]);
  });

  it("documents the gateway's open routes as open, and nothing else as open", () => {
    const open = documented.filter((d) => d.operation.security?.length === 0).map((d) => `${d.method} ${d.path}`);
    expect(open.sort()).toEqual(PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    // The gateway's own controllers serve only those routes (everything else is proxied).
    const gatewayRoutes = routes.filter((r) => isGatewayFile(r.file)).map((r) => `${r.method} ${r.path}`);
    expect(gatewayRoutes.sort()).toEqual(open.sort());
  });
});
