'use strict';
// The admin calls of automations (A7-A11), user connections (A15-A17) and credentials (A18-A23)
// through the real @contio/partner-sdk 1.9.0, each with its real effect: automations fire on a
// Cloud import and call a local receiver, a revoked connection's token stops, rotated keys and
// secrets work (and old ones keep working during their grace period), rollbacks restore once.
// run.sh provisions a separate organization, user and app for this file, since it rotates the
// app's credentials and revokes its user's connection. Spec references are to
// shared/spec/contio-partner-api.md.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const sdk = require('@contio/partner-sdk');
const { ContioPartnerSDK, OAuthClient, ContioAPIError, verifyWebhookSignature } = sdk;

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const ORG_UUID = env('PSDK_ADM_ORG_UUID');
const USER_UUID = env('PSDK_ADM_USER_UUID');
const USER_EMAIL = env('PSDK_ADM_USER_EMAIL');
const CLIENT_ID = env('PSDK_ADM_CLIENT_ID');
const CLIENT_SECRET = env('PSDK_ADM_CLIENT_SECRET');
const API_KEY = env('PSDK_ADM_API_KEY');
const CLOUD_API_KEY = env('PSDK_ADM_CLOUD_API_KEY');
const WEBHOOK_SECRET = env('PSDK_ADM_SECRET');
const ACCESS_TOKEN = env('PSDK_ADM_ACCESS_TOKEN');
const REDIRECT_URI = env('PSDK_REDIRECT_URI');

const adminWith = (apiKey) => ContioPartnerSDK.forAdmin({ apiKey, clientId: CLIENT_ID, baseURL: BASE, timeout: 15000 }).admin;
let admin = adminWith(API_KEY); // the key in force; the credential tests rotate and restore it

const oauthWith = (clientSecret) => new OAuthClient({
  clientId: CLIENT_ID, clientSecret, redirectUri: REDIRECT_URI,
  authorizationUrl: `${BASE}/oauth2/authorize`, tokenUrl: `${BASE}/oauth2/token`,
});

function apiError(statusCode, code) {
  return (err) => {
    assert.ok(err instanceof ContioAPIError, `expected ContioAPIError, got ${err && err.name}: ${err && err.message}`);
    assert.equal(err.statusCode, statusCode, `statusCode (body ${JSON.stringify(err.response)})`);
    if (code) assert.equal(err.code, code, `code (body ${JSON.stringify(err.response)})`);
    assert.equal(typeof err.response.error, 'string');
    return true;
  };
}

async function waitFor(what, cond, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isTime(s) {
  return typeof s === 'string' && !Number.isNaN(Date.parse(s));
}

// The receiver takes both the app's webhook deliveries (/hooks) and the automations' calls (/auto).
const received = [];
let server;
let hooksURL;
let autoURL;

const ofPath = (path) => received.filter((r) => r.url === path);
const webhooksOfType = (type) => ofPath('/hooks').filter((r) => r.json.event_type === type);

async function cloudImport(title, segments) {
  let r = await fetch(`${BASE}/cloud/v1/cloud-token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${CLOUD_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'conformance-admin-end-user' }),
  });
  assert.ok(r.status === 200 || r.status === 201, await r.clone().text());
  const { cloudToken } = await r.json();
  r = await fetch(`${BASE}/cloud/v1/meetings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${cloudToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, segments }),
  });
  assert.ok(r.status === 200 || r.status === 201, await r.clone().text());
  return r.json();
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json = null;
      try { json = JSON.parse(raw.toString('utf8')); } catch { /* kept raw */ }
      received.push({ url: req.url, headers: req.headers, raw, json });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  hooksURL = `${base}/hooks`;
  autoURL = `${base}/auto`;
  const app = await admin.updateApp({ webhook_url: hooksURL });
  assert.equal(app.webhook_url, hooksURL);
});

after(() => new Promise((r) => server.close(r)));

