'use strict';
// Drives a live `quorum serve` through the real, unmodified @contio/partner-sdk 1.9.0.
// Started by ../run.sh, which provisions an org, users, an app and a CLI-minted token and passes
// them in through the environment. Spec references are to shared/spec/contio-partner-api.md.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const sdk = require('@contio/partner-sdk');
const { ContioPartnerSDK, OAuthClient, PartnerUserClient, PartnerAdminClient, ApiKeyClient, ContioAPIError } = sdk;
const { parseForms } = require('../lib/html');

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL'); // http://127.0.0.1:PORT, no trailing slash
const AUTHORIZE_URL = `${BASE}/oauth2/authorize`;
const TOKEN_URL = `${BASE}/oauth2/token`;
const SERVER_LOG = env('QUORUM_SERVER_LOG');
const CLIENT_ID = env('PSDK_CLIENT_ID');
const CLIENT_SECRET = env('PSDK_CLIENT_SECRET');
const API_KEY = env('PSDK_API_KEY');
const REDIRECT_URI = env('PSDK_REDIRECT_URI');
const APP_NAME = env('PSDK_APP_NAME');
const ORG_UUID = env('PSDK_ORG_UUID');
const ORG_NAME = env('PSDK_ORG_NAME');
const USER_UUID = env('PSDK_USER_UUID');
const USER_EMAIL = env('PSDK_USER_EMAIL');
const USER_NAME = env('PSDK_USER_NAME');
const USER_PASSWORD = env('PSDK_USER_PASSWORD');
const OTHER_EMAIL = env('PSDK_OTHER_EMAIL');
const CLI_ACCESS_TOKEN = env('PSDK_CLI_ACCESS_TOKEN');
const CLI_REFRESH_TOKEN = env('PSDK_CLI_REFRESH_TOKEN');

const DEFAULT_SCOPES = ['openid', 'profile', 'meetings:read', 'meetings:write'];
const WORKSPACE_ROLES = ['WORKSPACE_OWNER', 'WORKSPACE_ADMIN', 'WORKSPACE_MEMBER'];
// The factories would pass timeout: undefined (= no timeout, §1.5); keep every call bounded instead.
const HTTP_TIMEOUT_MS = 15000;

const oauthConfig = () => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUri: REDIRECT_URI,
  authorizationUrl: AUTHORIZE_URL,
  tokenUrl: TOKEN_URL,
});
const newOAuth = () => new OAuthClient(oauthConfig());
const newUser = (baseURL = BASE) =>
  ContioPartnerSDK.forUser({ ...oauthConfig(), baseURL, timeout: HTTP_TIMEOUT_MS });
const newAdmin = (opts = {}) =>
  ContioPartnerSDK.forAdmin({ apiKey: API_KEY, baseURL: BASE, timeout: HTTP_TIMEOUT_MS, ...opts }).admin;

// ---------- helpers ----------

function randomState() {
  return `st-${Math.random().toString(36).slice(2)}-${Date.now()}`;
}

// An OAuth-client failure is a plain Error("Failed to <action>: Request failed with status code N") (§4.2).
function oauthFailure(action, statuses) {
  return (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.ok(!(err instanceof ContioAPIError), 'OAuth client must throw a plain Error');
    const m = /^Failed to (.+): Request failed with status code (\d{3})$/.exec(err.message);
    assert.ok(m, `unexpected error message: ${err.message}`);
    assert.equal(m[1], action);
    assert.ok(statuses.includes(Number(m[2])), `status ${m[2]} not in ${statuses.join('/')}: ${err.message}`);
    return true;
  };
}

function apiError(statusCode, code) {
  return (err) => {
    assert.ok(err instanceof ContioAPIError, `expected ContioAPIError, got ${err && err.name}: ${err && err.message}`);
    assert.equal(err.name, 'ContioAPIError');
    assert.equal(err.statusCode, statusCode, `statusCode (body ${JSON.stringify(err.response)})`);
    assert.equal(err.code, code, `code (body ${JSON.stringify(err.response)})`);
    // §4.1: body is a JSON object with error (human message), same text in message, and a request_id.
    assert.equal(typeof err.response, 'object');
    assert.notEqual(err.response, null);
    assert.equal(typeof err.response.error, 'string');
    assert.ok(err.response.error.length > 0, 'error message must not be empty');
    assert.equal(err.message, err.response.error);
    assert.equal(err.response.message, err.response.error, 'message must repeat error (§4.1)');
    assert.equal(typeof err.requestId, 'string', 'request_id (§4.1)');
    assert.ok(err.requestId.length > 0, 'request_id must not be empty');
    return true;
  };
}

