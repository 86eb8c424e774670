/**
 * Passport strategies (and the like) that sign a caller in rather than check a session: `local` takes a
 * password from the body, the OAuth/OIDC/SAML ones send the browser to the identity provider and take its
 * answer on the callback. A route guarded only by one of them is a sign-in step, public by design. Strategies
 * that check credentials each request carries (`jwt`, `bearer`, `session`, `basic`, API keys) are not here.
 */
const SIGN_IN_STRATEGY =
  /^(local|local-[\w-]+|[\w-]*oauth[\w-]*|oidc|oidc-[\w-]+|openid|openid-[\w-]+|openidconnect|saml|sso|[\w-]*-sso|google|google-[\w-]+|github|gitlab|bitbucket|microsoft|azure|azuread|azure-ad|azure-ad-oauth2|facebook|twitter|x|apple|discord|linkedin|slack|notion|twitch|steam|instagram|spotify|dropbox|reddit|yahoo|amazon|paypal|zoom|atlassian|auth0|okta|keycloak|cognito|magic-?link|passwordless|ldap|ldapauth|wsfed-saml2)$/i;

/** `'google'` → a description of the sign-in step, or undefined for a per-request strategy. */
export function signInStrategy(name: string): string | undefined {
  return SIGN_IN_STRATEGY.test(name) ? `passport strategy '${name}' signs the caller in` : undefined;
}

/** Strategies that check what every request carries: never a sign-in step. */
export const PER_REQUEST_STRATEGY = /jwt|bearer|session|basic|digest|api[-_]?key|token|hmac|cookie/i;
