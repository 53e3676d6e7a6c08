'use strict';
// Context documents (U28-U32) and chat sessions (U33-U37) through the real, unmodified
// @contio/partner-sdk 1.9.0 against a live `quorum serve`, started and provisioned by ../run.sh.
// Spec references are to shared/spec/contio-partner-api.md.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { ContioPartnerSDK, ContioAPIError, verifyWebhookSignature, parseWebhook } = require('@contio/partner-sdk');

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const CLIENT_ID = env('PSDK_CLIENT_ID');
const CLIENT_SECRET = env('PSDK_CLIENT_SECRET');
const REDIRECT_URI = env('PSDK_REDIRECT_URI');
const ORG_UUID = env('PSDK_ORG_UUID');
const USER_UUID = env('PSDK_USER_UUID');
const CLOUD_API_KEY = env('PSDK_CLOUD_API_KEY');
const CONTENT_TOKEN = env('PSDK_CONTENT_ACCESS_TOKEN');
const OTHER_APP_TOKEN = env('PSDK_OTHER_APP_ACCESS_TOKEN');
// The other app's webhook receives its own documents' and sessions' events (test files run in
// parallel, and partner-sdk.test.js changes the main app's webhook settings).
const OTHER_APP_API_KEY = env('PSDK_OTHER_APP_API_KEY');
const OTHER_APP_SECRET = env('PSDK_OTHER_APP_WEBHOOK_SECRET');
const CLI_ACCESS_TOKEN = env('PSDK_CLI_ACCESS_TOKEN'); // default scopes only: no context:* or chat:*

// A user client of the SDK holding a given access token.
function userWith(token) {
  const { oauth, user } = ContioPartnerSDK.forUser({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    authorizationUrl: `${BASE}/oauth2/authorize`,
    tokenUrl: `${BASE}/oauth2/token`,
    baseURL: BASE,
    timeout: 15000,
  });
  oauth.setTokens({ accessToken: token });
  return user;
}

function apiError(statusCode, code) {
  return (err) => {
    assert.ok(err instanceof ContioAPIError, `expected ContioAPIError, got ${err && err.name}: ${err && err.message}`);
    assert.equal(err.statusCode, statusCode, `statusCode (body ${JSON.stringify(err.response)})`);
    if (code) assert.equal(err.code, code, `code (body ${JSON.stringify(err.response)})`);
    return true;
  };
}