describe('automations (§3.2.2, A7-A11)', () => {
  let summaryAuto;
  let matchAuto;
  let meeting;

  test('createAutomation answers the Automation, keeping any JSON object as config', async () => {
    summaryAuto = await admin.createAutomation({
      name: 'Summaries to the CRM',
      description: 'posts each meeting summary',
      trigger_type: 'meeting_summary_ready',
      actions: [{ type: 'webhook', config: { url: autoURL, mapping: { notes: 'summary', tags: ['a', 1] } } }],
    });
    assert.match(summaryAuto.id, /^[0-9a-f-]{36}$/);
    assert.equal(summaryAuto.name, 'Summaries to the CRM');
    assert.equal(summaryAuto.description, 'posts each meeting summary');
    assert.equal(summaryAuto.trigger_type, 'meeting_summary_ready');
    assert.equal(summaryAuto.status, 'active');
    assert.deepEqual(summaryAuto.actions[0].config.mapping, { notes: 'summary', tags: ['a', 1] });
    assert.ok(isTime(summaryAuto.created_at) && isTime(summaryAuto.updated_at));
    const app = await admin.getApp();
    assert.equal(summaryAuto.partner_app_id, app.id);

    matchAuto = await admin.createAutomation({
      name: 'Deck follow-ups',
      trigger_type: 'action_item_match',
      actions: [
        { type: 'phrase_match', config: { phrases: ['send the deck'] } },
        { type: 'assign_action_item', config: { owner: 'Priya' } },
      ],
    });
    assert.equal(matchAuto.status, 'active');
  });

  test('createAutomation refuses an unknown trigger with 400 validation_error', async () => {
    await assert.rejects(admin.createAutomation({ name: 'x', trigger_type: 'meeting_exploded', actions: [{ type: 'webhook', config: { url: autoURL } }] }),
      apiError(400, 'validation_error'));
  });

  test('getAutomations lists them with an exact total; getAutomation reads one', async () => {
    const list = await admin.getAutomations();
    assert.equal(list.total, 2);
    assert.equal(list.limit, 50);
    assert.equal(list.offset, 0);
    assert.deepEqual(list.items.map((a) => a.id).sort(), [summaryAuto.id, matchAuto.id].sort());
    const page = await admin.getAutomations({ limit: 1, offset: 1 });
    assert.equal(page.items.length, 1);
    assert.equal(page.total, 2);
    const one = await admin.getAutomation(matchAuto.id);
    assert.deepEqual(one.actions, matchAuto.actions);
    await assert.rejects(admin.getAutomation('nonexistent'), apiError(404, 'not_found'));
  });

  test('a Cloud import fires both automations: a webhook call and an assigned action item', async () => {
    meeting = await cloudImport('Conformance sales sync', [
      { speaker: 'Ann', text: 'Thanks for joining the sales sync.' },
      { speaker: 'Raj', text: 'I will send the deck to Acme tomorrow.' },
    ]);
    const call = await waitFor('the summary automation call', () => ofPath('/auto')[0]);
    assert.equal(call.json.automation_id, summaryAuto.id);
    assert.equal(call.json.trigger_type, 'meeting_summary_ready');
    assert.equal(call.json.meeting_id, meeting.id);
    assert.equal(call.json.workspace_id, ORG_UUID);
    assert.ok(call.headers['idempotency-key']);

    const asg = await waitFor('automation.assignment.created', () => webhooksOfType('automation.assignment.created')[0]);
    assert.equal(verifyWebhookSignature(asg.raw, asg.headers['x-contio-signature'], WEBHOOK_SECRET), true);
    const d = asg.json.data;
    assert.equal(d.automation_id, matchAuto.id);
    assert.equal(d.automation_name, 'Deck follow-ups');
    assert.equal(d.meeting_id, meeting.id);
    assert.equal(d.workspace_id, ORG_UUID);
    assert.match(d.action_item_id, /^[0-9a-f-]{36}$/);
    assert.match(d.assignment_id, /^[0-9a-f-]{36}$/);
    assert.ok(isTime(d.created_at));
    assert.ok(!received.some((r) => r.url === '/hooks' && String(r.json.event_type).startsWith('internal.')),
      'internal events never reach the webhook');
  });

  test('updateAutomation keeps status and is_active consistent', async () => {
    let a = await admin.updateAutomation(matchAuto.id, { is_active: false });
    assert.equal(a.status, 'inactive');
    a = await admin.updateAutomation(matchAuto.id, { status: 'active', name: 'Deck follow-ups v2' });
    assert.equal(a.status, 'active');
    assert.equal(a.name, 'Deck follow-ups v2');
    await assert.rejects(admin.updateAutomation(matchAuto.id, { status: 'active', is_active: false }), apiError(400, 'validation_error'));
    await assert.rejects(admin.updateAutomation('nonexistent', { name: 'x' }), apiError(404, 'not_found'));
  });

  test('deleteAutomation removes it (204); the OpenAPI alias /automation agrees', async () => {
    await admin.deleteAutomation(matchAuto.id);
    await assert.rejects(admin.getAutomation(matchAuto.id), apiError(404, 'not_found'));
    const r = await fetch(`${BASE}/v1/partner/admin/automation/${summaryAuto.id}`, { headers: { 'X-API-Key': API_KEY } });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).id, summaryAuto.id);
    await admin.deleteAutomation(summaryAuto.id);
    assert.equal((await admin.getAutomations()).total, 0);
  });
});

