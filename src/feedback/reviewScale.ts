/** Product ratings go from 1 (not at all) to 5 (love it). */
export const REVIEW_SCALE = { min: 1, max: 5 } as const;

/**
 * Ratings at or below this are "low": flows/review-request.yaml apologises and offers a person, and
 * the report follows them to support. Its own module: the report (a read-only command) imports it
 * without the write side.
 */
export const LOW_RATING_MAX = 2;
