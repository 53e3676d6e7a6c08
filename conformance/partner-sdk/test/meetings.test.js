'use strict';
// Meetings (U1-U4), participants (U5-U7), agenda items (U8-U11), transcript export (U17), action items
// (U18-U22) and calendar (U24-U27) through the real, unmodified @contio/partner-sdk 1.9.0, with the
// getAllMeetings/getAllActionItems/getAllCalendarEvents helpers over more than 100 rows. Started by
// ../run.sh; spec references are to shared/spec/contio-partner-api.md.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');

const { ContioPartnerSDK, ContioAPIError } = require('@contio/partner-sdk');

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const ACCESS_TOKEN = env('PSDK_CLI_ACCESS_TOKEN');
const ORG_UUID = env('PSDK_ORG_UUID');
const USER_UUID = env('PSDK_USER_UUID');
const USER_EMAIL = env('PSDK_USER_EMAIL');
const OTHER_EMAIL = env('PSDK_OTHER_EMAIL');
const CLOUD_API_KEY = env('PSDK_CLOUD_API_KEY');
const QUORUM_BIN = env('PSDK_QUORUM_BIN');
const HTTP_TIMEOUT_MS = 15000;
const MANY = 105; // more than one page of the getAll* helpers (limit=100)

function newUser() {
  const { oauth, user } = ContioPartnerSDK.forUser({
    clientId: env('PSDK_CLIENT_ID'), clientSecret: env('PSDK_CLIENT_SECRET'), redirectUri: env('PSDK_REDIRECT_URI'),
    authorizationUrl: `${BASE}/oauth2/authorize`, tokenUrl: `${BASE}/oauth2/token`, baseURL: BASE, timeout: HTTP_TIMEOUT_MS,
  });
  oauth.setTokens({ accessToken: ACCESS_TOKEN });
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

// Runs fn over items with at most n in flight.
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

async function raw(method, path, body, headers = {}) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { res, json, text };
}

// The CLI acts on the server's database (QUORUM_DATA_DIR) and refuses QUORUM_* settings it does not know,
// so it gets only what it needs.
function cliEnv() {
  return { PATH: process.env.PATH, HOME: process.env.HOME, QUORUM_DATA_DIR: env('QUORUM_DATA_DIR') };
}

const asUser = { Authorization: `Bearer ${ACCESS_TOKEN}` };
const isoZ = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function assertMeeting(m) {
  for (const k of ['id', 'title', 'status', 'workspace_id', 'created_by_user_id', 'created_at', 'updated_at']) {
    assert.equal(typeof m[k], 'string', `${k}: ${JSON.stringify(m)}`);
  }
  assert.ok(['draft', 'scheduled', 'in_progress', 'ended', 'completed'].includes(m.status), m.status);
  assert.equal(m.redirect_to_meeting_id, undefined, 'a normal meeting carries no redirect hint (§3.0.6)');
}

