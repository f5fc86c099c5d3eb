import type { RenderedError } from '@refos/platform';
import { SCIM_TYPES } from './scim-error';
import { SCHEMA, SCIM_CONTENT_TYPE } from './scim-schemas';

/**
 * RFC 7644 §3.12: `{ schemas: [Error], status: "400", scimType?, detail }` for every failure under
 * /scim/v2, the framework's too: malformed JSON is invalidSyntax, a unique violation is uniqueness.
 */
export function renderScimError(error: RenderedError, _requestId: string): { contentType: string; body: unknown } {
  let scimType: string | undefined;
  if (error.code && SCIM_TYPES.has(error.code)) scimType = error.code;
  else if (error.status === 409) scimType = 'uniqueness';
  else if (error.status === 400) scimType = 'invalidSyntax';
  return {
    contentType: `${SCIM_CONTENT_TYPE}; charset=utf-8`,
    body: { schemas: [SCHEMA.error], status: String(error.status), ...(scimType ? { scimType } : {}), detail: error.message },
  };
}
