/**
 * WidgetController is left out of the scan (@ApiExcludeController), but its routes are part of
 * the contract (API.md, Operations), so they are described here. A route renamed there and not
 * here fails test/ops-docs.e2e-spec.ts, which checks both directions.
 */
import type { OperationObject, PathsObject } from '@nestjs/swagger';

/** Described only when the app has this controller (by name, so the docs do not depend on the widget module). */
export const WIDGET_CONTROLLER = 'WidgetController';

function asset(operationId: string, summary: string, type: string): { get: OperationObject } {
  return {
    get: {
      operationId,
      tags: ['widget'],
      summary,
      description: 'No token needed.',
      security: [],
      responses: {
        200: { description: summary, content: { [type]: { schema: { type: 'string' } } } },
      },
    },
  };
}

export function widgetPaths(): PathsObject {
  return {
    '/widget.js': asset('Widget_script', 'The browser notification widget', 'text/javascript'),
    '/': asset('Widget_demoPage', 'The demo page', 'text/html'),
    '/demo.js': asset('Widget_demoScript', "The demo page's script", 'text/javascript'),
  };
}
