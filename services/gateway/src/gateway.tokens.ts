/** Injection tokens of the gateway's own providers. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');
/** RouteTemplates: the documented routes, for route names in logs and metrics and for 405. */
export const ROUTE_TEMPLATES = Symbol('RouteTemplates');
