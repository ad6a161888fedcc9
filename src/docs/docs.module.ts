import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';

/** /docs/asyncapi.json; the OpenAPI routes are set up on the app by `setupDocs` (openapi.ts). */
@Module({ controllers: [DocsController] })
export class DocsModule {}