describe('Meetings U1-U4', () => {
  const user = newUser();

  test('createMeeting: 201 with the Meeting model; times, instant and detail level', async () => {
    const m = await user.createMeeting({ title: 'Quarterly planning', start_time: '2031-03-02T15:00:00+01:00',
      end_time: '2031-03-02T16:30:00+01:00', detail_level: 'VERBATIM', scheduled_start: 'ignored unknown field' });
    assertMeeting(m);
    assert.equal(m.title, 'Quarterly planning');
    assert.equal(m.status, 'scheduled');
    assert.equal(m.start_time, '2031-03-02T14:00:00Z');
    assert.equal(m.end_time, '2031-03-02T15:30:00Z');
    assert.equal(m.workspace_id, ORG_UUID);
    assert.equal(m.created_by_user_id, USER_UUID);
    const now = await user.createMeeting({ title: 'Right now', is_instant: true });
    assert.equal(now.status, 'in_progress');
    assert.ok(now.start_time);
  });

  test('createMeeting refuses bad input with the spec codes', async () => {
    const cases = [
      [{ title: '' }, 'invalid_request'],
      [{ title: 'x'.repeat(256) }, 'invalid_request'],
      [{ title: 't', start_time: 'tomorrow' }, 'invalid_start_time'],
      [{ title: 't', start_time: '2031-01-01T10:00:00Z', end_time: 'later' }, 'invalid_end_time'],
      [{ title: 't', start_time: '2031-01-01T10:00:00Z', end_time: '2031-01-01T09:00:00Z' }, 'invalid_time_range'],
      [{ title: 't', start_time: '1900-01-01T10:00:00Z' }, 'invalid_start_date'],
      [{ title: 't', detail_level: 'LOUD' }, 'invalid_request'],
    ];
    for (const [body, code] of cases) await assert.rejects(user.createMeeting(body), apiError(400, code));
    await assert.rejects(user.createMeeting({ title: 't', template_id: '7f1c3a52-8d8e-4e5b-9b8f-2b1b2f0c9d11' }), apiError(404, 'not_found'));
  });

  test('getMeetings filters by date; getAllMeetings pages past 100 with an exact total', async () => {
    const tag = `bulk-${Date.now()}`;
    await pool([...Array(MANY).keys()], 8, (i) => user.createMeeting({ title: `${tag} ${i}`, start_time: '2032-06-01T09:00:00Z' }));
    const day = await user.getMeetings({ start_date: '2032-06-01', end_date: '2032-06-01', limit: 10 });
    assert.equal(day.total, MANY);
    assert.equal(day.items.length, 10);
    assert.equal(day.limit, 10);
    assert.equal(day.offset, 0);
    const all = await user.getAllMeetings({ start_date: '2032-06-01T00:00:00Z', end_date: '2032-06-02T00:00:00Z' });
    assert.equal(all.length, MANY);
    assert.equal(new Set(all.map((m) => m.id)).size, MANY, 'each meeting once');
    all.forEach(assertMeeting);
    const everything = await user.getAllMeetings();
    assert.ok(everything.length > MANY);
    await assert.rejects(user.getMeetings({ start_date: 'yesterday' }), apiError(400, 'invalid_start_date'));
    await assert.rejects(user.getMeetings({ end_date: '2032-13-01' }), apiError(400, 'invalid_end_date'));
  });

  test('getMeeting follows the smart redirect of a merged meeting (admin CLI merge)', async () => {
    const from = await user.createMeeting({ title: 'Part one' });
    const into = await user.createMeeting({ title: 'Part two' });
    const { stdout } = await promisify(execFile)(QUORUM_BIN, ['admin', 'meeting', 'merge', '--org', ORG_UUID,
      '--from', from.id, '--into', into.id, '--json'], { timeout: 30000, env: cliEnv() });
    assert.equal(JSON.parse(stdout).into, into.id);
    const hint = await raw('GET', `/v1/partner/user/meetings/${from.id}`, undefined, asUser);
    assert.equal(hint.res.status, 200);
    assert.deepEqual(hint.json, { redirect_to_meeting_id: into.id }, 'the hint carries only the id (§3.1.1 U3)');
    const got = await user.getMeeting(from.id);
    assert.equal(got.id, into.id);
    assert.equal(got.title, 'Part two');
    await assert.rejects(user.getMeeting('nonexistent'), apiError(404, 'not_found'));
  });

  test('updateMeeting (PATCH) changes fields; an end in the past completes the meeting', async () => {
    const m = await user.createMeeting({ title: 'Retro' });
    const up = await user.updateMeeting(m.id, { title: 'Retro (final)', detail_level: 'BULLET_POINTS' });
    assert.equal(up.title, 'Retro (final)');
    assert.equal(up.status, 'draft');
    const start = isoZ(new Date(Date.now() - 3600e3));
    const end = isoZ(new Date(Date.now() - 60e3));
    const done = await user.updateMeeting(m.id, { start_time: start, end_time: end });
    assert.equal(done.status, 'completed');
    assert.equal((await user.getMeeting(m.id)).status, 'completed');
    await assert.rejects(user.updateMeeting(m.id, { end_time: '2000-01-01T00:00:00Z' }), apiError(400, 'invalid_time_range'));
    await assert.rejects(user.updateMeeting('nonexistent', { title: 'x' }), apiError(404, 'not_found'));
  });
});

