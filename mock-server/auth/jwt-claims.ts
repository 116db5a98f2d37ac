/** The audience the Lambdas put in aud (optional in v67; when present the mock requires this value). */
export const SCRT_AUDIENCE = 'https://scrt.salesforce.com';
