import { Injectable } from '@nestjs/common';

/** A failure as the exceptions filter has classified it, before it is written. */
export interface RenderedError {
  status: number;
  message: string;
  code?: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/** Writes a classified failure in a protocol's own error format, e.g. SCIM's. */
export type ErrorRenderer = (error: RenderedError, requestId: string) => { contentType: string; body: unknown };

/**
 * Error formats by path prefix: a module whose protocol defines its own error shape (SCIM under
 * /scim/v2) registers it here, and the one global filter uses it for every failure under that prefix,
 * including those raised before any controller runs (unknown route, malformed body, auth, rate limit).
 */
@Injectable()
export class ErrorRenderers {
  private readonly renderers: { prefix: string; render: ErrorRenderer }[] = [];

  register(prefix: string, render: ErrorRenderer): void {
    this.renderers.push({ prefix: prefix.replace(/\/+$/, ''), render });
  }

  for(url: string): ErrorRenderer | undefined {
    return this.renderers.find(({ prefix }) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`))?.render;
  }
}
