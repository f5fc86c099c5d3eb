/** The did:web prefix of this deployment's agents; a port is percent-encoded as did:web requires (`localhost%3A3000`). */
export function didPrefix(publicBaseUrl: string): string {
  return `did:web:${encodeURIComponent(new URL(publicBaseUrl).host)}:agent:`;
}

export function agentDid(publicBaseUrl: string, agentId: string): string {
  return `${didPrefix(publicBaseUrl)}${agentId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The agent id inside one of this deployment's DIDs, or null for anything else (another host, a malformed id). */
export function agentIdOf(publicBaseUrl: string, did: string): string | null {
  const prefix = didPrefix(publicBaseUrl);
  if (!did.startsWith(prefix)) return null;
  const id = did.slice(prefix.length);
  return UUID.test(id) ? id : null;
}
