import { effectiveReviews, referralBonusPoints, tierFor } from './tier';

describe('tiers', () => {
  it.each([
    [0, 0, 0, 0, 'new'],
    [1, 0, 0, 1, 'bronze'],
    [0, 1, 2, 2, 'bronze'],
    [4, 0, 0, 4, 'bronze'],
    [3, 1, 2, 5, 'silver'],
    [0, 7, 14, 14, 'silver'],
    [0, 10, 20, 20, 'gold'],
    [0, 25, 20, 20, 'gold'],
    [29, 11, 20, 49, 'gold'],
    [30, 10, 20, 50, 'platinum'],
  ])('%i reviews + %i active referrals: bonus %i, effective %i, %s', (reviews, active, bonus, effective, tier) => {
    expect(referralBonusPoints(active)).toBe(bonus);
    expect(effectiveReviews(reviews, active)).toBe(effective);
    expect(tierFor(effective)).toBe(tier);
  });
});
