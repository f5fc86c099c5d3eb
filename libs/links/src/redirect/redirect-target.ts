export interface LinkContext {
  code: string;
  campaignId: string | null;
  creatorFid: string | null;
  creatorHandle: string | null;
  channel: string | null;
}

/** The destination split around the click id, so each redirect is two string concatenations. */
export interface RedirectTarget {
  prefix: string;
  suffix: string;
}

/**
 * Forwards the source context as query parameters: `ref` (the code), `campaign_id`, and utm
 * parameters derived from the link (utm_source = the creator, utm_medium = the channel or
 * "referral", utm_campaign = the campaign id). Parameters the destination already sets win; its own
 * query and fragment are kept. `click_id` comes last, filled per request.
 */
export function redirectTarget(destinationUrl: string, link: LinkContext): RedirectTarget {
  const url = new URL(destinationUrl);
  const add = (name: string, value: string | null) => {
    if (value !== null && value !== '' && !url.searchParams.has(name)) url.searchParams.append(name, value);
  };
  add('ref', link.code);
  add('campaign_id', link.campaignId);
  add('utm_source', link.creatorHandle ?? (link.creatorFid ? `fid:${link.creatorFid}` : 'referral_os'));
  add('utm_medium', link.channel ?? 'referral');
  add('utm_campaign', link.campaignId);
  url.searchParams.delete('click_id');
  const hash = url.hash;
  url.hash = '';
  return { prefix: `${url.toString()}&click_id=`, suffix: hash };
}

export function redirectLocation(target: RedirectTarget, clickId: string): string {
  return target.prefix + clickId + target.suffix;
}
