import { Controller, Get, Header, Inject } from '@nestjs/common';
import { OPENAPI_DOCUMENT } from '../gateway.tokens';
import { DOCS_UI_CSP, DOCS_UI_HTML } from './docs-ui';
import type { OpenApiDocument } from './openapi.types';

/** The public API description, open without a key (it holds no data, only the contract). */
@Controller('v1/docs')
export class DocsController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  @Get()
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Get('openapi.json')
  openApiFile(): OpenApiDocument {
    return this.document;
  }

  @Get('ui')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_UI_CSP)
  @Header('x-content-type-options', 'nosniff')
  ui(): string {
    return DOCS_UI_HTML;
  }
}
