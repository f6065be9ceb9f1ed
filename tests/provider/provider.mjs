// Test OpenID Provider for typed-oidc's integration tests.
//
// Runs panva's certified `oidc-provider` (9.x) on 127.0.0.1 with a scripted login/consent
// interaction, so a plain HTTP user agent with a cookie jar (tests/support/ua.rs) can complete
// every flow without a browser. Started by tests/support/mod.rs (`TestProvider::start()`).
//
// Usage:  node provider.mjs [port]        (port from argv, else $OP_PORT, else 0 = ephemeral)
// Env:    OP_PORT            listening port (0 = ephemeral)
//         OP_MOUNT=/oidc     mount the provider under a path prefix; issuer becomes
//                            http://127.0.0.1:<port>/oidc (GenAuth-style paths)
//         OP_MAX_LIFETIME_SECS  hard stop after this many seconds (default 900)
//         OP_QUIET=1         silence oidc-provider's own console notices
//         OP_DPOP_NONCE=required  every DPoP proof (token, userinfo, PAR, authorization...) must
//                            carry a server-provided nonce (features.dPoP.requireNonce); default:
//                            nonces are offered (DPoP-Nonce header) but optional
//         OP_BACKCHANNEL_URI=http://127.0.0.1:<port>/<path>  registers client `bcl-client`
//                            (client_secret_basic, backchannel_logout_session_required) with
//                            this backchannel_logout_uri, and lets the provider POST to that one
//                            loopback origin (its SSRF guard refuses 127.0.0.0/8 otherwise).
//                            features.backchannelLogout is always enabled; without this
//                            variable no client has a backchannel_logout_uri.
// Prints exactly one line `READY <issuer-origin>` (e.g. `READY http://127.0.0.1:43125`) on
// stdout once listening; everything else goes to stderr. Exits when stdin closes (the parent
// test process died or dropped the handle) or after the max lifetime.
//
// Scripted interaction (GET <mount>/interaction/:uid, no HTML):
//   * login:   account id = the authorization request's `login_hint`, else `alice`;
//              login_hint=deny  -> the authorization ends in error=access_denied
//              ("End-User denied the request").
//   * consent: grants everything that is missing (OIDC scopes incl. offline_access, claims
//              requested with the claims parameter, resource-server scopes).
// Pages that a browser would show as forms are made to auto-submit (RP-initiated logout
// confirmation, device-flow user code confirmation) so the scripted user agent just follows.
// Error pages (renderError) are JSON: {"error": "...", "error_description": "..."}.
//
// SURPRISES worth knowing when writing tests against this provider (oidc-provider 9.x):
//   * It logs "Unsupported runtime. Use Node.js v22.x LTS" on Node 20; it works anyway.
//   * `offline_access` is silently dropped unless the request carries prompt=consent AND the
//     response_type contains `code` AND the client has the refresh_token grant. No refresh token
//     is issued without it.
//   * PKCE is mandatory for public clients (token_endpoint_auth_method=none), and only S256 is
//     accepted; confidential clients may use PKCE but need not.
//   * conformIdTokenClaims (default true): an ID token issued together with an access token
//     (code flow, `id_token token`, hybrid) carries only sub + protocol claims; profile/email
//     claims come from the userinfo endpoint. With response_type=id_token (no access token) the
//     scope claims are in the ID token. Use the claims parameter to force claims into the token.
//   * Refresh tokens rotate on every use (rotateRefreshToken: true); presenting an already
//     rotated refresh token fails with invalid_grant AND revokes the whole grant (all tokens).
//   * The authorization code is single-use; a replayed code fails with invalid_grant and
//     revokes the tokens issued for it.
//   * Access tokens bound to a resource indicator (resource=urn:example:api) are refused by the
//     userinfo endpoint (their audience is the API). The normal flows without `resource` get an
//     opaque access token usable at userinfo.
//   * With `openid` in the scope, the token endpoint (code and refresh grants) issues an access
//     token for userinfo unless the request names the resource again (`resource=...` in the
//     token request, RFC 8707 §2.2); a `resource` on the authorization request alone is not
//     enough. API scopes (api:read ...) are only granted for a resource.
//   * urn:example:api issues opaque access tokens (introspectable); urn:example:jwt-api issues
//     JWT access tokens (RS256, typ at+jwt), which the introspection endpoint refuses with
//     400 unsupported_token_type ("Structured JWT Tokens cannot be introspected").
//   * client_credentials: scopes for an API (api:read api:write) are only granted with a
//     resource indicator (resource=urn:example:api); without one you get a token with no scope.
//   * PAR (/request) wants client_id in the body even when authenticating with HTTP Basic.
//   * Implicit/hybrid clients with http:// redirect URIs are normally forbidden; the documented
//     override (Client.Schema.prototype.invalidate ignoring 'implicit-force-https') is applied.
//   * form_post error responses are served with HTTP status 400 (success with 200).
//   * The password grant is not built in; it is registered below (alice / wonderland, for
//     basic-client). It is a TEST-ONLY extension: it skips everything an OP should check.
//   * Every authorization response (query, fragment, form_post, errors too) carries `iss`
//     (RFC 9207, authorization_response_iss_parameter_supported: true).
//   * The first redirect to the interaction is a RELATIVE Location (`/interaction/<uid>`);
//     resumes are absolute. All redirects in the flow are 303.
//   * HS256 ID tokens (hs256-client) are MAC'd with the client secret and carry no `kid`;
//     asymmetric ones carry kid rsa1 (RS256, PS256), ec1 (ES256) or ed1 (EdDSA).
//   * client_secret_jwt / private_key_jwt assertions with aud = <issuer>/token are accepted at
//     every endpoint that authenticates clients (token, introspection, revocation, PAR).
//   * Cookies are signed (`_session` + `_session.sig`, ...) and path-scoped; the interaction
//     cookie's path is the interaction URL, the resume cookie's path is <mount>/auth/<uid>.
//   * Back-channel logout (bcl-client, OP_BACKCHANNEL_URI): the end_session confirmation
//     (logout=yes) POSTs, before it redirects, `logout_token=<jwt>` (application/x-www-form-
//     urlencoded) to the backchannel_logout_uri of every client of the session. The token is
//     signed like the client's ID tokens (RS256, kid rsa1) with header typ `logout+jwt`; claims
//     iss, aud (client_id), iat, exp (= iat + 120), jti, sub, sid (the ID token's sid: with
//     backchannel_logout_session_required the ID tokens carry `sid`), events
//     {"http://schemas.openid.net/event/backchannel-logout": {}}; no nonce. 200 and 204 count as
//     success; each delivery is logged on stderr as `backchannel.success <client_id>` or
//     `backchannel.error <client_id> <message>`. Outgoing requests time out after 2.5 s.
//
// DPoP / JAR / JARM / FAPI 2.0 (clients dpop-public, jar-client, jarm-client, jarm-es256-client,
// fapi2-client, fapi2-ms-client; probed by hand against oidc-provider 9.13.3 on Node 20):
//   * All algs asked for in enabledJWA are accepted (none dropped): DPoP proofs ES256 ES384
//     PS256 RS256 EdDSA Ed25519; request objects PS256 ES256 RS256 EdDSA Ed25519 HS256 (HS256 =
//     MAC with the client secret); JARM RS256 PS256 ES256 EdDSA Ed25519 HS256.
//   * DPoP nonce: with OP_DPOP_NONCE=required a proof without `nonce` gets, at the token and PAR
//     endpoints, HTTP 400 {"error":"use_dpop_nonce","error_description":"nonce is required in
//     the DPoP proof"} with header `dpop-nonce: <nonce>` (lowercase on the wire; CORS exposes it
//     as DPoP-Nonce). Wrong nonce: same 400, "invalid nonce in DPoP proof". At userinfo: 401,
//     same JSON, `WWW-Authenticate: DPoP realm="<issuer>", error="use_dpop_nonce",
//     error_description="nonce is required in the DPoP proof", algs="ES256 ES384 PS256 RS256
//     EdDSA Ed25519"` plus `dpop-nonce`. The nonce is HKDF(nonceSecret, 60 s time step), so it is
//     the same across provider restarts within a minute; ±2 steps are accepted. A success
//     response carries `dpop-nonce` only when the proof did not use the current nonce (without
//     OP_DPOP_NONCE every success to a nonce-less proof carries one). Without OP_DPOP_NONCE a
//     proof with iat off by > 300 s gets use_dpop_nonce "DPoP proof iat is not recent enough,
//     use a DPoP nonce instead".
//   * A use_dpop_nonce answer does NOT consume the authorization code (retry with the same
//     code works) but DOES consume the private_key_jwt client assertion: retrying with the same
//     assertion (same jti) fails 401 {"error":"invalid_client","error_description":"client
//     authentication failed"}. Every retry needs a fresh assertion (token and PAR alike).
//   * token_type is "DPoP" whenever a valid proof was sent (also for cc-client, whose DPoP is
//     optional); "Bearer" without one. dpop_bound_access_tokens clients (dpop-public, fapi2-*)
//     without a proof: 400 {"error":"invalid_grant","error_description":"grant request is
//     invalid"} (code, refresh and client_credentials grants).
//   * The code is bound to the key of a DPoP proof sent at PAR, or to dpop_jkt on the
//     authorization request / PAR; a token request proved by another key: 400 invalid_grant
//     "grant request is invalid". At PAR, dpop_jkt != proof key: 400 {"error":"invalid_request",
//     "error_description":"DPoP proof key thumbprint does not match dpop_jkt"}. A PAR without any
//     proof is accepted (also for fapi2-*).
//   * Refresh tokens of dpop-public are bound to the proof key: refresh with another key or
//     without a proof -> 400 invalid_grant "grant request is invalid" (the grant survives;
//     refreshing with the right key still works).
//   * Userinfo with a DPoP-bound token: `Authorization: Bearer <at>` without proof -> 401
//     invalid_token "invalid token provided" (WWW-Authenticate DPoP realm=..., error=
//     "invalid_token", ..., algs=...); Bearer scheme WITH a proof -> 400 invalid_request
//     "authorization header scheme must be `DPoP` when DPoP is used"; DPoP scheme without the
//     DPoP header -> 400 invalid_request "`DPoP` header not provided"; proof from another key
//     or a replayed proof jti -> 401 invalid_token "invalid token provided"; proof without or
//     with a wrong `ath` -> 401 invalid_dpop_proof "DPoP proof ath mismatch".
//   * htu is compared with query and fragment stripped from the proof's htu: htu with a query
//     (or #fragment) is accepted whatever the request's own query.
//   * JAR by value at /auth: outside the request object only client_id (required, else 400 page
//     "missing required parameter 'client_id'") and request are needed, also for openid
//     requests. Other outer params are ignored (scope, state, redirect_uri from outside lose),
//     except response_type and client_id: conflicting -> invalid_request_object "request
//     response_type must equal the one in request parameters" / "request client_id must equal
//     the one in request parameters". The request object MUST contain client_id (without it:
//     400 page "missing required parameter 'client_id'"; at PAR invalid_request_object "request
//     client_id must equal the authenticated client's client_id").
//   * Request object `typ` is not checked at all (oauth-authz-req+jwt, JWT, none, anything).
//     iss (= client_id) and aud are required: aud must be exactly the issuer string or an array
//     containing it (<issuer>/ or <issuer>/request fail) -> invalid_request_object "Request
//     Object claims are invalid". exp/nbf checked if present (exp past / nbf future fail);
//     exp, nbf, iat, jti optional for normal clients, no exp-nbf window, jti is NOT
//     replay-checked (the same request object works twice). For fapi2-* also exp and nbf are
//     required ("Request Object is missing the 'exp' claim" / 'nbf') and 0 < exp - nbf <= 3600
//     ("Request Object 'exp' claim too far from 'nbf' claim"); iat, jti still optional.
//     alg none -> "unsupported signed request alg"; bad signature -> "could not validate Request
//     Object"; no kid is fine. Errors are redirected (state taken from the request object).
//   * In a request object max_age may be a number or a string, claims an object or a JSON
//     string; but a JSON array (e.g. scope: ["openid"]) is taken as a duplicate parameter:
//     invalid_request "'scope' parameter must not be provided twice". scope is a string.
//   * JAR through PAR: `request=<jwt>` in the PAR body (client authenticated as usual); other
//     body params next to it are ignored, so is dpop_jkt outside the object. /auth then needs
//     client_id + request_uri; outer params there are ignored too. request_uri is single-use
//     ("request_uri is invalid, expired, or was already used"). request_uri by reference to a
//     URL: request_uri_not_supported. require_signed_request_object clients without a request
//     object: invalid_request "Request Object must be used by this client" (at /auth and PAR).
//   * JARM: response_mode jwt (= query.jwt for code, fragment.jwt if response_type has a token/
//     id_token), query.jwt, fragment.jwt, form_post.jwt; a single parameter `response` (no plain
//     iss/state/code next to it). JWT header {alg, kid} only (no typ): PS256/rsa1, ES256/ec1,
//     RS256/rsa1 for clients without authorization_signed_response_alg (any client may ask for
//     a jwt mode). Claims: code, state, aud (client_id), exp (= now + 120 s), iss; no iat; errors
//     carry error, error_description, state, iss, aud, exp. form_post.jwt errors come with HTTP
//     400. jarm-* clients still get a plain response without a jwt response_mode.
//   * FAPI 2.0 (fapi2-*): enforced are PAR (plain /auth -> invalid_request "Pushed Authorization
//     Request must be used"), PKCE S256 ("Authorization Server policy requires PKCE to be used
//     for this request"; plain -> "not supported value of code_challenge_method"), redirect_uri
//     (missing -> "missing required parameter 'redirect_uri'"), client assertion aud EXACTLY the
//     issuer string (<issuer>/token, <issuer>/request or [issuer] -> 401 invalid_client "client
//     authentication failed"; non-FAPI clients accept all of those), the request object rules
//     above (-ms) and DPoP-bound tokens (client metadata). NOT enforced: state/nonce, DPoP nonces
//     (only with OP_DPOP_NONCE), JARM for fapi2-ms-client (a request object without response_mode
//     or with query gets a plain query response), signing algs (RS256 assertions and request
//     objects are accepted), request object typ, DPoP at PAR.

