import { renderAgentError } from './agent-error-renderer';

describe('renderAgentError', () => {
  it.each([
    [403, 'account_too_new', 'Account too new', 'Account too new'],
    [429, 'limit_exceeded', 'Limit exceeded', 'Limit exceeded'],
    [400, 'code_not_found', 'Code not found', 'Code not found'],
    [403, 'forbidden', 'Forbidden', 'Forbidden'],
    [401, 'invalid_signature', 'Unauthorized: invalid signature', 'Unauthorized'],
    [401, 'invalid_token', 'Unauthorized: missing, invalid or expired agent token', 'Unauthorized'],
    [409, 'referral_code_unavailable', 'Referral code has no uses left', 'Conflict'],
    [404, 'toString', 'Agent not found', 'Not Found'],
  ])('a %i %s says error %j', (status, code, message, error) => {
    expect(renderAgentError({ status, code, message }, 'req-1')).toEqual({
      contentType: 'application/json; charset=utf-8',
      body: { statusCode: status, error, message, code, details: undefined, requestId: 'req-1' },
    });
  });

  it('keeps details and the reason phrase of a failure without a code', () => {
    expect(renderAgentError({ status: 400, message: 'Validation failed', details: [{ field: 'x' }] }, 'r').body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed',
      code: undefined,
      details: [{ field: 'x' }],
      requestId: 'r',
    });
  });
});