describe('Participants U5-U7 and agenda items U8-U11', () => {
  const user = newUser();
  let meeting;
  before(async () => { meeting = await user.createMeeting({ title: 'Design review' }); });

  test('participants: the creator is an EDITOR; users and guests by email; duplicates 409; remove', async () => {
    let list = await user.getMeetingParticipants(meeting.id);
    assert.equal(list.total, 1);
    assert.equal(list.items[0].role, 'EDITOR');
    assert.equal(list.items[0].user_id, USER_UUID);
    const colleague = await user.addMeetingParticipant(meeting.id, { email: OTHER_EMAIL, name: 'Bob', role: 'VIEWER' });
    assert.equal(colleague.role, 'VIEWER');
    assert.equal(typeof colleague.user_id, 'string', 'a workspace member is a user');
    const guest = await user.addMeetingParticipant(meeting.id, { email: 'guest@elsewhere.example', name: 'Gus', role: 'EDITOR' });
    assert.equal(guest.user_id, undefined, 'anyone else is a guest');
    assert.equal(guest.email, 'guest@elsewhere.example');
    await assert.rejects(user.addMeetingParticipant(meeting.id, { email: OTHER_EMAIL, name: 'Bob', role: 'EDITOR' }), apiError(409));
    await assert.rejects(user.addMeetingParticipant(meeting.id, { email: 'x@y.example', name: 'X', role: 'OWNER' }), apiError(400));
    list = await user.getMeetingParticipants(meeting.id);
    assert.equal(list.total, 3);
    await user.removeMeetingParticipant(meeting.id, guest.id);
    list = await user.getMeetingParticipants(meeting.id);
    assert.deepEqual(list.items.map((p) => p.email).sort(), [OTHER_EMAIL, USER_EMAIL].sort());
    await assert.rejects(user.removeMeetingParticipant(meeting.id, guest.id), apiError(404));
  });

  test('agenda items: create, list, update (PUT), delete; talking points are the author\'s', async () => {
    const first = await user.createAgendaItem(meeting.id, { item_type: 'DISCUSSION', title: 'Roadmap', time_allocation_minutes: 20,
      presenters: [USER_UUID], talking_points: 'mention the Q3 slip' });
    assert.equal(first.sequence, '1');
    assert.equal(first.status, 'pending');
    assert.equal(first.time_allocation_minutes, 20);
    assert.deepEqual(first.presenters, [USER_UUID]);
    assert.equal(first.talking_points, 'mention the Q3 slip');
    const second = await user.createAgendaItem(meeting.id, { item_type: 'DECISION', title: 'Budget', restricted_to_leads: true });
    assert.equal(second.sequence, '2');
    assert.equal(second.restricted_to_leads, true);
    const list = await user.getMeetingAgendaItems(meeting.id);
    assert.equal(list.total, 2);
    assert.deepEqual(list.items.map((i) => i.title), ['Roadmap', 'Budget']);
    const up = await user.updateAgendaItem(meeting.id, first.id, { status: 'completed', title: 'Roadmap 2031' });
    assert.equal(up.status, 'completed');
    assert.equal(up.title, 'Roadmap 2031');
    assert.equal(up.item_type, 'DISCUSSION', 'PUT leaves absent fields alone');
    await assert.rejects(user.createAgendaItem(meeting.id, { item_type: 'PARTY', title: 't' }), apiError(400));
    await assert.rejects(user.createAgendaItem(meeting.id, { item_type: 'DISCUSSION', title: 't', time_allocation_minutes: 1441 }), apiError(400));
    await assert.rejects(user.updateAgendaItem(meeting.id, first.id, { status: 'done' }), apiError(400, 'invalid_status'));
    await user.deleteAgendaItem(meeting.id, second.id);
    assert.equal((await user.getMeetingAgendaItems(meeting.id)).total, 1);
    await assert.rejects(user.deleteAgendaItem(meeting.id, second.id), apiError(404));
  });
});