import { readFileSync } from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const here = (name) => new URL(name, import.meta.url);
const readJson = (name) => JSON.parse(readFileSync(here(name), 'utf8'));

const PORT = Number(process.argv[2] ?? process.env.OP_PORT ?? 0);
const MOUNT = (process.env.OP_MOUNT ?? '').replace(/\/+$/, '');
const MAX_LIFETIME_SECS = Number(process.env.OP_MAX_LIFETIME_SECS ?? 900);

if (MOUNT && !/^\/[A-Za-z0-9._~\-/]+$/.test(MOUNT)) {
  console.error(`OP_MOUNT must look like /path, got ${JSON.stringify(MOUNT)}`);
  process.exit(2);
}
if (process.env.OP_QUIET) {
  // oidc-provider's notices go through console.info/console.warn.
  console.info = () => {};
  console.warn = () => {};
}

// ---- stop by ourselves ---------------------------------------------------------------------
// The parent keeps our stdin open; when it exits (or drops the pipe) stdin ends and so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
setTimeout(() => {
  console.error(`test provider: max lifetime of ${MAX_LIFETIME_SECS}s reached, exiting`);
  process.exit(0);
}, MAX_LIFETIME_SECS * 1000).unref();

// ---- keys & clients --------------------------------------------------------------------------
const jwks = readJson('keys.json');
const publicJwk = ({ d, p, q, dp, dq, qi, ...pub }) => pub;
const clientJwks = {
  keys: [readJson('client-key.json'), readJson('client-key-ec.json'), readJson('client-key-ed.json')].map(publicJwk),
};
// OP_DPOP_NONCE=required makes every DPoP proof need a server nonce (features.dPoP.requireNonce).
const DPOP_NONCE_REQUIRED = process.env.OP_DPOP_NONCE === 'required';
// TEST-ONLY fixed 32-byte secret the DPoP nonces are derived from (features.dPoP.nonceSecret).
const DPOP_NONCE_SECRET = Buffer.from('8b9eb952d4e4500b914c59666d2f222f48d483283934f131310b893a3a720fb2', 'hex');