// The user creates the meeting through the SDK (so they edit it), and its transcript arrives
// through the Cloud API of the same app and organization: a Partner meeting and a Cloud one are
// the same meeting.
async function importMeeting(title, segments) {
  const meeting = await user.createMeeting({ title });
  const tok = await fetch(`${BASE}/cloud/v1/cloud-token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${CLOUD_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'conformance-end-user' }),
  });
  assert.equal(tok.status, 201, await tok.clone().text());
  const { cloudToken } = await tok.json();
  const res = await fetch(`${BASE}/cloud/v1/meetings/${meeting.id}/transcript`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${cloudToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ segments }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return meeting.id;
}

// A one-page PDF showing `line`, with a binary comment line as real PDFs have.
function pdfBytes(line) {
  const content = `BT /F1 12 Tf 72 720 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const parts = [Buffer.from('%PDF-1.4\n'), Buffer.from([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a])];
  let len = parts[0].length + parts[1].length;
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(len);
    const b = Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`);
    parts.push(b);
    len += b.length;
  });
  let tail = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) tail += `${String(off).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${len}\n%%EOF\n`;
  parts.push(Buffer.from(tail));
  return Buffer.concat(parts);
}

async function until(what, fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not before the deadline`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const user = userWith(CONTENT_TOKEN);
const otherApp = userWith(OTHER_APP_TOKEN);
let meetingId;

before(async () => {
  meetingId = await importMeeting('Zephyr launch review', [
    { speaker: 'Ann', text: 'We agreed to ship the Zephyr release on Monday.' },
    { speaker: 'Raj', text: 'I will update the release notes before the launch.' },
  ]);
});

describe('context documents (U28-U32)', () => {
  let doc;
  const brief = Buffer.from('# Zephyr brief\n\nThe marketing budget for Zephyr is 40000 dollars. Ünïcode ✓\n');

  test('uploadMeetingContextDocument: multipart with file, source_format, title, context_type (201)', async () => {
    const file = new File([brief], 'Zephyr brief é.md', { type: 'text/markdown' });
    doc = await user.uploadMeetingContextDocument(meetingId, { file, source_format: 'md', title: 'Zephyr brief', context_type: 'agenda' });
    assert.equal(typeof doc.id, 'string');
    assert.equal(doc.document_id, doc.id);
    assert.equal(doc.model_id, doc.id);
    assert.equal(doc.meeting_id, meetingId);
    assert.equal(doc.workspace_id, ORG_UUID);
    assert.equal(doc.created_by_user_id, USER_UUID);
    assert.equal(doc.title, 'Zephyr brief');
    assert.equal(doc.context_type, 'agenda');
    assert.equal(doc.source_format, 'md');
    assert.equal(typeof doc.partner_app_id, 'string');
    assert.equal(typeof doc.platform_name, 'string');
    assert.equal(typeof doc.file_status, 'string');
    assert.ok(!Number.isNaN(Date.parse(doc.created_at)));
    assert.ok(!Number.isNaN(Date.parse(doc.updated_at)));
  });

  test('downloadMeetingContextDocumentContent: the same bytes, filename*, type and length', async () => {
    const got = await user.downloadMeetingContextDocumentContent(meetingId, doc.id);
    assert.ok(Buffer.from(got.data).equals(brief), 'byte-equal round trip');
    assert.equal(got.filename, 'Zephyr brief é.md');
    assert.equal(got.contentType, 'text/markdown');
    assert.equal(got.size, brief.length);
  });

  test('a binary PDF makes the same round trip (a Blob part is named "blob")', async () => {
    const pdf = pdfBytes('Quarterly numbers for Zephyr');
    const up = await user.uploadMeetingContextDocument(meetingId, { file: new Blob([pdf]), source_format: 'pdf' });
    assert.equal(up.title, 'blob', 'the title defaults to the file name');
    const got = await user.downloadMeetingContextDocumentContent(meetingId, up.id);
    assert.ok(Buffer.from(got.data).equals(pdf), 'byte-equal round trip');
    assert.equal(got.filename, 'blob');
    assert.equal(got.contentType, 'application/pdf');
    assert.equal(got.size, pdf.length);
  });

  test('getMeetingContextDocument: processed in the background, with a sanitization report', async () => {
    const got = await until('processing', async () => {
      const d = await user.getMeetingContextDocument(meetingId, doc.id);
      return d.file_status === 'processed' ? d : null;
    });
    assert.equal(got.id, doc.id);
    assert.equal(typeof got.sanitization_report.pii_detected, 'boolean');
    assert.ok(Array.isArray(got.sanitization_report.redactions));
  });

  test('the declared source_format is checked against the bytes (400 with a code)', async () => {
    await assert.rejects(
      user.uploadMeetingContextDocument(meetingId, { file: new Blob(['{"open":']), source_format: 'json' }),
      apiError(400, 'source_format_mismatch'));
    await assert.rejects(
      user.uploadMeetingContextDocument(meetingId, { file: new Blob(['plain text']), source_format: 'pdf' }),
      apiError(400, 'source_format_mismatch'));
    await assert.rejects(
      user.uploadMeetingContextDocument(meetingId, { file: new Blob(['x']), source_format: 'exe' }),
      apiError(400, 'invalid_source_format'));
    await assert.rejects(
      user.uploadMeetingContextDocument('nonexistent', { file: new Blob(['x']), source_format: 'txt' }),
      apiError(404, 'not_found'));
  });

  test('getAllMeetingContextDocuments pages with limit=100 over more than 100 documents', async () => {
    const before = await user.getMeetingContextDocuments(meetingId, { limit: 100, offset: 0 });
    for (let i = before.total; i < 103; i++) {
      await user.uploadMeetingContextDocument(meetingId, { file: new Blob([JSON.stringify({ n: i })], { type: 'application/json' }), source_format: 'json' });
    }
    const page = await user.getMeetingContextDocuments(meetingId, { limit: 100, offset: 100 });
    assert.equal(page.total, 103);
    assert.equal(page.limit, 100);
    assert.equal(page.offset, 100);
    assert.equal(page.items.length, 3);
    const all = await user.getAllMeetingContextDocuments(meetingId);
    assert.equal(all.length, 103);
    assert.equal(new Set(all.map((d) => d.id)).size, 103);
  });

  test('another app of the workspace sees none of these documents', async () => {
    const list = await otherApp.getMeetingContextDocuments(meetingId);
    assert.equal(list.total, 0);
    assert.deepEqual(list.items, []);
    await assert.rejects(otherApp.getMeetingContextDocument(meetingId, doc.id), apiError(404, 'not_found'));
    await assert.rejects(otherApp.downloadMeetingContextDocumentContent(meetingId, doc.id), apiError(404));
    await assert.rejects(otherApp.deleteMeetingContextDocument(meetingId, doc.id), apiError(404, 'not_found'));
  });

  test('the default scopes do not reach context documents (403)', async () => {
    await assert.rejects(userWith(CLI_ACCESS_TOKEN).getMeetingContextDocuments(meetingId), apiError(403));
  });

  test('deleteMeetingContextDocument: a soft delete leaves lists and blocks download', async () => {
    const victim = await user.uploadMeetingContextDocument(meetingId, { file: new Blob(['to be deleted']), source_format: 'txt' });
    const before = await user.getMeetingContextDocuments(meetingId, { limit: 1 });
    const result = await user.deleteMeetingContextDocument(meetingId, victim.id);
    assert.equal(result, undefined);
    await assert.rejects(user.getMeetingContextDocument(meetingId, victim.id), apiError(404, 'not_found'));
    await assert.rejects(user.downloadMeetingContextDocumentContent(meetingId, victim.id), apiError(404));
    const after = await user.getMeetingContextDocuments(meetingId, { limit: 1 });
    assert.equal(after.total, before.total - 1);
    await assert.rejects(user.deleteMeetingContextDocument(meetingId, victim.id), apiError(404, 'not_found'));
  });

  describe('chat sessions (U33-U37)', () => {
    let session;

    test('createChatSession: {id, meeting_id, status, metadata, created_at, initial_turn}', async () => {
      session = await user.createChatSession({
        message: 'What is the marketing budget for Zephyr?',
        meeting_id: meetingId,
        context_document_ids: [doc.id],
        metadata: { crm_id: '42' },
      });
      assert.equal(typeof session.id, 'string');
      assert.equal(session.meeting_id, meetingId);
      assert.equal(session.status, 'active');
      assert.deepEqual(session.metadata, { crm_id: '42' });
      assert.ok(!Number.isNaN(Date.parse(session.created_at)));
      assert.equal(session.current_turn.sequence_number, 1);
      assert.equal(session.current_turn.role, 'user');
      assert.equal(session.current_turn.status, 'queued');
      assert.equal(session.current_turn.completed_at, null);
    });

    test('getChatTurn: the queued turn completes', async () => {
      // The SDK passes its options as query parameters here (§3.1.7); the server ignores them.
      const turn = await until('turn completion', async () => {
        const t = await user.getChatTurn(session.id, session.current_turn.id, { timezone: 'UTC' });
        return t.status === 'completed' || t.status === 'failed' ? t : null;
      });
      assert.equal(turn.status, 'completed');
      assert.ok(turn.completed_at);
    });

    test('getChatSession: {session, turns, turn_pagination}; the agent answered from the document', async () => {
      const s = await user.getChatSession(session.id, { include: 'all_turns' });
      assert.equal(s.id, session.id);
      assert.equal(s.status, 'active');
      assert.equal(s.turn_count, 2);
      assert.equal(s.turns.total, 2);
      const [asked, answered] = s.turns.items;
      assert.equal(asked.sequence_number, 1);
      assert.equal(answered.sequence_number, 2);
      assert.equal(answered.role, 'agent');
      assert.equal(answered.status, 'completed');
      assert.match(answered.content, /40000/);
      assert.ok(answered.agent_metadata.referenced_documents.includes(doc.id));
      assert.ok(Array.isArray(answered.agent_metadata.tool_calls));
      // Every turn was returned to this caller: the default view has nothing new.
      const again = await user.getChatSession(session.id);
      assert.equal(again.turns.items.length, 0);
    });

    test('sendChatMessage: {turn, position, queued_turns}; turns answer in order', async () => {
      const sent = await user.sendChatMessage(session.id, { message: 'Add an action item for Raj to update the release notes' });
      assert.equal(sent.turn.sequence_number, 3);
      assert.equal(sent.turn.role, 'user');
      assert.equal(typeof sent.position, 'number');
      assert.equal(typeof sent.queued_turns, 'number');
      const done = await until('second turn', async () => {
        const t = await user.getChatTurn(session.id, sent.turn.id);
        return t.status === 'completed' || t.status === 'failed' ? t : null;
      });
      assert.equal(done.status, 'completed');
      const s = await user.getChatSession(session.id, { include: 'undelivered' });
      assert.deepEqual(s.turns.items.map((t) => t.sequence_number), [3, 4]);
      assert.equal(s.turns.items[1].agent_metadata.tool_calls[0].name, 'create_action_item');
    });

    test('getChatSessions: {items, total, limit, offset}', async () => {
      const list = await user.getChatSessions({ meeting_id: meetingId, limit: 10 });
      assert.equal(list.total, 1);
      assert.equal(list.limit, 10);
      assert.equal(list.offset, 0);
      assert.equal(list.items[0].id, session.id);
      assert.equal(list.items[0].turn_count, 4);
    });

    test('bad input: empty message 400, unknown ids 404, another app 404', async () => {
      await assert.rejects(user.createChatSession({ message: '' }), apiError(400));
      await assert.rejects(user.getChatSession('nonexistent'), apiError(404, 'not_found'));
      await assert.rejects(user.sendChatMessage('nonexistent', { message: 'hi' }), apiError(404, 'not_found'));
      await assert.rejects(user.getChatTurn(session.id, 'nonexistent'), apiError(404, 'not_found'));
      await assert.rejects(otherApp.getChatSession(session.id), apiError(404, 'not_found'));
      await assert.rejects(otherApp.createChatSession({ message: 'hi', context_document_ids: [doc.id] }), apiError(404, 'not_found'));
      await assert.rejects(userWith(CLI_ACCESS_TOKEN).getChatSessions(), apiError(403));
    });
  });
});

describe('webhooks of context documents and chat sessions, verified with the SDK (§5)', () => {
  const received = [];
  let server;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const admin = ContioPartnerSDK.forAdmin({ apiKey: OTHER_APP_API_KEY, baseURL: BASE, timeout: 15000 }).admin;
    const url = `http://127.0.0.1:${server.address().port}/hooks`;
    const app = await admin.updateApp({ webhook_url: url });
    assert.equal(app.webhook_url, url);
  });

  after(() => new Promise((r) => server.close(r)));

  // The first verified delivery of an event type, parsed by the SDK.
  function delivery(type, pred = () => true) {
    return until(type, async () => {
      for (const d of received) {
        const sig = d.headers['x-contio-signature'];
        assert.equal(verifyWebhookSignature(d.raw, sig, OTHER_APP_SECRET), true, 'signature');
        const event = parseWebhook(d.raw.toString('utf8'), sig, OTHER_APP_SECRET);
        if (event.event_type === type && pred(event)) return event;
      }
      return null;
    });
  }

  test('meeting.context.processed carries the sanitization report', async () => {
    const doc = await otherApp.uploadMeetingContextDocument(meetingId, {
      file: new Blob(['Escalations: ops@zephyr.example, card 4111 1111 1111 1111.']), source_format: 'txt', title: 'Escalations',
    });
    const created = await delivery('meeting.context.created', (e) => e.data.context_id === doc.id);
    assert.equal(created.data.meeting_id, meetingId);
    assert.equal(created.data.workspace_id, ORG_UUID);
    const processed = await delivery('meeting.context.processed', (e) => e.data.context_id === doc.id);
    assert.ok(processed.event_id && processed.timestamp && processed.partner_app_id);
    const rep = processed.data.sanitization_report;
    assert.equal(rep.pii_detected, true);
    assert.equal(rep.secrets_detected, false);
    assert.equal(rep.formula_escaped, false);
    assert.deepEqual(rep.redactions.map((r) => [r.type, r.count]).sort(), [['credit_card', 1], ['email', 1]]);
    await otherApp.deleteMeetingContextDocument(meetingId, doc.id);
    const deleted = await delivery('meeting.context.deleted', (e) => e.data.context_id === doc.id);
    assert.ok(!Number.isNaN(Date.parse(deleted.data.deleted_at)));
  });

  test('a chat turn completed by the agent arrives as session.turn.completed', async () => {
    const session = await otherApp.createChatSession({ message: 'When do we ship the Zephyr release?', meeting_id: meetingId });
    const event = await delivery('session.turn.completed', (e) => e.data.session_id === session.id);
    assert.equal(event.data.sequence_number, 2);
    assert.equal(event.data.meeting_id, meetingId);
    const answer = await otherApp.getChatTurn(session.id, event.data.turn_id);
    assert.equal(answer.role, 'agent');
    assert.equal(answer.status, 'completed');
    assert.match(answer.content, /Monday/);
  });
});
