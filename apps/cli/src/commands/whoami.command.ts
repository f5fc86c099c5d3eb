import type { Command } from '../command';
import { formatFields, printable } from '../output';

/** The body of `GET /api/v1/whoami` (WhoamiDto), as far as the CLI reads it. */
export interface WhoamiResponse {
  tenant: { id: string; name: string };
  api_key: { id: string; name: string; prefix: string; scopes: string[]; expires_at?: string | null; last_used_at?: string | null };
}

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'Show the tenant and API key that REFOS_API_KEY belongs to',
  synopsis: '[--json]',
  description: 'Calls GET /api/v1/whoami. Works with a key of any scope.',
  options: {
    json: { type: 'boolean', description: 'Print the API response as JSON' },
  },
  async run(ctx, { values }) {
    const api = ctx.api();
    const body = await api.get<WhoamiResponse>('/api/v1/whoami');
    ctx.stdout(values.json ? `${JSON.stringify(body, null, 2)}\n` : formatWhoami(body, api.baseUrl));
  },
};

/** The human form: aligned `label  value` lines, never the key's secret (the API does not return it). */
export function formatWhoami(body: WhoamiResponse, baseUrl: string): string {
  const { tenant, api_key: key } = body;
  return formatFields([
    ['Tenant', `${printable(tenant.name)} (${tenant.id})`],
    ['API key', `${printable(key.name)} (${key.id})`],
    ['Key prefix', `dlk_${printable(key.prefix)}_…`],
    ['Scopes', key.scopes.length > 0 ? key.scopes.map(printable).join(', ') : '(none)'],
    ['Expires', key.expires_at ?? 'never'],
    ['Server', baseUrl],
  ]);
}