const REDIRECT_URI = 'http://127.0.0.1/cb';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/logged-out';
const common = {
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

// Keep in sync with tests/support/clients.rs.
const clients = [
  { ...common, client_id: 'public-pkce', token_endpoint_auth_method: 'none' },
  {
    ...common,
    client_id: 'basic-client',
    client_secret: 'basic-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'password'],
  },
  {
    ...common,
    client_id: 'post-client',
    client_secret: 'post-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    ...common,
    client_id: 'jwt-client',
    client_secret: 'jwt-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_jwt',
  },
  {
    ...common,
    client_id: 'pkjwt-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: clientJwks,
  },
  {
    ...common,
    client_id: 'es256-client',
    client_secret: 'es256-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  },
  {
    ...common,
    client_id: 'hs256-client',
    client_secret: 'hs256-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'HS256',
  },
  {
    ...common,
    client_id: 'eddsa-client',
    client_secret: 'eddsa-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'EdDSA',
  },
  {
    ...common,
    client_id: 'ps256-client',
    client_secret: 'ps256-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'PS256',
  },
  {
    ...common,
    client_id: 'jwt-userinfo-client',
    client_secret: 'jwt-userinfo-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    userinfo_signed_response_alg: 'RS256',
  },
  {
    ...common,
    client_id: 'implicit-client',
    token_endpoint_auth_method: 'none',
    grant_types: ['implicit'],
    response_types: ['id_token', 'id_token token'],
  },
  {
    ...common,
    client_id: 'hybrid-client',
    client_secret: 'hybrid-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    response_types: ['code id_token', 'code token', 'code id_token token', 'code'],
  },
  {
    client_id: 'cc-client',
    client_secret: 'cc-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'device-client',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  },
  // ---- DPoP (RFC 9449), JAR (RFC 9101), JARM, FAPI 2.0 ----------------------------------------
  // Public client whose access tokens MUST be DPoP-bound (a token request without a proof fails).
  { ...common, client_id: 'dpop-public', token_endpoint_auth_method: 'none', dpop_bound_access_tokens: true },
  // Every authorization request must be a signed request object (any enabled alg, signed with a
  // key of clientJwks); authenticates with private_key_jwt.
  {
    ...common,
    client_id: 'jar-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: clientJwks,
    require_signed_request_object: true,
  },
  // JARM: authorization responses signed PS256 (kid rsa1) / ES256 (kid ec1).
  {
    ...common,
    client_id: 'jarm-client',
    client_secret: 'jarm-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    authorization_signed_response_alg: 'PS256',
  },
  {
    ...common,
    client_id: 'jarm-es256-client',
    client_secret: 'jarm-es256-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    authorization_signed_response_alg: 'ES256',
  },
  // FAPI 2.0 Security Profile (features.fapi.profile answers '2.0' for client ids fapi2-*).
  {
    ...common,
    client_id: 'fapi2-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: clientJwks,
    dpop_bound_access_tokens: true,
    require_pushed_authorization_requests: true,
    id_token_signed_response_alg: 'PS256',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  // FAPI 2.0 Message Signing: signed request objects (through PAR) and JARM responses.
  {
    ...common,
    client_id: 'fapi2-ms-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: clientJwks,
    dpop_bound_access_tokens: true,
    require_pushed_authorization_requests: true,
    require_signed_request_object: true,
    authorization_signed_response_alg: 'PS256',
    id_token_signed_response_alg: 'ES256',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
];

// ---- BEGIN token exchange (RFC 8693) -- added for the grants interop tests -------------------
// A small, TEST-ONLY token exchange grant (oidc-provider has none built in), registered in the
// listen callback below for one extra client, `te-client` (client_secret_basic, token exchange
// only). Rules, all an OP would check at the least:
//   * subject_token must be an access token this provider issued (AccessToken model: opaque,
//     from a user flow such as the password or code grant), unexpired, with a live grant;
//     subject_token_type must be ...:access_token.  Otherwise invalid_grant / invalid_request.
//   * actor_token, when present, needs actor_token_type (RFC 8693 §2.1); it is not used further.
//   * requested_token_type, when present, must be ...:access_token (the only type issued).
//   * scope, when present, must be a subset of the subject token's scope (else invalid_scope);
//     absent, the subject's scope is kept.  audience / resource are accepted and ignored.
// It issues a new opaque access token for the same end-user to te-client (its own grant, so the
// token is introspectable) and answers with issued_token_type (RFC 8693 §2.2.1).
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
clients.push({
  client_id: 'te-client',
  client_secret: 'te-secret-0123456789abcdef0123456789abcdef',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: [TOKEN_EXCHANGE],
  response_types: [],
  redirect_uris: [],
});

async function tokenExchangeGrant(ctx) {
  const { client, params } = ctx.oidc;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens can be exchanged here');
  }
  if (params.actor_token && !params.actor_token_type) {
    throw new errors.InvalidRequest('actor_token_type is required with actor_token');
  }
  if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens can be issued');
  }
  const subject = await provider.AccessToken.find(params.subject_token);
  if (!subject || !subject.accountId || subject.isExpired) {
    throw new errors.InvalidGrant('subject_token is invalid or expired');
  }
  const subjectGrant = await provider.Grant.find(subject.grantId);
  if (!subjectGrant) throw new errors.InvalidGrant('subject_token grant is gone');

  const held = (subject.scope || '').split(' ').filter(Boolean);
  const wanted = params.scope ? params.scope.split(' ').filter(Boolean) : held;
  if (wanted.some((s) => !held.includes(s))) {
    throw new errors.InvalidScope('requested scope exceeds the subject token', wanted.join(' '));
  }
  const scope = wanted.join(' ');

  const grant = new provider.Grant({ accountId: subject.accountId, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const at = new provider.AccessToken({
    accountId: subject.accountId, client, grantId, gty: 'token_exchange', scope,
  });
  ctx.body = {
    access_token: await at.save(),
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: at.expiration,
    scope,
  };
}
const TOKEN_EXCHANGE_PARAMS = [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
  'requested_token_type', 'audience', 'resource', 'scope',
];
// ---- END token exchange -------------------------------------------------------------------

// ---- BEGIN back-channel logout (OpenID Connect Back-Channel Logout 1.0) ----------------------
// OP_BACKCHANNEL_URI (see Env above): a loopback http URI served by the test itself.
const BACKCHANNEL_URI = process.env.OP_BACKCHANNEL_URI ?? '';
if (BACKCHANNEL_URI && !/^http:\/\/127\.0\.0\.1:\d+\//.test(BACKCHANNEL_URI)) {
  console.error(`OP_BACKCHANNEL_URI must be http://127.0.0.1:<port>/..., got ${JSON.stringify(BACKCHANNEL_URI)}`);
  process.exit(2);
}
const BACKCHANNEL_ORIGIN = BACKCHANNEL_URI ? new URL(BACKCHANNEL_URI).origin : '';
if (BACKCHANNEL_URI) {
  clients.push({
    ...common,
    client_id: 'bcl-client',
    client_secret: 'bcl-secret-0123456789abcdef0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    backchannel_logout_uri: BACKCHANNEL_URI,
    backchannel_logout_session_required: true,
  });
}
// oidc-provider sends its outgoing requests through a dispatcher that refuses special-use
// addresses (127.0.0.0/8 included); for the test's own back-channel origin only, it is dropped.
const fetchForTests = (url, options) => {
  if (BACKCHANNEL_ORIGIN && new URL(url).origin === BACKCHANNEL_ORIGIN) {
    delete options.dispatcher;
  }
  return globalThis.fetch(url, options);
};
// ---- END back-channel logout ----------------------------------------------------------------

// ---- resource servers (RFC 8707) -------------------------------------------------------------
const resourceServers = {
  'urn:example:api': {
    scope: 'api:read api:write',
    audience: 'urn:example:api',
    accessTokenTTL: 600,
    accessTokenFormat: 'opaque',
  },
  'urn:example:jwt-api': {
    scope: 'api:read api:write',
    audience: 'urn:example:jwt-api',
    accessTokenTTL: 600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  },
};

// ---- accounts --------------------------------------------------------------------------------
const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);
async function findAccount(_ctx, sub) {
  return {
    accountId: sub,
    async claims(_use, _scope, _claims, _rejected) {
      return {
        sub,
        name: capitalize(sub),
        given_name: capitalize(sub),
        family_name: 'Test',
        preferred_username: sub,
        email: `${sub}@example.com`,
        email_verified: true,
        phone_number: '+1 555 0100',
        phone_number_verified: false,
        address: { country: 'Wonderland', locality: 'Rabbit Hole' },
      };
    },
  };
}

// ---- pages a browser would show: make them auto-submit or JSON ----------------------------
const autoSubmit = (ctx, formHtml) => {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html><head><title>Submitting</title>
<script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script>
</head><body>${formHtml}</body></html>`;
};
const page = (ctx, title) => {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
};

const configuration = {
  clients,
  jwks,
  findAccount,
  cookies: { keys: ['typed-oidc-test-cookie-key-0123456789abcdef'] },
  claims: {
    acr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
    address: ['address'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'address', 'phone'],
  responseTypes: [
    'code',
    'id_token',
    'id_token token',
    'code id_token',
    'code token',
    'code id_token token',
    'none',
  ],
  // oidc-provider 9.13 accepts every alg listed here (none had to be dropped).
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519', 'HS256'],
    userinfoSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519', 'HS256'],
    clientAuthSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
    dPoPSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519'],
    requestObjectSigningAlgValues: ['PS256', 'ES256', 'RS256', 'EdDSA', 'Ed25519', 'HS256'],
    authorizationSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519', 'HS256'],
  },
  rotateRefreshToken: true,
  fetch: fetchForTests,
  clientBasedCORS: () => false,
  renderError(ctx, out, _error) {
    ctx.type = 'json';
    ctx.body = out;
  },
  interactions: {
    url: (_ctx, interaction) => `${MOUNT}/interaction/${interaction.uid}`,
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    Grant: 86400,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 86400,
    Session: 86400,
  },
  features: {
    backchannelLogout: { enabled: true },
    devInteractions: { enabled: false },
    dPoP: {
      enabled: true,
      nonceSecret: DPOP_NONCE_SECRET,
      requireNonce: (_ctx) => DPOP_NONCE_REQUIRED,
    },
    fapi: {
      enabled: true,
      profile: (_ctx, client) => (client?.clientId?.startsWith('fapi2-') ? '2.0' : undefined),
    },
    jwtResponseModes: { enabled: true },
    requestObjects: { enabled: true, requireSignedRequestObject: false },
    claimsParameter: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: {
      enabled: true,
      userCodeInputSource(ctx, form, _out, err) {
        // Only reached without ?user_code= (with it the provider auto-posts by itself).
        ctx.type = 'html';
        ctx.body = `<!DOCTYPE html><html><head><title>Device sign-in</title></head><body>
<p>${err ? `error: ${err.name}` : 'enter the code'}</p>${form}</body></html>`;
      },
      userCodeConfirmSource(ctx, form) {
        autoSubmit(ctx, form); // form already carries confirm=yes
      },
      successSource(ctx) {
        page(ctx, 'Device sign-in success');
      },
    },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    jwtUserinfo: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        const info = resourceServers[resourceIndicator];
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        // Confirm the sign-out (logout=yes) without a click.
        autoSubmit(ctx, form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>'));
      },
      postLogoutSuccessSource(ctx) {
        page(ctx, 'Signed out');
      },
    },
    userinfo: { enabled: true },
  },
};

// ---- server: listen first (ephemeral port), then build the provider for that issuer -------
let provider;
let callback;

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  const hint = params.login_hint;

  if (hint === 'deny') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User denied the request',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, {
      login: { accountId: hint || 'alice' },
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'consent') {
    let { grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    return;
  }

  throw new Error(`unexpected prompt ${prompt.name}`);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (!provider) {
    sendJson(res, 503, { error: 'temporarily_unavailable' });
    return;
  }
  if (MOUNT) {
    const url = req.url;
    if (!(url === MOUNT || url.startsWith(`${MOUNT}/`) || url.startsWith(`${MOUNT}?`))) {
      sendJson(res, 404, { error: 'not_found', error_description: `outside of mount ${MOUNT}` });
      return;
    }
    // oidc-provider derives its mount path from originalUrl vs url (as express does).
    req.originalUrl = url;
    req.url = url.slice(MOUNT.length) || '/';
    if (req.url.startsWith('?')) req.url = `/${req.url}`;
  }
  if (/^\/interaction\/[^/?]+(\?.*)?$/.test(req.url)) {
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'method_not_allowed' });
      return;
    }
    interaction(req, res).catch((err) => {
      console.error('interaction failed:', err);
      if (!res.headersSent) {
        sendJson(res, 400, { error: err.error || 'interaction_failed', error_description: err.error_description || String(err.message) });
      } else {
        res.end();
      }
    });
    return;
  }
  callback(req, res);
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  provider = new Provider(`${origin}${MOUNT}`, configuration);

  // Documented override: allow http:// (loopback) redirect URIs for implicit/hybrid web clients.
  const { invalidate: orig } = provider.Client.Schema.prototype;
  provider.Client.Schema.prototype.invalidate = function invalidate(message, code) {
    if (code === 'implicit-force-https') return;
    orig.call(this, message, code);
  };

  // TEST-ONLY resource owner password credentials grant (RFC 6749 §4.3), removed from OAuth 2.1
  // and not built into oidc-provider. Accepts alice / wonderland only.
  provider.registerGrantType('password', passwordGrant, ['username', 'password', 'scope']);
  // BEGIN token exchange registration (see the token exchange block above)
  provider.registerGrantType(TOKEN_EXCHANGE, tokenExchangeGrant, TOKEN_EXCHANGE_PARAMS, ['audience', 'resource']);
  // END token exchange registration

  provider.on('server_error', (_ctx, err) => console.error('server_error:', err));
  provider.on('backchannel.success', (_ctx, client) => console.error(`backchannel.success ${client.clientId}`));
  provider.on('backchannel.error', (_ctx, err, client) => console.error(`backchannel.error ${client.clientId} ${err.message}`));
  callback = provider.callback();
  process.stdout.write(`READY ${origin}\n`);
});

async function passwordGrant(ctx) {
  const { client, params } = ctx.oidc;
  if (params.username !== 'alice' || params.password !== 'wonderland') {
    throw new errors.InvalidGrant('invalid resource owner credentials');
  }
  const known = new Set(configuration.scopes);
  const requested = (params.scope || 'openid').split(' ').filter((s) => known.has(s));
  const scope = requested.join(' ');
  const accountId = 'alice';

  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();

  const at = new provider.AccessToken({ accountId, client, grantId, gty: 'password', scope });
  const accessToken = await at.save();

  let refreshToken;
  if (requested.includes('offline_access') && client.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({ accountId, client, grantId, gty: 'password', scope, rotations: 0 });
    refreshToken = await rt.save();
  }

  let idToken;
  if (requested.includes('openid')) {
    const account = await findAccount(ctx, accountId);
    const token = new provider.IdToken(await account.claims('id_token', scope, {}, []), { ctx });
    token.scope = 'openid';
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: at.expiration,
    id_token: idToken,
    refresh_token: refreshToken,
    scope,
  };
}