describe('credentials (§3.2.5, A18-A23)', () => {
  test('getCredentialStatus describes the three credentials', async () => {
    const st = await admin.getCredentialStatus();
    for (const type of ['api_key', 'webhook_secret', 'client_secret']) {
      assert.equal(st[type].credential_type, type);
      assert.equal(st[type].status, 'active');
      assert.ok(isTime(st[type].created_at));
      assert.equal(st[type].age_days, 0);
      assert.equal(st[type].recommended_action, 'ok');
    }
  });

  test('rotateAPIKey: both keys work in the grace period; a rollback restores the old key once', async () => {
    await assert.rejects(admin.rotateAPIKey({ confirmation_token: '' }), apiError(400, 'bad_request'));
    const r = await admin.rotateAPIKey({ confirmation_token: 'confirm-rotation-12345', reason: 'conformance', grace_period_hours: 1 });
    assert.equal(r.credential_type, 'api_key');
    assert.notEqual(r.new_credential, API_KEY);
    assert.ok(isTime(r.grace_period_ends_at));
    assert.ok(isTime(r.rollback_expires_at));
    assert.ok(r.rollback_token);
    const fresh = adminWith(r.new_credential);
    assert.equal((await fresh.getApp()).client_id, CLIENT_ID);
    assert.equal((await admin.getApp()).client_id, CLIENT_ID, 'the old key works during the grace period');
    const st = await fresh.getCredentialStatus();
    assert.equal(st.api_key.status, 'pending_rotation');
    assert.ok(isTime(st.api_key.grace_period_ends_at));

    await fresh.rollbackCredential('api-key', { rollback_token: r.rollback_token });
    await assert.rejects(fresh.getApp(), apiError(401, 'unauthorized'));
    assert.equal((await admin.getApp()).client_id, CLIENT_ID);
    await assert.rejects(admin.rollbackCredential('api-key', { rollback_token: r.rollback_token }), apiError(400, 'bad_request'));
  });

  test('rotateClientSecret: old and new secrets mint tokens; rollbackCredential(client-secret)', async () => {
    const r = await admin.rotateClientSecret({ confirmation_token: 'confirm', grace_period_hours: 2 });
    assert.equal(r.credential_type, 'client_secret');
    for (const secret of [CLIENT_SECRET, r.new_credential]) {
      const t = await oauthWith(secret).getClientCredentialsToken();
      assert.match(t.accessToken, /^cto_at_v1_/);
    }
    await admin.rollbackCredential('client-secret', { rollback_token: r.rollback_token });
    await assert.rejects(oauthWith(r.new_credential).getClientCredentialsToken(), /Failed to .*status code 401/);
    assert.match((await oauthWith(CLIENT_SECRET).getClientCredentialsToken()).accessToken, /^cto_at_v1_/);
  });

  let newWebhookSecret;
  test('rotateWebhookSecret applies at once, with no grace period or rollback', async () => {
    const r = await admin.rotateWebhookSecret({ confirmation_token: 'confirm', grace_period_hours: 48 });
    assert.equal(r.credential_type, 'webhook_secret');
    assert.ok(r.new_credential && r.new_credential !== WEBHOOK_SECRET);
    assert.equal(r.rollback_token, undefined);
    assert.equal(r.grace_period_ends_at, undefined);
    newWebhookSecret = r.new_credential;
  });

  test('getCredentialHistory filters by credential_type and action', async () => {
    const all = await admin.getCredentialHistory();
    assert.equal(all.pagination.limit, 20);
    assert.equal(all.pagination.offset, 0);
    assert.equal(all.pagination.count, all.events.length);
    assert.equal(all.events.length, 5);
    const keys = await admin.getCredentialHistory({ credential_type: 'api_key' });
    assert.deepEqual(keys.events.map((e) => e.action), ['rollback', 'rotated']);
    const e = keys.events[1];
    assert.equal(e.credential_type, 'api_key');
    assert.equal(e.initiated_by, 'partner');
    assert.equal(e.reason, 'conformance');
    assert.equal(e.user_agent, '@contio/partner-sdk/1.9.0');
    assert.ok(isTime(e.created_at));
    assert.equal(e.partner_app_id, (await admin.getApp()).id);
    const rollbacks = await admin.getCredentialHistory({ action: 'rollback', limit: 1 });
    assert.equal(rollbacks.events.length, 1);
    assert.equal(rollbacks.pagination.count, 1);
  });

  describe('user connections (§3.2.4, A15-A17)', () => {
    let conn;
    test('getUserConnections lists the user who authorized the app; getUserConnection reads it', async () => {
      const list = await admin.getUserConnections({ user_id: USER_UUID, status: 'active' });
      assert.equal(list.total, 1);
      assert.equal(list.limit, 50);
      conn = list.items[0];
      assert.equal(conn.user_id, USER_UUID);
      assert.equal(conn.user_email, USER_EMAIL);
      assert.equal(conn.status, 'active');
      assert.ok(conn.oauth_scopes.includes('meetings:read'));
      assert.ok(isTime(conn.oauth_expires_at));
      assert.deepEqual(await admin.getUserConnection(conn.id), conn);
      await assert.rejects(admin.getUserConnection('nonexistent'), apiError(404, 'not_found'));
      await assert.rejects(admin.getUserConnections({ status: 'sleeping' }), apiError(400, 'invalid_query_parameters'));
    });

    test('revokeUserConnection stops the user\'s token at once and sends user.connection.revoked, signed with the new secret', async () => {
      const { oauth, user } = ContioPartnerSDK.forUser({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI,
        authorizationUrl: `${BASE}/oauth2/authorize`, tokenUrl: `${BASE}/oauth2/token`, baseURL: BASE, timeout: 15000 });
      oauth.setTokens({ accessToken: ACCESS_TOKEN });
      assert.equal((await user.getUserProfile()).id, USER_UUID);
      await admin.revokeUserConnection(conn.id);
      await assert.rejects(user.getUserProfile(), apiError(401, 'unauthorized'));
      assert.equal((await admin.getUserConnection(conn.id)).status, 'revoked');
      assert.equal((await admin.getUserConnections({ status: 'revoked' })).total, 1);

      const ev = await waitFor('user.connection.revoked', () => webhooksOfType('user.connection.revoked')[0]);
      assert.equal(ev.json.data.connection_id, conn.id);
      assert.ok(isTime(ev.json.data.revoked_at));
      const sig = ev.headers['x-contio-signature'];
      assert.equal(verifyWebhookSignature(ev.raw, sig, newWebhookSecret), true, 'signed with the rotated secret');
      assert.equal(verifyWebhookSignature(ev.raw, sig, WEBHOOK_SECRET), false, 'the old secret no longer signs');
    });
  });
});
