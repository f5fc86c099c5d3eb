/** Seed 001: each active referral is worth this many reviews toward the referrer's tier... */
export const REVIEWS_PER_ACTIVE_REFERRAL = 2;
/** ...counting at most this many referrals (a bonus of at most 20 review equivalents). */
export const MAX_COUNTED_REFERRALS = 10;
/** Added once to the referred agent's reputation when its referral activates. */
export const REFERRAL_ACTIVATION_REPUTATION = 5;

/** Lowest effective reviews of each tier, highest first. */
export const TIERS = [
  { tier: 'platinum', min: 50 },
  { tier: 'gold', min: 20 },
  { tier: 'silver', min: 5 },
  { tier: 'bronze', min: 1 },
  { tier: 'new', min: 0 },
] as const;
export type AgentTier = (typeof TIERS)[number]['tier'];
export const TIER_NAMES = TIERS.map((t) => t.tier).reverse();

/** `min(active × 2, 20)`: the `referral_bonus_points` of the stats. */
export function referralBonusPoints(activeReferrals: number): number {
  return Math.min(activeReferrals, MAX_COUNTED_REFERRALS) * REVIEWS_PER_ACTIVE_REFERRAL;
}

/** `effective_reviews = actual_reviews + (active_referrals × 2)`, with at most 10 referrals counted. */
export function effectiveReviews(actualReviews: number, activeReferrals: number): number {
  return actualReviews + referralBonusPoints(activeReferrals);
}

export function tierFor(effective: number): AgentTier {
  return TIERS.find((t) => effective >= t.min)!.tier;
}
