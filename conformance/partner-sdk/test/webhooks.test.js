'use strict';
// Webhook deliveries from a live `quorum serve`, checked by the real @contio/partner-sdk 1.9.0: its
// raw-body verifier, its parser, its event handler and its Express middleware (which re-serializes
// a parsed body before verifying, §5.1), plus the admin delivery endpoints A12-A14 (§3.2.3).
// run.sh provisions a separate organization and app for this file, so that the settings the other
// tests change on their app cannot filter or pause these deliveries.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const sdk = require('@contio/partner-sdk');
const { ContioPartnerSDK, WebhookVerifier, WebhookEventHandler, verifyWebhookSignature, parseWebhook, createWebhookMiddleware } = sdk;

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const API_KEY = env('PSDK_WH_API_KEY');
const CLIENT_ID = env('PSDK_WH_CLIENT_ID');
const CLOUD_API_KEY = env('PSDK_WH_CLOUD_API_KEY');
const SECRET = env('PSDK_WH_SECRET');
const ORG_UUID = env('PSDK_WH_ORG_UUID');

// Characters that a careless encoder escapes differently from JSON.stringify: HTML-significant
// ASCII, non-ASCII letters, an emoji and the line separator U+2028.
const TITLE = 'Webhook <b>R&D</b> "quoted" ünïcødé 🚀 line\u2028sep';

const admin = () => ContioPartnerSDK.forAdmin({ apiKey: API_KEY, clientId: CLIENT_ID, baseURL: BASE, timeout: 15000 }).admin;

// The receiver: keeps every request's headers and exact body bytes, answers 200.
const received = [];
let server;
let hookURL;

