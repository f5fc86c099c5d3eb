import { errorBody, ErrorRenderer } from '@refos/platform';

/** The paths of seed 001's endpoints, whose failures this renderer writes. */
export const AGENT_ERROR_PREFIXES = ['/api/agents', '/api/referrals'] as const;

/**
 * Seed 001's error tables name each failure in an "Error" column: "Unauthorized" and "Forbidden" (the
 * HTTP reason phrases, which `error` already carries) and, by our codes, these three.
 */
export const SEED_ERROR_TEXTS: ReadonlyMap<string, string> = new Map([
  ['account_too_new', 'Account too new'],
  ['limit_exceeded', 'Limit exceeded'],
  ['code_not_found', 'Code not found'],
]);

/**
 * The platform's error shape, with `error` holding the seed's text where its tables name one (else the
 * reason phrase, as everywhere), so a client reading `error` sees every value of the seed's column.
 */
export const renderAgentError: ErrorRenderer = (error, requestId) => {
  const body = errorBody(error.status, error.message, requestId, error.code, error.details);
  const seedText = error.code === undefined ? undefined : SEED_ERROR_TEXTS.get(error.code);
  return { contentType: 'application/json; charset=utf-8', body: seedText === undefined ? body : { ...body, error: seedText } };
};