// Raw admin call (for the OpenAPI path aliases the SDK never uses, §3.2.1 / §8.1).
async function rawAdmin(method, path, body) {
  const res = await fetch(`${BASE}/v1/partner/admin${path}`, {
    method,
    headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { res, text, json };
}

function cookieHeader(res) {
  const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

async function fetchLoginPage(url) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const html = await res.text();
  return { url, res, html, cookie: cookieHeader(res) };
}

function findLoginForm(html) {
  const forms = parseForms(html);
  return forms.find((f) => f.controls.some((c) => c.name === 'password')) || null;
}

// Posts the login form back: every hidden input as rendered, plus the given fields.
async function submitLogin(page, fields) {
  const form = findLoginForm(page.html);
  assert.ok(form, `no login form in page:\n${page.html.slice(0, 2000)}`);
  const action = new URL(form.attrs.action || page.url, page.url);
  const body = new URLSearchParams();
  for (const c of form.controls) {
    if (c.tag === 'input' && c.type === 'hidden' && c.name) body.append(c.name, c.value ?? '');
  }
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const cookie = [page.cookie].filter(Boolean).join('; ');
  if (cookie) headers.cookie = cookie;
  const res = await fetch(action, {
    method: (form.attrs.method || 'GET').toUpperCase(),
    body: body.toString(),
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  return { res, text, action, body };
}

function redirectParams(res) {
  const loc = res.headers.get('location');
  assert.ok(loc, `expected a Location header (status ${res.status})`);
  const u = new URL(loc);
  const expected = new URL(REDIRECT_URI);
  assert.equal(`${u.origin}${u.pathname}`, `${expected.origin}${expected.pathname}`, `redirect target: ${loc}`);
  return u.searchParams;
}

// Full browser-less authorization: login page -> allow -> code.
async function authorizeCode(oauth = newOAuth(), email = USER_EMAIL, password = USER_PASSWORD) {
  const state = randomState();
  const page = await fetchLoginPage(oauth.getAuthorizationUrl(state));
  assert.equal(page.res.status, 200, `GET authorize: status ${page.res.status}`);
  const { res } = await submitLogin(page, { email, password, decision: 'allow' });
  assert.equal(res.status, 302, `POST authorize (allow): status ${res.status}`);
  const q = redirectParams(res);
  assert.equal(q.get('state'), state);
  assert.equal(q.get('error'), null, `unexpected error ${q.get('error')}`);
  const code = q.get('code');
  assert.ok(code, 'no code in redirect');
  return code;
}

// Exchanges a fresh code on a fresh OAuthClient and returns { oauth, tokens }.
async function freshTokens() {
  const oauth = newOAuth();
  const code = await authorizeCode(oauth);
  const tokens = await oauth.exchangeCodeForToken(code);
  return { oauth, tokens };
}

function assertTokenSet(tokens) {
  assert.equal(typeof tokens.accessToken, 'string');
  assert.ok(tokens.accessToken.startsWith('cto_at_v1_'), `access token prefix: ${tokens.accessToken}`);
  assert.ok(tokens.accessToken.length > 'cto_at_v1_'.length + 16, 'access token too short');
  assert.equal(typeof tokens.refreshToken, 'string');
  assert.ok(tokens.refreshToken.startsWith('cto_rt_v1_'), `refresh token prefix: ${tokens.refreshToken}`);
  assert.ok(tokens.expiresAt instanceof Date, 'expires_in must be > 0 (SDK sets expiresAt only then)');
  assert.ok(tokens.expiresAt.getTime() > Date.now() + 60_000, 'expires_in must be comfortably in the future');
}

function readMailLines() {
  const out = [];
  let text;
  try {
    text = fs.readFileSync(SERVER_LOG, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let j;
    try { j = JSON.parse(t); } catch { continue; }
    if (j.msg === 'outgoing mail') out.push(j);
  }
  return out;
}

function mailIsFor(m, email) {
  const to = Array.isArray(m.to) ? m.to.join(',') : String(m.to ?? '');
  return to.toLowerCase().includes(email.toLowerCase());
}

// Polls the server log (with a deadline) for a new mail to `email` after `seen` earlier ones.
async function waitForMail(email, seen, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = readMailLines().filter((m) => mailIsFor(m, email));
    if (mails.length > seen) return mails[mails.length - 1];
    if (Date.now() > deadline) {
      assert.fail(`no "outgoing mail" log line to ${email} within ${timeoutMs} ms (found ${mails.length}, had ${seen})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------- tests ----------

describe('OAuth authorization endpoint (login form)', () => {
  test('GET authorize renders a login form that carries the OAuth parameters', async () => {
    const oauth = newOAuth();
    const state = randomState();
    const url = oauth.getAuthorizationUrl(state);
    const page = await fetchLoginPage(url);
    assert.equal(page.res.status, 200);
    assert.match(page.res.headers.get('content-type') || '', /^text\/html\b/i);
    const form = findLoginForm(page.html);
    assert.ok(form, 'no form with a password field');
    assert.equal((form.attrs.method || '').toLowerCase(), 'post', 'form method');
    const action = new URL(form.attrs.action || url, url);
    assert.equal(action.origin, new URL(BASE).origin);
    assert.equal(action.pathname, '/oauth2/authorize');
    const names = new Set(form.controls.map((c) => c.name));
    for (const f of ['email', 'password', 'decision']) assert.ok(names.has(f), `form lacks a "${f}" control`);
    assert.equal(form.controls.find((c) => c.name === 'password').type, 'password');
    const hidden = Object.fromEntries(
      form.controls.filter((c) => c.tag === 'input' && c.type === 'hidden' && c.name).map((c) => [c.name, c.value]),
    );
    const original = new URL(url).searchParams;
    for (const k of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']) {
      assert.equal(hidden[k], original.get(k), `hidden input ${k}`);
    }
    assert.equal(hidden.scope, DEFAULT_SCOPES.join(' '));
    assert.equal(hidden.state, state);
    const decisions = form.controls.filter((c) => c.name === 'decision').map((c) => c.value);
    assert.ok(decisions.includes('allow'), `decision values: ${decisions}`);
  });

  test('login_hint pre-fills the email field (§2.1)', async () => {
    const oauth = newOAuth();
    const page = await fetchLoginPage(oauth.getAuthorizationUrl(randomState(), { loginHint: USER_EMAIL }));
    assert.equal(page.res.status, 200);
    const form = findLoginForm(page.html);
    assert.ok(form);
    const email = form.controls.find((c) => c.name === 'email' && c.type !== 'hidden') ||
      form.controls.find((c) => c.name === 'email');
    assert.equal(email.value, USER_EMAIL);
  });

  test('correct password + decision=allow redirects to redirect_uri with code and state', async () => {
    const oauth = newOAuth();
    const state = randomState();
    const page = await fetchLoginPage(oauth.getAuthorizationUrl(state));
    const { res } = await submitLogin(page, { email: USER_EMAIL, password: USER_PASSWORD, decision: 'allow' });
    assert.equal(res.status, 302);
    const q = redirectParams(res);
    assert.ok(q.get('code') && q.get('code').length >= 16, `code: ${q.get('code')}`);
    assert.equal(q.get('state'), state);
    assert.equal(q.get('error'), null);
  });

  test('decision=deny redirects with error=access_denied and the state', async () => {
    const oauth = newOAuth();
    const state = randomState();
    const page = await fetchLoginPage(oauth.getAuthorizationUrl(state));
    const { res } = await submitLogin(page, { email: USER_EMAIL, password: USER_PASSWORD, decision: 'deny' });
    assert.equal(res.status, 302);
    const q = redirectParams(res);
    assert.equal(q.get('error'), 'access_denied');
    assert.equal(q.get('state'), state);
    assert.equal(q.get('code'), null);
  });

  test('wrong password re-renders the form without redirecting', async () => {
    const oauth = newOAuth();
    const page = await fetchLoginPage(oauth.getAuthorizationUrl(randomState()));
    const { res, text } = await submitLogin(page, { email: USER_EMAIL, password: `${USER_PASSWORD}-wrong`, decision: 'allow' });
    assert.ok([200, 401].includes(res.status), `status ${res.status}`);
    assert.equal(res.headers.get('location'), null);
    const form = findLoginForm(text);
    assert.ok(form, 'the login form must be shown again');
    const hidden = Object.fromEntries(form.controls.filter((c) => c.type === 'hidden' && c.name).map((c) => [c.name, c.value]));
    assert.equal(hidden.client_id, CLIENT_ID, 'hidden OAuth parameters must survive the re-render');
  });

  test('unknown client_id is rejected with 400 and never redirected (§2.1)', async () => {
    const oauth = new OAuthClient({ ...oauthConfig(), clientId: 'no-such-client' });
    const res = await fetch(oauth.getAuthorizationUrl(randomState()), { redirect: 'manual', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
  });

  test('unregistered redirect_uri is rejected with 400 and never redirected (§2.1)', async () => {
    const oauth = new OAuthClient({ ...oauthConfig(), redirectUri: 'https://evil.example.test/cb' });
    const res = await fetch(oauth.getAuthorizationUrl(randomState()), { redirect: 'manual', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
  });
});

describe('OAuth token endpoint', () => {
  test('exchangeCodeForToken returns cto_ tokens; the code is single use', async () => {
    const oauth = newOAuth();
    const code = await authorizeCode(oauth);
    const tokens = await oauth.exchangeCodeForToken(code);
    assertTokenSet(tokens);
    assert.deepEqual(oauth.getAccessToken(), tokens.accessToken);
    // `scope` is optional in the token response (§2.2); when sent it must cover what was approved.
    if (tokens.scope !== undefined) {
      for (const s of DEFAULT_SCOPES) assert.ok(tokens.scope.includes(s), `granted scope lacks ${s}: ${tokens.scope}`);
    }
    await assert.rejects(newOAuth().exchangeCodeForToken(code), oauthFailure('exchange code for token', [400]));
  });

  test('exchangeCodeForToken with a bogus code fails with 400', async () => {
    await assert.rejects(newOAuth().exchangeCodeForToken('not-a-real-code'), oauthFailure('exchange code for token', [400]));
  });

  test('token endpoint rejects a wrong client secret with 401', async () => {
    const code = await authorizeCode();
    const bad = new OAuthClient({ ...oauthConfig(), clientSecret: 'wrong-secret' });
    await assert.rejects(bad.exchangeCodeForToken(code), oauthFailure('exchange code for token', [401]));
  });

  test('refreshAccessToken rotates; old refresh token reuse revokes the whole family', async () => {
    const { oauth, tokens: first } = await freshTokens();
    const second = await oauth.refreshAccessToken();
    assertTokenSet(second);
    assert.notEqual(second.accessToken, first.accessToken, 'refresh must mint a new access token');
    assert.notEqual(second.refreshToken, first.refreshToken, 'refresh token must rotate');
    assert.equal(oauth.getAccessToken(), second.accessToken);
    // Reuse of the old (already rotated) refresh token fails...
    await assert.rejects(oauth.refreshAccessToken(first.refreshToken), oauthFailure('refresh token', [400]));
    // ...and reuse detection revokes the family, so the newest refresh token fails too.
    await assert.rejects(oauth.refreshAccessToken(second.refreshToken), oauthFailure('refresh token', [400]));
  });

  test('getClientCredentialsToken returns an access token', async () => {
    const oauth = newOAuth();
    const tokens = await oauth.getClientCredentialsToken();
    assert.equal(typeof tokens.accessToken, 'string');
    assert.ok(tokens.accessToken.startsWith('cto_at_v1_'), `prefix: ${tokens.accessToken}`);
    assert.ok(tokens.expiresAt instanceof Date && tokens.expiresAt.getTime() > Date.now(), 'expires_in > 0');
    const info = await oauth.introspectToken(tokens.accessToken);
    assert.equal(info.active, true);
    assert.equal(info.client_id, CLIENT_ID);
  });

  test('token endpoint errors use the RFC 6749 body (§2.2)', async () => {
    const post = async (form, auth = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`) => {
      const res = await fetch(TOKEN_URL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: auth },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      const text = await res.text();
      assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, `content-type for ${JSON.stringify(form)}`);
      return { status: res.status, body: JSON.parse(text) };
    };
    let r = await post({ grant_type: 'authorization_code', code: 'bogus', redirect_uri: REDIRECT_URI });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    assert.equal(typeof r.body.error_description, 'string');
    r = await post({ grant_type: 'refresh_token', refresh_token: 'cto_rt_v1_bogus' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    r = await post({ grant_type: 'password', username: 'x', password: 'y' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'unsupported_grant_type');
    r = await post({ grant_type: 'client_credentials' }, `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString('base64')}`);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
  });

  test('getClientCredentialsToken with a wrong secret fails with 401', async () => {
    const bad = new OAuthClient({ ...oauthConfig(), clientSecret: 'wrong-secret' });
    await assert.rejects(bad.getClientCredentialsToken(), oauthFailure('get client credentials token', [401]));
  });
});

describe('OAuth introspection, revocation, userinfo, scopes', () => {
  test('introspectToken reports an active token, revokeToken deactivates it', async () => {
    const { oauth, tokens } = await freshTokens();
    const info = await oauth.introspectToken(tokens.accessToken);
    assert.equal(info.active, true);
    assert.equal(info.client_id, CLIENT_ID);
    assert.equal(info.sub, USER_UUID);
    assert.equal(typeof info.scope, 'string');
    for (const s of DEFAULT_SCOPES) assert.ok(info.scope.split(' ').includes(s), `scope lacks ${s}: ${info.scope}`);
    assert.equal(typeof info.exp, 'number');
    assert.ok(info.exp * 1000 > Date.now(), 'exp must be in the future');
    await oauth.revokeToken(tokens.accessToken);
    const after = await oauth.introspectToken(tokens.accessToken);
    assert.equal(after.active, false);
    // A revoked token no longer opens the user API.
    const { oauth: o2, user } = newUser();
    o2.setTokens({ accessToken: tokens.accessToken });
    await assert.rejects(user.getUserProfile(), apiError(401, 'unauthorized'));
  });

  test('introspectToken of garbage is {active:false}', async () => {
    const info = await newOAuth().introspectToken('cto_at_v1_garbage');
    assert.deepEqual(info.active, false);
  });

  test('revokeToken of an unknown token succeeds (RFC 7009)', async () => {
    await newOAuth().revokeToken('cto_at_v1_unknown');
  });

  test('revokeToken(refresh, "refresh_token") stops the refresh token', async () => {
    const { oauth, tokens } = await freshTokens();
    await oauth.revokeToken(tokens.refreshToken, 'refresh_token');
    await assert.rejects(oauth.refreshAccessToken(tokens.refreshToken), oauthFailure('refresh token', [400]));
  });

  test('getUserInfo returns sub, email, name', async () => {
    const { oauth, tokens } = await freshTokens();
    const info = await oauth.getUserInfo();
    assert.equal(info.sub, USER_UUID);
    assert.equal(info.email, USER_EMAIL);
    assert.equal(info.name, USER_NAME);
    const again = await newOAuth().getUserInfo(tokens.accessToken);
    assert.equal(again.sub, info.sub);
  });

  test('getUserInfo with a bogus token fails with 401', async () => {
    await assert.rejects(newOAuth().getUserInfo('cto_at_v1_bogus'), oauthFailure('get user info', [401]));
  });

  test('getAvailableScopes lists meetings:read', async () => {
    const scopes = await newOAuth().getAvailableScopes();
    assert.ok(Array.isArray(scopes), `scopes: ${JSON.stringify(scopes)}`);
    for (const s of DEFAULT_SCOPES) assert.ok(scopes.includes(s), `scopes lack ${s}: ${scopes}`);
    for (const s of scopes) assert.equal(typeof s, 'string');
  });

  test('getAvailableScopes with a wrong secret fails with 401', async () => {
    const bad = new OAuthClient({ ...oauthConfig(), clientSecret: 'wrong-secret' });
    await assert.rejects(bad.getAvailableScopes(), oauthFailure('get available scopes', [401]));
  });
});

describe('OAuth consent and partner info', () => {
  before(async () => {
    // Make sure the main user has approved the app at least once (independent of test order).
    await authorizeCode();
  });

  test('checkConsent is true for the user who approved', async () => {
    const res = await newOAuth().checkConsent(USER_EMAIL);
    assert.equal(res.has_consent, true, JSON.stringify(res));
    assert.equal(res.requires_consent, false, JSON.stringify(res));
  });

  test('checkConsent is false for a user who never approved', async () => {
    const res = await newOAuth().checkConsent(OTHER_EMAIL);
    assert.equal(res.has_consent, false, JSON.stringify(res));
    assert.equal(res.requires_consent, true, JSON.stringify(res));
  });

  test('getPartnerInfo returns client_id and name without auth', async () => {
    const info = await newOAuth().getPartnerInfo();
    assert.equal(info.client_id, CLIENT_ID);
    assert.equal(info.name, APP_NAME);
  });

  test('getPartnerInfo for an unknown client fails with 404', async () => {
    const o = new OAuthClient({ ...oauthConfig(), clientId: 'no-such-client' });
    await assert.rejects(o.getPartnerInfo(), oauthFailure('get partner info', [404]));
  });
});

describe('Partner OTP authentication (/auth/initiate, /auth/verify)', () => {
  test('initiate mails a 6-digit code; a wrong code fails; the right one returns tokens', async () => {
    const oauth = newOAuth();
    const seen = readMailLines().filter((m) => mailIsFor(m, USER_EMAIL)).length;
    const init = await oauth.initiatePartnerAuth(USER_EMAIL);
    assert.equal(typeof init.session, 'string');
    assert.ok(init.session.length > 0, 'session must be non-empty');
    assert.equal(typeof init.challenge_name, 'string');
    assert.ok(init.challenge_name.length > 0, 'challenge_name must be non-empty');
    const mail = await waitForMail(USER_EMAIL, seen);
    assert.equal(typeof mail.subject, 'string');
    assert.equal(typeof mail.body, 'string');
    const m = /(?<!\d)(\d{6})(?!\d)/.exec(mail.body);
    assert.ok(m, `no 6-digit code in mail body: ${mail.body}`);
    const code = m[1];
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    await assert.rejects(oauth.verifyPartnerAuth(USER_EMAIL, wrong, init.session), oauthFailure('verify partner authentication', [400, 401]));
    const res = await oauth.verifyPartnerAuth(USER_EMAIL, code, init.session);
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(typeof res.access_token, 'string');
    assert.ok(res.access_token.startsWith('cto_at_v1_'), `access_token: ${res.access_token}`);
    assert.equal(typeof res.refresh_token, 'string');
    assert.ok(res.refresh_token.startsWith('cto_rt_v1_'), `refresh_token: ${res.refresh_token}`);
    assert.ok(Number(res.expires_in) > 0, `expires_in: ${res.expires_in}`);
    // The OTP is single use.
    await assert.rejects(oauth.verifyPartnerAuth(USER_EMAIL, code, init.session), oauthFailure('verify partner authentication', [400, 401]));
    // The token from verify opens the user API as that user.
    const { oauth: o2, user } = newUser();
    o2.setTokens({ accessToken: res.access_token, refreshToken: res.refresh_token });
    const profile = await user.getUserProfile();
    assert.equal(profile.email, USER_EMAIL);
  });
});

describe('Partner OTP initiate: workspace_id handling (§2.4)', () => {
  test('initiatePartnerAuth with the user\'s own workspace_id succeeds', async () => {
    const init = await newOAuth().initiatePartnerAuth(USER_EMAIL, undefined, { workspace_id: ORG_UUID });
    assert.equal(typeof init.session, 'string');
    assert.ok(init.session.length > 0);
  });

  test('initiatePartnerAuth with a malformed workspace_id fails with 400', async () => {
    await assert.rejects(
      newOAuth().initiatePartnerAuth(USER_EMAIL, undefined, { workspace_id: 'not-a-uuid' }),
      oauthFailure('initiate partner authentication', [400]),
    );
  });

  test('initiatePartnerAuth with an unknown workspace_id fails with 404', async () => {
    await assert.rejects(
      newOAuth().initiatePartnerAuth(USER_EMAIL, undefined, { workspace_id: '00000000-0000-4000-8000-000000000000' }),
      oauthFailure('initiate partner authentication', [404]),
    );
  });
});

describe('User API through PartnerUserClient', () => {
  function assertProfile(p) {
    assert.equal(p.id, USER_UUID);
    assert.equal(p.display_name, USER_NAME);
    assert.equal(p.email, USER_EMAIL);
    assert.equal(p.workspace_id, ORG_UUID);
    assert.equal(p.workspace_name, ORG_NAME);
    assert.ok(WORKSPACE_ROLES.includes(p.workspace_role), `workspace_role: ${p.workspace_role}`);
    assert.equal(typeof p.created_at, 'string');
    assert.ok(!Number.isNaN(Date.parse(p.created_at)), `created_at: ${p.created_at}`);
  }

  test('getUserProfile with the CLI-minted token (setTokens)', async () => {
    const { oauth, user } = newUser();
    oauth.setTokens({ accessToken: CLI_ACCESS_TOKEN, refreshToken: CLI_REFRESH_TOKEN });
    assert.ok(user instanceof PartnerUserClient);
    assertProfile(await user.getUserProfile());
  });

  test('getUserProfile with the token from exchangeCodeForToken', async () => {
    const { oauth, user } = newUser();
    const code = await authorizeCode(oauth);
    await oauth.exchangeCodeForToken(code);
    assertProfile(await user.getUserProfile());
  });

  test('getUserProfile with a trailing-slash baseURL (//v1/partner/...) still works', async () => {
    const { oauth, user } = newUser(`${BASE}/`);
    oauth.setTokens({ accessToken: CLI_ACCESS_TOKEN, refreshToken: CLI_REFRESH_TOKEN });
    assertProfile(await user.getUserProfile());
  });

  test('getUserProfile with a bogus token is ContioAPIError 401 unauthorized', async () => {
    const { oauth, user } = newUser();
    oauth.setTokens({ accessToken: 'cto_at_v1_bogus' });
    await assert.rejects(user.getUserProfile(), apiError(401, 'unauthorized'));
  });

  test('X-Client-Timezone re-zones timestamps; without it they are UTC (§1.8)', async () => {
    const { oauth, user } = newUser();
    oauth.setTokens({ accessToken: CLI_ACCESS_TOKEN });
    const utc = await user.getUserProfile();
    assert.match(utc.created_at, /Z$/, `no timezone => UTC: ${utc.created_at}`);
    const ny = await user.getUserProfile({ timezone: 'America/New_York' });
    assert.match(ny.created_at, /[-]0[45]:00$/, `America/New_York offset: ${ny.created_at}`);
    assert.equal(Date.parse(ny.created_at), Date.parse(utc.created_at), 'same instant');
    const est = await user.getUserProfile({ timezone: 'EST' });
    assert.match(est.created_at, /-05:00$/, `EST offset: ${est.created_at}`);
    assert.equal(Date.parse(est.created_at), Date.parse(utc.created_at), 'same instant');
  });

  test('an expired token is refreshed by the SDK before the call (§2.3)', async () => {
    const { oauth, user } = newUser();
    const code = await authorizeCode(oauth);
    const t = await oauth.exchangeCodeForToken(code);
    oauth.setTokens({ ...t, expiresAt: new Date(Date.now() - 1000) });
    assertProfile(await user.getUserProfile());
    assert.notEqual(oauth.getAccessToken(), t.accessToken, 'the SDK should have refreshed');
    assert.ok(oauth.getAccessToken().startsWith('cto_at_v1_'));
  });

  test('ensureValidToken refreshes an expired token, and leaves a live one alone', async () => {
    const { oauth, user } = newUser();
    const code = await authorizeCode(oauth);
    const t = await oauth.exchangeCodeForToken(code);
    oauth.setTokens({ ...t, expiresAt: new Date(Date.now() - 1000) });
    await user.ensureValidToken();
    const refreshed = oauth.getAccessToken();
    assert.notEqual(refreshed, t.accessToken, 'ensureValidToken should have refreshed');
    await user.ensureValidToken();
    assert.equal(oauth.getAccessToken(), refreshed, 'a live token is kept');
    assertProfile(await user.getUserProfile());
  });
});

describe('Admin API through PartnerAdminClient (API key)', () => {
  test('getApp returns this app', async () => {
    const admin = newAdmin();
    assert.ok(admin instanceof PartnerAdminClient);
    const app = await admin.getApp();
    assert.equal(app.client_id, CLIENT_ID);
    assert.equal(app.name, APP_NAME);
    assert.equal(typeof app.id, 'string');
    assert.equal(typeof app.webhook_enabled, 'boolean');
    assert.ok('webhook_filter' in app, 'webhook_filter must be present (object or null)');
  });

  test('getApp with X-Client-ID (forAdmin with clientId) works', async () => {
    const app = await newAdmin({ clientId: CLIENT_ID }).getApp();
    assert.equal(app.client_id, CLIENT_ID);
  });

  test('getApp with a mismatched X-Client-ID is rejected (§2.6)', async () => {
    await assert.rejects(newAdmin({ clientId: 'someone-else' }).getApp(), (err) => {
      assert.ok(err instanceof ContioAPIError, String(err));
      const ok = (err.statusCode === 401 && err.code === 'unauthorized') || (err.statusCode === 403 && err.code === 'forbidden');
      assert.ok(ok, `got ${err.statusCode} ${err.code}`);
      return true;
    });
  });

  test('updateApp changes the description', async () => {
    const admin = newAdmin();
    const description = `conformance run ${Date.now()}`;
    const app = await admin.updateApp({ description });
    assert.equal(app.description, description);
    assert.equal(app.name, APP_NAME, 'a partial update must not touch name');
    assert.equal((await admin.getApp()).description, description);
  });

  test('updateApp with an over-long description is 400', async () => {
    const admin = newAdmin();
    await assert.rejects(admin.updateApp({ description: 'x'.repeat(1001) }), (err) => {
      assert.ok(err instanceof ContioAPIError);
      assert.equal(err.statusCode, 400);
      assert.ok(['invalid_request', 'invalid_request_body', 'validation_error'].includes(err.code), err.code);
      return true;
    });
  });

  test('updateAppStatus(active) keeps the app usable', async () => {
    const admin = newAdmin();
    const app = await admin.updateAppStatus({ status: 'active' });
    assert.equal(app.status, 'active');
    assert.equal((await admin.getApp()).status, 'active');
  });

  test('updateAppStatus with an unknown status is 400', async () => {
    await assert.rejects(newAdmin().updateAppStatus({ status: 'bogus' }), (err) => {
      assert.ok(err instanceof ContioAPIError);
      assert.equal(err.statusCode, 400);
      assert.ok(['invalid_status', 'invalid_request_body', 'validation_error'].includes(err.code), err.code);
      return true;
    });
  });

  test('updateWebhookStatus({enabled:false})', async () => {
    const admin = newAdmin();
    const app = await admin.updateWebhookStatus({ enabled: false });
    assert.equal(app.webhook_enabled, false);
    assert.equal(app.client_id, CLIENT_ID);
    assert.equal((await admin.getApp()).webhook_enabled, false);
  });

  test('setWebhookFilter echoes the filter; removeWebhookFilter clears it', async () => {
    const admin = newAdmin();
    const app = await admin.setWebhookFilter({ type: 'include', events: ['meeting.created'] });
    assert.deepEqual(app.webhook_filter, { type: 'include', events: ['meeting.created'] });
    assert.deepEqual((await admin.getApp()).webhook_filter, { type: 'include', events: ['meeting.created'] });
    const removed = await admin.removeWebhookFilter();
    assert.equal(typeof removed, 'object', `removeWebhookFilter must return the app (got ${JSON.stringify(removed)})`);
    assert.equal(removed.client_id, CLIENT_ID);
    assert.ok('webhook_filter' in removed, 'webhook_filter must be present');
    assert.equal(removed.webhook_filter, null);
    assert.equal((await admin.getApp()).webhook_filter, null);
  });

  test('setWebhookFilter with an invalid event is 400 validation_error with valid_event_types', async () => {
    const admin = newAdmin();
    await assert.rejects(
      admin.setWebhookFilter({ type: 'include', events: ['meeting.created', 'not.a.real.event'] }),
      (err) => {
        apiError(400, 'validation_error')(err);
        assert.ok(Array.isArray(err.response.valid_event_types), 'valid_event_types must be an array');
        assert.ok(err.response.valid_event_types.includes('meeting.created'));
        assert.ok(!err.response.valid_event_types.includes('not.a.real.event'));
        return true;
      },
    );
  });

  test('setWebhookFilter with an invalid type is 400', async () => {
    await assert.rejects(newAdmin().setWebhookFilter({ type: 'sometimes', events: ['meeting.created'] }), (err) => {
      assert.ok(err instanceof ContioAPIError);
      assert.equal(err.statusCode, 400);
      assert.ok(['validation_error', 'invalid_request_body'].includes(err.code), err.code);
      return true;
    });
  });

  test('updateApp webhook_url sets it and null clears it', async () => {
    const admin = newAdmin();
    const url = 'https://hooks.conformance.example/quorum';
    assert.equal((await admin.updateApp({ webhook_url: url })).webhook_url, url);
    assert.equal((await admin.getApp()).webhook_url, url);
    const cleared = await admin.updateApp({ webhook_url: null });
    assert.ok(cleared.webhook_url === null || cleared.webhook_url === undefined || cleared.webhook_url === '', `webhook_url: ${cleared.webhook_url}`);
  });

  test('updateWebhookStatus re-enables with pending_disposition', async () => {
    const admin = newAdmin();
    assert.equal((await admin.updateWebhookStatus({ enabled: false })).webhook_enabled, false);
    assert.equal((await admin.updateWebhookStatus({ enabled: true, pending_disposition: 'abandon' })).webhook_enabled, true);
    assert.equal((await admin.getApp()).webhook_enabled, true);
    assert.equal((await admin.updateWebhookStatus({ enabled: false })).webhook_enabled, false);
  });

  test('PUT through a trailing-slash baseURL (//v1/partner/admin/app) is not redirected', async () => {
    const admin = ContioPartnerSDK.forAdmin({ apiKey: API_KEY, baseURL: `${BASE}/`, timeout: HTTP_TIMEOUT_MS }).admin;
    const description = `slash ${Date.now()}`;
    const app = await admin.updateApp({ description });
    assert.equal(app.description, description);
    assert.equal((await newAdmin().getApp()).description, description);
  });

  test('OpenAPI aliases /webhook-status and /webhook-filter are served (§3.2.1)', async () => {
    let r = await rawAdmin('PUT', '/webhook-status', { enabled: false });
    assert.equal(r.res.status, 200, r.text);
    assert.equal(r.json.webhook_enabled, false);
    r = await rawAdmin('PUT', '/webhook-filter', { type: 'exclude', events: ['meeting.updated'] });
    assert.equal(r.res.status, 200, r.text);
    assert.deepEqual(r.json.webhook_filter, { type: 'exclude', events: ['meeting.updated'] });
    r = await rawAdmin('DELETE', '/webhook-filter');
    assert.equal(r.res.status, 200, r.text);
    assert.equal(r.json.webhook_filter, null);
  });

  test('a bad API key is ContioAPIError 401 unauthorized', async () => {
    const admin = ContioPartnerSDK.forAdmin({ apiKey: 'not-a-key', baseURL: BASE, timeout: HTTP_TIMEOUT_MS }).admin;
    await assert.rejects(admin.getApp(), apiError(401, 'unauthorized'));
  });

  test('new ContioPartnerSDK({oauth, apiKey}) sends X-Client-ID from oauth.clientId and works', async () => {
    const s = new ContioPartnerSDK({
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI },
      apiKey: API_KEY,
      baseURL: BASE,
      timeout: HTTP_TIMEOUT_MS,
    });
    assert.ok(s.apiKey instanceof ApiKeyClient);
    assert.equal(s.apiKey.getHeaders()['X-Client-ID'], CLIENT_ID);
    const app = await s.admin.getApp();
    assert.equal(app.client_id, CLIENT_ID);
  });
});