async function waitFor(what, cond, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A minimal Express-style response, enough for the middleware's error path.
function fakeRes() {
  const res = { statusCode: 200, body: undefined };
  res.status = (c) => { res.statusCode = c; return res; };
  res.json = (b) => { res.body = b; return res; };
  return res;
}

function runMiddleware(mw, req) {
  const res = fakeRes();
  let nexted = false;
  mw(req, res, () => { nexted = true; });
  return { res, nexted };
}

describe('webhooks (§5) verified by the SDK', () => {
  let delivery; // { headers, raw: Buffer }
  let meetingId;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"received":true}');
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    hookURL = `http://127.0.0.1:${server.address().port}/hooks`;

    const app = await admin().updateApp({ webhook_url: hookURL });
    assert.equal(app.webhook_url, hookURL);
    assert.equal(app.webhook_enabled, true);

    // A Cloud import (plain fetch: the Cloud API is not the SDK's) causes meeting.created.
    let r = await fetch(`${BASE}/cloud/v1/cloud-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CLOUD_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'conformance-end-user' }),
    });
    assert.ok(r.status === 200 || r.status === 201, await r.clone().text());
    const { cloudToken } = await r.json();
    r = await fetch(`${BASE}/cloud/v1/meetings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cloudToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: TITLE, segments: [{ speaker: 'Ana', text: 'Hello webhooks.' }] }),
    });
    assert.ok(r.status === 200 || r.status === 201, await r.clone().text());
    meetingId = (await r.json()).id;

    delivery = await waitFor('the meeting.created delivery', () =>
      received.find((d) => JSON.parse(d.raw.toString('utf8')).event_type === 'meeting.created'));
  });

  after(() => new Promise((r) => server.close(r)));

  test('the delivery is a signed POST of compact JSON to webhook_url', () => {
    assert.equal(delivery.url, '/hooks');
    assert.match(delivery.headers['content-type'], /^application\/json/);
    assert.match(delivery.headers['x-contio-signature'], /^sha256=[0-9a-f]{64}$/);
    const text = delivery.raw.toString('utf8');
    assert.ok(!text.endsWith('\n'), 'no trailing newline');
    assert.equal(text, JSON.stringify(JSON.parse(text)), 'the body is exactly what JSON.stringify writes');
  });

  test('verifyWebhookSignature and WebhookVerifier accept the raw body', () => {
    const sig = delivery.headers['x-contio-signature'];
    assert.equal(verifyWebhookSignature(delivery.raw, sig, SECRET), true);
    assert.equal(verifyWebhookSignature(delivery.raw.toString('utf8'), sig, SECRET), true);
    assert.deepEqual(new WebhookVerifier(SECRET).verifySignature(delivery.raw, sig), { isValid: true });
    assert.equal(verifyWebhookSignature(delivery.raw, sig, SECRET + 'x'), false, 'a wrong secret must fail');
  });

  test('parseWebhook returns the envelope of §5.2 with the meeting.created data of §5.3', async () => {
    const ev = parseWebhook(delivery.raw.toString('utf8'), delivery.headers['x-contio-signature'], SECRET);
    assert.deepEqual(Object.keys(ev).slice(0, 5), ['event_type', 'event_id', 'timestamp', 'partner_app_id', 'data']);
    assert.equal(ev.event_type, 'meeting.created');
    assert.match(ev.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(ev.timestamp)), `timestamp ${ev.timestamp}`);
    assert.equal(ev.partner_app_id, (await admin().getApp()).id);
    assert.equal(ev.data.meeting_id, meetingId);
    assert.equal(ev.data.title, TITLE);
    assert.equal(ev.data.workspace_id, ORG_UUID);
    assert.equal(ev.data.created_by_user_id, 'conformance-end-user');
    assert.ok(!Number.isNaN(Date.parse(ev.data.created_at)));
  });

  test('WebhookEventHandler dispatches the verified event', async () => {
    const seen = [];
    const handler = new WebhookEventHandler(SECRET).on('meeting.created', (e) => seen.push(e.event_id)).onAny((e) => seen.push('any'));
    await handler.handle(delivery.raw.toString('utf8'), delivery.headers['x-contio-signature']);
    const ev = JSON.parse(delivery.raw.toString('utf8'));
    assert.deepEqual(seen, ['any', ev.event_id]);
  });

  test('createWebhookMiddleware accepts the raw body and a parsed (re-serialized) body', () => {
    const mw = createWebhookMiddleware({ secret: SECRET });
    const headers = { 'x-contio-signature': delivery.headers['x-contio-signature'] };

    const rawReq = { headers, body: delivery.raw };
    let out = runMiddleware(mw, rawReq);
    assert.equal(out.nexted, true, `raw body refused: ${JSON.stringify(out.res.body)}`);
    assert.equal(rawReq.webhookEvent.data.title, TITLE);

    // What express.json() leaves behind: the middleware JSON.stringify()s it again.
    const parsedReq = { headers, body: JSON.parse(delivery.raw.toString('utf8')) };
    out = runMiddleware(mw, parsedReq);
    assert.equal(out.nexted, true, `re-serialized body refused: ${JSON.stringify(out.res.body)}`);
    assert.equal(parsedReq.webhookVerification.isValid, true);
    assert.equal(parsedReq.webhookEvent.event_type, 'meeting.created');

    const tampered = JSON.parse(delivery.raw.toString('utf8'));
    tampered.data.title += '!';
    out = runMiddleware(mw, { headers, body: tampered });
    assert.equal(out.nexted, false);
    assert.equal(out.res.statusCode, 401);
  });

  test('getWebhookDeliveries lists it under `deliveries`; getWebhookDelivery and retryWebhookDelivery (§3.2.3)', async () => {
    const ev = JSON.parse(delivery.raw.toString('utf8'));
    const a = admin();
    const list = await waitFor('a delivered delivery', async () => {
      const l = await a.getWebhookDeliveries({ event_type: 'meeting.created', status: 'delivered', limit: 10 });
      return l.deliveries.length > 0 ? l : null;
    });
    assert.equal(list.total, 1);
    assert.equal(list.limit, 10);
    assert.equal(list.offset, 0);
    const d = list.deliveries[0];
    assert.equal(d.event_id, ev.event_id);
    assert.equal(d.partner_app_id, ev.partner_app_id);
    assert.equal(d.event_type, 'meeting.created');
    assert.equal(d.delivery_status, 'delivered');
    assert.equal(d.http_status_code, 200);
    assert.equal(d.retry_count, 0);
    assert.equal(d.error_message, '');
    assert.ok(d.created_at && d.delivered_at);

    const one = await a.getWebhookDelivery(d.id);
    assert.deepEqual(one, d);

    const retry = await a.retryWebhookDelivery(d.id);
    assert.equal(retry.delivery_id, d.id);
    assert.equal(retry.retry_scheduled, false, 'a delivered delivery is not sent again');
    assert.equal(typeof retry.message, 'string');
    assert.equal(retry.retry_count, 0);

    await assert.rejects(a.getWebhookDelivery('00000000-0000-0000-0000-000000000000'), (err) => err.statusCode === 404);
  });
});