describe('Transcript export U17', () => {
  const user = newUser();

  test('exportMeetingTranscript returns SRT bytes of a Cloud-imported transcript; 404 without one', async () => {
    const tok = await raw('POST', '/cloud/v1/cloud-token', { userId: USER_EMAIL }, { Authorization: `Bearer ${CLOUD_API_KEY}` });
    assert.equal(tok.res.status, 201, tok.text);
    const imported = await raw('POST', '/cloud/v1/meetings', { title: 'Standup', segments: [
      { speaker: 'Ann', text: 'We ship Monday.', start: 1.5, end: 3.25 },
      { speaker: 'Raj', text: 'I will update the docs.', start: 3.25, end: 6 },
    ] }, { Authorization: `Bearer ${tok.json.cloudToken}` });
    assert.equal(imported.res.status, 201, imported.text);
    const srt = await user.exportMeetingTranscript(imported.json.id, { format: 'srt' });
    assert.ok(Buffer.isBuffer(srt), 'the SDK hands back the raw bytes');
    assert.equal(srt.toString('utf8'),
      '1\n00:00:01,500 --> 00:00:03,250\nAnn: We ship Monday.\n\n2\n00:00:03,250 --> 00:00:06,000\nRaj: I will update the docs.\n\n');
    const head = await fetch(`${BASE}/v1/partner/user/meetings/${imported.json.id}/transcript/export`, { headers: asUser });
    assert.equal(head.headers.get('content-type'), 'text/plain; charset=utf-8');
    const empty = await user.createMeeting({ title: 'Nothing said yet' });
    await assert.rejects(user.exportMeetingTranscript(empty.id), apiError(404));
    await assert.rejects(user.exportMeetingTranscript(imported.json.id, { format: 'vtt' }), apiError(400));
  });
});

