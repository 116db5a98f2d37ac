/**
 * The API's message and event times are epoch milliseconds; clients (and the docs' own examples) sometimes
 * send seconds. Below 10^11 a value is seconds: that is year 5138 in seconds, and 1973 in milliseconds.
 */
export const looksLikeEpochSeconds = (value: number): boolean => value < 100_000_000_000;
