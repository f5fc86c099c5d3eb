import { redirectLocation, redirectTarget } from './redirect-target';

const link = { code: 'spring24', campaignId: 'c0ffee00-0000-4000-8000-000000000001', creatorFid: '3621', creatorHandle: 'alice', channel: 'base' };

describe('redirectTarget', () => {
  it('forwards the source context and the click id', () => {
    const location = new URL(redirectLocation(redirectTarget('https://app.example/claim', link), 'CLICK123'));
    expect(location.origin + location.pathname).toBe('https://app.example/claim');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      ref: 'spring24',
      campaign_id: link.campaignId,
      utm_source: 'alice',
      utm_medium: 'base',
      utm_campaign: link.campaignId,
      click_id: 'CLICK123',
    });
  });

  it('keeps the destination\'s own query, its utm parameters and its fragment', () => {
    const location = redirectLocation(redirectTarget('https://app.example/p?x=1&utm_source=newsletter#section-2', link), 'C1');
    const url = new URL(location);
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.getAll('utm_source')).toEqual(['newsletter']);
    expect(url.searchParams.get('click_id')).toBe('C1');
    expect(url.hash).toBe('#section-2');
    expect(location.endsWith('click_id=C1#section-2')).toBe(true);
  });

  it('falls back to the fid, then to defaults, and omits an absent campaign', () => {
    const byFid = new URL(redirectLocation(redirectTarget('https://a.example/', { ...link, creatorHandle: null, channel: null, campaignId: null }), 'C'));
    expect(byFid.searchParams.get('utm_source')).toBe('fid:3621');
    expect(byFid.searchParams.get('utm_medium')).toBe('referral');
    expect(byFid.searchParams.has('campaign_id')).toBe(false);
    expect(byFid.searchParams.has('utm_campaign')).toBe(false);
    const bare = new URL(redirectLocation(redirectTarget('https://a.example/', { ...link, creatorHandle: null, creatorFid: null }), 'C'));
    expect(bare.searchParams.get('utm_source')).toBe('referral_os');
  });

  it('never lets the destination pin a click id of its own', () => {
    const url = new URL(redirectLocation(redirectTarget('https://a.example/?click_id=forged', link), 'REAL'));
    expect(url.searchParams.getAll('click_id')).toEqual(['REAL']);
  });

  it('encodes values safely', () => {
    const url = new URL(redirectLocation(redirectTarget('https://a.example/', { ...link, creatorHandle: 'a&b=c' }), 'C'));
    expect(url.searchParams.get('utm_source')).toBe('a&b=c');
  });
});