describe('Action items U18-U22', () => {
  const user = newUser();
  let meeting;
  before(async () => { meeting = await user.createMeeting({ title: 'Launch' }); });

  test('createActionItem: status, due date (date or date-time), partner context', async () => {
    const a = await user.createActionItem({ meeting_id: meeting.id, title: 'Draft the announcement',
      due_date: '2031-04-01T17:00:00-07:00', partner_context: { crm_id: 'deal-7', stage: 2 } });
    assert.equal(a.meeting_id, meeting.id);
    assert.equal(a.status, 'needs_review');
    assert.equal(a.is_completed, false);
    assert.equal(a.due_date, '2031-04-01');
    assert.equal(a.has_partner_assignment, true);
    assert.deepEqual(a.partner_context, { crm_id: 'deal-7', stage: 2 });
    assert.deepEqual(await user.getActionItem(a.id), a);
    await assert.rejects(user.createActionItem({ meeting_id: meeting.id, title: 't', due_date: 'next week' }), apiError(400, 'invalid_due_date'));
    await assert.rejects(user.createActionItem({ meeting_id: meeting.id, title: 't', status: 'someday' }), apiError(400, 'invalid_status'));
    await assert.rejects(user.createActionItem({ meeting_id: 'nonexistent', title: 't' }), apiError(404));
  });

  test('updateActionItem keeps status, is_completed and completed_at consistent', async () => {
    const a = await user.createActionItem({ meeting_id: meeting.id, title: 'Book the venue' });
    let up = await user.updateActionItem(a.id, { is_completed: true });
    assert.equal(up.status, 'completed');
    assert.equal(typeof up.completed_at, 'string');
    up = await user.updateActionItem(a.id, { status: 'blocked' });
    assert.equal(up.is_completed, false);
    assert.equal(up.completed_at, undefined);
    up = await user.updateActionItem(a.id, { status: 'completed', due_date: '2031-05-02' });
    assert.equal(up.is_completed, true);
    assert.equal(up.due_date, '2031-05-02');
    assert.equal(up.title, 'Book the venue');
    await assert.rejects(user.updateActionItem(a.id, { status: 'accepted', is_completed: true }), apiError(400));
    await user.deleteActionItem(a.id);
    await assert.rejects(user.getActionItem(a.id), apiError(404));
  });

  test('getActionItems filters; getAllActionItems pages past 100 with an exact total', async () => {
    const m = await user.createMeeting({ title: 'Many tasks' });
    const made = await pool([...Array(MANY).keys()], 8, (i) => user.createActionItem({ meeting_id: m.id, title: `task ${i}`,
      ...(i % 5 === 0 ? { status: 'completed' } : {}), ...(i % 3 === 0 ? { partner_context: { n: i } } : {}) }));
    const all = await user.getAllActionItems({ meeting_id: m.id });
    assert.equal(all.length, MANY);
    assert.deepEqual(new Set(all.map((a) => a.id)), new Set(made.map((a) => a.id)));
    const done = await user.getActionItems({ meeting_id: m.id, is_completed: true, limit: 100 });
    assert.equal(done.total, made.filter((a) => a.is_completed).length);
    assert.ok(done.items.every((a) => a.is_completed));
    const open = await user.getActionItems({ meeting_id: m.id, is_completed: false });
    assert.equal(open.total + done.total, MANY);
    const assigned = await user.getAllActionItems({ meeting_id: m.id, has_partner_assignment: true });
    assert.equal(assigned.length, made.filter((a) => a.has_partner_assignment).length);
    const dated = await user.getActionItems({ meeting_id: m.id, start_date: '2000-01-01', end_date: isoZ(new Date(Date.now() + 3600e3)) });
    assert.equal(dated.total, MANY);
    assert.equal((await user.getActionItems({ meeting_id: m.id, end_date: '2000-01-01' })).total, 0);
    await assert.rejects(user.getActionItems({ start_date: 'soon' }), apiError(400, 'invalid_start_date'));
    await assert.rejects(user.getActionItems({ end_date: 'later' }), apiError(400, 'invalid_end_date'));
  });
});

