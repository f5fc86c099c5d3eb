/** numeric(20,6): up to 14 integer digits and 6 decimals, no sign, no exponent. */
export const PAYOUT_AMOUNT_PATTERN = /^\d{1,14}(\.\d{1,6})?$/;
