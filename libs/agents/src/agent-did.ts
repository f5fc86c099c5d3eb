/** The did:web prefix of this deployment's agents; a port is percent-encoded as did:web requires (`localhost%3A3000`). */
export function didPrefix(publicBaseUrl: string): string {
  return `did:web:${encodeURIComponent(new URL(publicBaseUrl).host)}:agent:`;
}

export function agentDid(publicBaseUrl: string, agentId: string): string {
  return `${didPrefix(publicBaseUrl)}${agentId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The agent id inside one of this deployment's DIDs, or null for anything else (another host, a malformed
 * id). The port's `%3A` may arrive decoded (a DID in a URL path), so `localhost:3000` is accepted too.
 */
export function agentIdOf(publicBaseUrl: string, did: string): string | null {
  const prefix = didPrefix(publicBaseUrl);
  const matched = [prefix, decodeURIComponent(prefix)].find((p) => did.startsWith(p));
  if (matched === undefined) return null;
  const id = did.slice(matched.length);
  return UUID.test(id) ? id : null;
}