describe('Calendar U24-U27', () => {
  const user = newUser();
  let events;
  const day0 = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1, 10));

  before(async () => {
    // Uploaded through Quorum's user-level calendar endpoint: a daily meeting with MANY+10 occurrences
    // (one excluded) and a one-off all-day event.
    const f = (d) => isoZ(d).replace(/[-:]/g, '');
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//conformance//EN',
      'BEGIN:VEVENT', 'UID:daily@conformance', `DTSTAMP:${f(new Date())}`, `DTSTART:${f(day0)}`,
      `DTEND:${f(new Date(day0.getTime() + 1800e3))}`, 'SUMMARY:Daily standup', 'LOCATION:Room 1',
      `RRULE:FREQ=DAILY;COUNT=${MANY + 10}`, `EXDATE:${f(new Date(day0.getTime() + 86400e3))}`,
      `ORGANIZER;CN=Alice:mailto:${USER_EMAIL}`,
      `ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:${OTHER_EMAIL}`,
      'ATTENDEE;CN=Gus;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:gus@elsewhere.example', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:offsite@conformance', `DTSTAMP:${f(new Date())}`,
      `DTSTART;VALUE=DATE:${f(day0).slice(0, 8)}`, 'SUMMARY:Offsite', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const feed = await raw('POST', '/v1/partner/user/calendar/feeds', { name: 'Work', ics }, asUser);
    assert.equal(feed.res.status, 201, feed.text);
    assert.equal(feed.json.event_count, MANY + 10);
    events = await user.getAllCalendarEvents();
  });

  test('getAllCalendarEvents pages past 100; getCalendarEvents takes both range spellings and a direction', async () => {
    assert.equal(events.length, MANY + 10, 'every occurrence but the excluded one, and the offsite');
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].start_time <= events[i].start_time, 'ascending by start');
    const from = isoZ(day0), to = isoZ(new Date(day0.getTime() + 4 * 86400e3 - 1));
    const a = await user.getCalendarEvents({ start_date: from, end_date: to });
    const b = await user.getCalendarEvents({ start: from, end: to });
    assert.equal(a.total, 4, 'days 0, 2 and 3 (day 1 excluded) and the all-day offsite');
    assert.deepEqual(b.items.map((e) => e.id), a.items.map((e) => e.id));
    const desc = await user.getCalendarEvents({ direction: 'desc', limit: 2 });
    assert.equal(desc.items.length, 2);
    assert.ok(desc.items[0].start_time > desc.items[1].start_time);
    await assert.rejects(user.getCalendarEvents({ start_date: 'now' }), apiError(400, 'invalid_start_date'));
    await assert.rejects(user.getCalendarEvents({ direction: 'sideways' }), apiError(400, 'invalid_query_parameters'));
  });

  test('getCalendarEvent has the organizer and attendees', async () => {
    const standup = events.find((e) => e.title === 'Daily standup');
    const d = await user.getCalendarEvent(standup.id);
    assert.equal(d.organizer.email, USER_EMAIL);
    assert.equal(d.attendee_count, 2);
    assert.deepEqual(d.attendees[1], { email: 'gus@elsewhere.example', name: 'Gus', status: 'tentative', type: 'optional' });
    assert.equal(d.is_all_day, false);
    assert.equal(d.location, 'Room 1');
    const offsite = await user.getCalendarEvent(events.find((e) => e.title === 'Offsite').id);
    assert.equal(offsite.is_all_day, true);
    await assert.rejects(user.getCalendarEvent('nonexistent'), apiError(404));
  });

  test('createMeetingFromCalendarEvent is idempotent per event; linkCalendarEvent links and refuses a second meeting', async () => {
    const standup = events.find((e) => e.title === 'Daily standup');
    const made = await user.createMeetingFromCalendarEvent(standup.id);
    assert.equal(made.created, true);
    assert.equal(made.meeting_id, made.meeting.id);
    assert.equal(made.meeting.title, 'Daily standup');
    assert.equal(made.meeting.start_time, standup.start_time);
    const again = await user.createMeetingFromCalendarEvent({ calendar_event_id: standup.id });
    assert.equal(again.created, false);
    assert.equal(again.meeting.id, made.meeting.id);
    const people = await user.getMeetingParticipants(made.meeting.id);
    assert.deepEqual(people.items.map((p) => p.email).sort(), [OTHER_EMAIL, USER_EMAIL, 'gus@elsewhere.example'].sort());
    assert.equal((await user.getCalendarEvent(standup.id)).meeting_id, made.meeting.id);

    const other = await user.createMeeting({ title: 'Follow-up' });
    await assert.rejects(user.linkCalendarEvent(other.id, { calendar_event_id: standup.id }), apiError(409));
    const second = events.filter((e) => e.title === 'Daily standup')[1];
    const linked = await user.linkCalendarEvent(other.id, { calendar_event_id: second.id });
    assert.equal(linked.success, true);
    assert.equal(typeof linked.message, 'string');
    assert.equal((await user.getMeeting(other.id)).calendar_event_id, second.id);
    await assert.rejects(user.linkCalendarEvent(other.id, { calendar_event_id: second.id }), apiError(400, 'calendar_event_already_linked'));
    const unlink = await raw('DELETE', `/v1/partner/user/meetings/${other.id}/calendar/unlink`, undefined, asUser);
    assert.equal(unlink.res.status, 200, unlink.text);
    assert.equal((await user.getMeeting(other.id)).calendar_event_id, undefined);
  });
});
