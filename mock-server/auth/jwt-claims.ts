/** The audience the Lambdas put in aud (optional in v67; when present the mock requires this value). */
export const SCRT_AUDIENCE = 'https://scrt.salesforce.com';

/** The longest lifetime the API accepts: exp at most 24 hours after iat. */
export const MAX_LIFETIME_SECONDS = 24 * 3600;
