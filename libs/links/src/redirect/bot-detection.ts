/**
 * Link unfurlers, crawlers and HTTP libraries announce themselves in the User-Agent. One
 * alternation of literal words: linear time whatever the input (no nested quantifiers).
 */
const BOT_USER_AGENT =
  /bot\b|bot\/|crawler|spider|slurp|facebookexternalhit|facebookcatalog|embedly|unfurl|preview|whatsapp|telegram|skypeuripreview|vkshare|quora link|pinterest|bitlybot|outbrain|headlesschrome|lighthouse|python-requests|python-urllib|go-http-client|okhttp|java\/|libwww|wget|httpclient|axios\/|node-fetch|undici|feedfetcher|mastodon|iframely/i;

/** Only this much of a header is examined or stored. */
export const MAX_USER_AGENT_LENGTH = 512;

export function isBotRequest(method: string, userAgent: string | undefined): boolean {
  if (method === 'HEAD') return true;
  if (!userAgent) return true;
  return BOT_USER_AGENT.test(userAgent.slice(0, MAX_USER_AGENT_LENGTH));
}
