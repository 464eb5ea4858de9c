/** Injection tokens of the gateway's own providers. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');
