'use strict';
// Next steps, action buttons, toolkits, meeting templates and workflow runs (user U12-U16, U38-U46) and
// toolkits, versions, export, templates and workflow templates (admin A31-A57), driven through the
// real, unmodified @contio/partner-sdk 1.9.0 against a live `quorum serve` started by ../run.sh.
// The calls have real effects: an install creates the manifest's entities, an executed next step runs
// its prompt over a real transcript, a workflow run walks its DAG. Spec references are to
// shared/spec/contio-partner-api.md.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');

const { ContioPartnerSDK, ContioAPIError } = require('@contio/partner-sdk');

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const ORG_UUID = env('PSDK_ORG_UUID');
const USER_UUID = env('PSDK_USER_UUID');
const TK_CLIENT_ID = env('PSDK_TK_CLIENT_ID');
const TK_API_KEY = env('PSDK_TK_API_KEY');
const TK_CLOUD_KEY = env('PSDK_TK_CLOUD_KEY');
const TK_ACCESS_TOKEN = env('PSDK_TK_ACCESS_TOKEN');
const HTTP_TIMEOUT_MS = 15000;

const MANIFEST = {
  name: 'Conformance kit',
  version: '1.0.0',
  x_partner_extension: { z: 1, a: [true, null] },
  action_buttons: [
    { spec: { $id: 'open', name: 'Open CRM', content_format: 'plain_text', delivery_mechanism: 'redirect',
      redirect_url: 'https://crm.example.com/m/{meeting_id}' } },
    { spec: { $id: 'doc', name: 'Save as document', content_format: 'markdown', delivery_mechanism: 'file_download' } },
    { spec: { $id: 'copy', name: 'Copy', content_format: 'markdown', delivery_mechanism: 'clipboard' } },
  ],
  next_steps: [
    { spec: { $id: 'recap', name: 'Recap', type: 'ai', ai_prompt: 'What was decided about the launch?' },
      action_buttons: [{ action_button: { $ref: 'doc' } }, { action_button: { $ref: 'copy' } }],
      default_action_button: { $ref: 'doc' } },
    { spec: { $id: 'crm', name: 'Open in CRM', type: 'redirect', redirect_url: 'https://crm.example.com/{meeting_id}' },
      action_buttons: [{ action_button: { $ref: 'open' } }] },
  ],
  templates: [
    { spec: { $id: 'weekly', name: 'Weekly sync', detail_level: 'STANDARD',
      agenda_items: [{ item_type: 'DISCUSSION', title: 'Wins' }, { item_type: 'DECISION', title: 'Next launch' }],
      participants: [{ email: 'pm@example.com', name: 'PM', role: 'EDITOR' }] },
      next_steps: [{ next_step: { $ref: 'recap' }, autopilot: true }, { next_step: { $ref: 'crm' } }] },
  ],
  shortcuts: [{ spec: { $id: 'sum', name: 'Summarize', prompt: 'Summarize the meeting', surfaces: [{ surface: 'HOME', position: 1 }] } }],
  workflows: [
    { spec: { $id: 'flow', name: 'Follow-up', spec: { nodes: [
      { id: 'decide', type: 'ai_prompt', config: { prompt: 'What was decided?' } },
      { id: 'left', type: 'noop', depends_on: ['decide'] },
      { id: 'right', type: 'noop', depends_on: ['decide'] },
      { id: 'done', type: 'end', depends_on: ['left', 'right'] },
    ] } } },
  ],
};

const newAdmin = () => ContioPartnerSDK.forAdmin({ apiKey: TK_API_KEY, clientId: TK_CLIENT_ID, baseURL: BASE, timeout: HTTP_TIMEOUT_MS }).admin;

function newUser() {
  const { oauth, user } = ContioPartnerSDK.forUser({
    clientId: TK_CLIENT_ID, clientSecret: 'unused', redirectUri: 'https://partner.conformance.example/cb',
    baseURL: BASE, timeout: HTTP_TIMEOUT_MS,
  });
  oauth.setTokens({ accessToken: TK_ACCESS_TOKEN });
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

async function eventually(what, fn) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached before the deadline`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A meeting with a transcript, imported through the Cloud API of the same app (same workspace).
async function importMeeting(title) {
  const tok = await fetch(`${BASE}/cloud/v1/cloud-token`, {
    method: 'POST', headers: { Authorization: `Bearer ${TK_CLOUD_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'conformance' }),
  }).then((r) => r.json());
  const res = await fetch(`${BASE}/cloud/v1/meetings`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok.cloudToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, segments: [
      { speaker: 'Ann', text: 'We decided to launch the product on Monday after the final review.', start: 0, end: 5 },
      { speaker: 'Bob', text: 'I will write the launch announcement and send it to the press.', start: 5, end: 10 },
      { speaker: 'Ann', text: 'The launch budget stays at ten thousand.', start: 10, end: 15 },
    ] }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

describe('toolkits, templates, next steps and workflows (§3.1.4, §3.1.8, §3.2.7-§3.2.9)', () => {
  const admin = newAdmin();
  const user = newUser();
  let meetingId;
  let kit;
  let install;

  before(async () => {
    meetingId = await importMeeting('Launch review');
  });

  test('createToolkit dry_run validates and creates nothing (A31)', async () => {
    const dry = await admin.createToolkit({ name: 'Conformance kit', slug: 'conformance-kit', version: '1.0.0', manifest: MANIFEST, dry_run: true });
    assert.equal(dry.toolkit, undefined);
    assert.equal(dry.validation.valid, true, JSON.stringify(dry.validation));
    assert.deepEqual([dry.summary.templates, dry.summary.next_steps, dry.summary.action_buttons, dry.summary.shortcuts], [1, 2, 3, 1]);
    const bad = await admin.createToolkit({ name: 'x', slug: 'x', version: '1', dry_run: true,
      manifest: { action_buttons: [{ spec: { name: 'b', content_format: 'markdown', delivery_mechanism: 'pigeon' } }] } });
    assert.equal(bad.validation.valid, false);
    assert.equal(bad.validation.errors[0].path, 'action_buttons[0].spec.delivery_mechanism');
    await assert.rejects(admin.createToolkit({ name: 'x', slug: 'x', version: '1', manifest: { templates: [{}] } }),
      apiError(400, 'manifest_validation_failed'));
  });

  test('createToolkit stores the manifest as given; getToolkit/getToolkits echo it (A31-A33)', async () => {
    const res = await admin.createToolkit({ name: 'Conformance kit', slug: 'conformance-kit', version: '1.0.0', manifest: MANIFEST });
    kit = res.toolkit;
    assert.equal(kit.slug, 'conformance-kit');
    assert.equal(kit.is_active, true);
    assert.equal(JSON.stringify(kit.manifest), JSON.stringify(MANIFEST), 'manifest echoed unchanged');
    const got = await admin.getToolkit(kit.id);
    assert.equal(JSON.stringify(got.manifest), JSON.stringify(MANIFEST));
    const list = await admin.getToolkits({ limit: 10 });
    assert.ok(list.items.some((t) => t.id === kit.id));
    assert.equal(list.limit, 10);
    await assert.rejects(admin.createToolkit({ name: 'again', slug: 'conformance-kit', version: '1', manifest: {} }),
      apiError(400, 'toolkit_slug_collision'));
    await assert.rejects(admin.getToolkit('nonexistent'), apiError(404, 'not_found'));
  });

  test('updateToolkit (PUT) and the PATCH alias; version/manifest refused with 409 (A34)', async () => {
    const up = await admin.updateToolkit(kit.id, { description: 'For the conformance run', auto_propagate: true });
    assert.equal(up.description, 'For the conformance run');
    assert.equal(up.auto_propagate, true);
    await assert.rejects(admin.updateToolkit(kit.id, { manifest: {} }), apiError(409));
    const res = await fetch(`${BASE}/v1/partner/admin/toolkits/${kit.id}`, {
      method: 'PATCH', headers: { 'X-API-Key': TK_API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ auto_propagate: false }),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).auto_propagate, false);
  });

  test('getToolkits/getToolkit (user) give the hybrid item; installToolkit dry_run then for real (U38-U40)', async () => {
    const list = await user.getToolkits({ limit: 100 });
    const item = list.items.find((t) => t.id === kit.id);
    assert.ok(item, 'the app toolkit is listed');
    assert.equal(item.is_installed, false);
    assert.equal(item.toolkit.id, kit.id);
    assert.equal(item.next_steps_count, 2);
    const dry = await user.installToolkit(kit.id, { dry_run: true });
    assert.equal(dry.dry_run, true);
    assert.ok('weekly' in dry.entities.templates);
    assert.equal((await user.getMeetingTemplates()).items.length, 0, 'a dry run creates nothing');

    install = await user.installToolkit(kit.id);
    assert.equal(install.toolkit_id, kit.id);
    assert.equal(install.workspace_id, ORG_UUID);
    assert.equal(install.installed_by_user_id, USER_UUID);
    assert.equal(install.installed_by, USER_UUID);
    assert.equal(Object.keys(install.entities.action_buttons).length, 3);
    await assert.rejects(user.installToolkit(kit.id), apiError(409, 'resource_already_exists'));
    const one = await user.getToolkit(kit.id);
    assert.equal(one.is_installed, true);
    assert.equal(one.installation.id, install.id);
  });

  test('getMeetingTemplates/getMeetingTemplate; applying the template attaches its next steps (U42-U43)', async () => {
    const list = await user.getMeetingTemplates({ limit: 25 });
    assert.equal(list.total, 1);
    const tpl = await user.getMeetingTemplate(install.entities.templates.weekly);
    assert.equal(tpl.name, 'Weekly sync');
    assert.equal(tpl.agenda_item_count, 2);
    assert.equal(tpl.participant_count, 1);
    assert.equal(tpl.next_steps.length, 2);
    assert.equal(tpl.next_steps[0].autopilot, true);
    assert.equal(tpl.next_steps[0].action_buttons.find((b) => b.name === 'Save as document').is_default, true);
    // The OpenAPI apply endpoint (§3.3), which meeting creation with template_id also uses.
    const res = await fetch(`${BASE}/v1/partner/user/meeting-templates/${tpl.id}/apply`, {
      method: 'POST', headers: { Authorization: `Bearer ${TK_ACCESS_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ meeting_id: meetingId }),
    });
    assert.equal(res.status, 200);
    const applied = await res.json();
    assert.equal(applied.success, true);
    assert.equal(applied.applied_items.next_steps, 2);
  });

  test('getMeetingNextSteps, executeNextStep, getNextStepResult (U12-U14)', async () => {
    const steps = await user.getMeetingNextSteps(meetingId, { limit: 10 });
    assert.equal(steps.total, 2);
    const recap = steps.items.find((s) => s.name === 'Recap');
    assert.equal(recap.autopilot, true);
    assert.equal(recap.action_buttons.length, 2);
    const ex = await user.executeNextStep(meetingId, recap.id);
    assert.equal(ex.status, 'pending');
    const result = await eventually('next step result', async () => {
      const r = await user.getNextStepResult(ex.result_id);
      return r.status === 'completed' ? r : null;
    });
    assert.equal(result.next_step_id, recap.id);
    assert.equal(result.meeting_id, meetingId);
    assert.ok(result.content.toLowerCase().includes('launch'), result.content);
    assert.equal(result.generated_text, result.content);
    assert.ok(result.expires_at);
    const redirect = await user.executeNextStep(meetingId, steps.items.find((s) => s.name === 'Open in CRM').id, {});
    assert.equal(redirect.status, 'completed');
    assert.equal(redirect.redirect_url, `https://crm.example.com/${meetingId}`);
    await assert.rejects(user.getNextStepResult('nonexistent'), apiError(404, 'not_found'));
  });

  test('getMeetingActionButtons, triggerActionButton (U15-U16)', async () => {
    const buttons = await user.getMeetingActionButtons(meetingId);
    assert.equal(buttons.total, 3, 'each button once');
    const byName = Object.fromEntries(buttons.items.map((b) => [b.name, b]));
    const open = await user.triggerActionButton(meetingId, byName['Open CRM'].id);
    assert.equal(open.status, 'completed');
    assert.equal(open.redirect_url, `https://crm.example.com/m/${meetingId}`);
    const doc = await user.triggerActionButton(meetingId, byName['Save as document'].id, { parameters: { content: 'Decision: launch Monday.' } });
    assert.equal(doc.status, 'pending');
    assert.ok(doc.result_id);
    const copy = await user.triggerActionButton(meetingId, byName.Copy.id, {});
    assert.equal(copy.status, 'completed');
    await assert.rejects(user.triggerActionButton(meetingId, 'nonexistent'), apiError(404, 'not_found'));
  });

  test('listWorkflowTemplates/getWorkflowTemplate; createWorkflowRun walks the DAG (A56-A57, U44-U46)', async () => {
    const tpls = await admin.listWorkflowTemplates({ limit: 50 });
    const flow = tpls.items.find((t) => t.id === install.entities.workflows.flow);
    assert.ok(flow, 'the installed workflow template is listed');
    assert.equal(flow.workspace_id, ORG_UUID);
    const full = await admin.getWorkflowTemplate(flow.id);
    assert.equal(full.spec.nodes.length, 4);
    let run = await user.createWorkflowRun({ workflow_template_id: flow.id, originating_id: meetingId, originating_type: 'meeting' });
    assert.equal(run.status, 'pending');
    assert.equal(run.trigger_type, 'manual');
    assert.equal(run.triggered_by, USER_UUID);
    run = await eventually('workflow run', async () => {
      const r = await user.getWorkflowRun(run.id);
      return r.status === 'completed' ? r : null;
    });
    assert.deepEqual(run.current_step_ids, []);
    assert.ok(run.context_json.outputs.decide.text, JSON.stringify(run.context_json));
    assert.ok(run.completed_at);
    const runs = await user.listWorkflowRuns({ status: 'completed', workflow_template_id: flow.id, originating_type: 'meeting' });
    assert.equal(runs.total, 1);
    await assert.rejects(user.createWorkflowRun({ workflow_template_id: flow.id, originating_id: meetingId, originating_type: 'email' }),
      apiError(400, 'validation_error'));
    await assert.rejects(user.getWorkflowRun('nonexistent'), apiError(404, 'not_found'));
  });

  test('templates: create from a backing meeting, update, next steps, delete (A47-A55)', async () => {
    const tpl = await admin.createTemplate({ name: 'From the review', description: 'copied', backing_meeting_id: meetingId });
    assert.equal(tpl.backing_meeting_id, meetingId);
    const list = await admin.getTemplates({ limit: 50 });
    assert.ok(list.items.some((t) => t.id === tpl.id));
    assert.equal((await admin.getTemplate(tpl.id)).name, 'From the review');
    assert.equal((await admin.updateTemplate(tpl.id, { name: 'Review template' })).name, 'Review template');
    const recap = install.entities.next_steps.recap;
    const added = await admin.addTemplateNextStep(tpl.id, { next_step_id: recap, autopilot: true });
    assert.equal(added.id, recap);
    assert.equal(added.autopilot, true);
    const updated = await admin.updateTemplateNextStep(tpl.id, recap, { autopilot: false });
    assert.equal(updated.autopilot, false);
    const steps = await admin.getTemplateNextSteps(tpl.id, { limit: 10 });
    assert.equal(steps.total, 1);
    await admin.removeTemplateNextStep(tpl.id, recap);
    assert.equal((await admin.getTemplateNextSteps(tpl.id)).total, 0);
    await admin.deleteTemplate(tpl.id);
    await assert.rejects(admin.getTemplate(tpl.id), apiError(404, 'not_found'));
  });

  test('versions: draft, update, publish with propagation, republish, discard (A36-A42)', async () => {
    let versions = await admin.listToolkitVersions(kit.id);
    assert.ok(Array.isArray(versions), 'a bare array');
    assert.equal(versions.length, 1);
    assert.equal(versions[0].status, 'PUBLISHED');
    const v2manifest = JSON.parse(JSON.stringify(MANIFEST));
    v2manifest.next_steps[0].spec.name = 'Launch recap';
    const dry = await admin.createToolkitVersion(kit.id, { version_label: '1.1.0', manifest: v2manifest, dry_run: true });
    assert.equal(dry.version, undefined);
    assert.equal(dry.validation.valid, true);
    const draft = (await admin.createToolkitVersion(kit.id, { version_label: '1.1.0', manifest: v2manifest, changelog: 'rename' })).version;
    assert.equal(draft.status, 'DRAFT');
    assert.equal(draft.version_number, 2);
    await assert.rejects(admin.createToolkitVersion(kit.id, { version_label: '1.2.0', manifest: v2manifest }), apiError(409));
    assert.equal((await admin.updateToolkitVersion(kit.id, draft.id, { changelog: 'rename recap' })).changelog, 'rename recap');
    assert.equal((await admin.getToolkitVersion(kit.id, draft.id)).version_label, '1.1.0');
    await admin.publishToolkitVersion(kit.id, draft.id, { propagation: 'normal' });
    await eventually('propagation to the installed workspace', async () => {
      const tpl = await user.getMeetingTemplate(install.entities.templates.weekly);
      return tpl.next_steps[0].name === 'Launch recap';
    });
    await assert.rejects(admin.discardToolkitVersion(kit.id, draft.id), apiError(400));
    versions = await admin.listToolkitVersions(kit.id);
    assert.deepEqual(versions.map((v) => v.status), ['DEPRECATED', 'PUBLISHED']);
    await admin.republishToolkitVersion(kit.id, versions[0].id);
    versions = await admin.listToolkitVersions(kit.id);
    assert.deepEqual(versions.map((v) => v.status), ['PUBLISHED', 'DEPRECATED']);
    const v3 = (await admin.createToolkitVersion(kit.id, { version_label: '2.0.0', manifest: MANIFEST })).version;
    await admin.discardToolkitVersion(kit.id, v3.id);
    await assert.rejects(admin.getToolkitVersion(kit.id, v3.id), apiError(404, 'not_found'));
  });

  test('getToolkitInstallations and getWorkspaces (A43-A44)', async () => {
    const inst = await admin.getToolkitInstallations(kit.id, { limit: 10 });
    assert.equal(inst.total, undefined, 'this envelope has no total');
    assert.equal(inst.summary.active, 1);
    assert.equal(inst.total_connected_workspaces, 1);
    assert.equal(inst.items[0].workspace_id, ORG_UUID);
    assert.equal(inst.items[0].status, 'active');
    const ws = await admin.getWorkspaces({ limit: 10 });
    assert.equal(ws.total, 1);
    assert.equal(ws.items[0].workspace_id, ORG_UUID);
    assert.ok(ws.items[0].user_count >= 1);
  });

  test('exportEntities and exportToolkit give manifests that install back to the same entities (A45-A46)', async () => {
    // Bring the workspace to the published version, then export what it has.
    await user.uninstallToolkit(kit.id);
    install = await user.installToolkit(kit.id);
    const before = await admin.exportEntities({ template_ids: [install.entities.templates.weekly], name: 'Weekly' });
    assert.equal(before.metadata.name, 'Weekly');
    assert.equal(before.summary.next_steps, 2);
    await assert.rejects(admin.exportEntities({}), apiError(400, 'validation_error'));
    const exported = await admin.exportToolkit(kit.id);
    assert.equal(exported.metadata.slug, 'conformance-kit');
    assert.equal(exported.summary.workflows, 1);
    await user.uninstallToolkit(kit.id);
    const copy = (await admin.createToolkit({ name: 'Copy', slug: 'conformance-copy', version: '1', manifest: exported.manifest })).toolkit;
    const again = await user.installToolkit(copy.id);
    const after = await admin.exportEntities({ template_ids: [again.entities.templates.weekly], name: 'Weekly' });
    assert.deepEqual(after.manifest, before.manifest);
    await user.uninstallToolkit(copy.id);
    await admin.deleteToolkit(copy.id);
    await assert.rejects(admin.getToolkit(copy.id), apiError(404, 'not_found'));
  });

  test('uninstallToolkit removes exactly what the install created; deleteToolkit (U41, A35)', async () => {
    install = await user.installToolkit(kit.id);
    assert.equal((await user.getMeetingTemplates()).total, 1);
    await user.uninstallToolkit(kit.id);
    assert.equal((await user.getMeetingTemplates()).total, 0);
    assert.equal((await user.getMeetingNextSteps(meetingId)).total, 0);
    await assert.rejects(user.uninstallToolkit(kit.id), apiError(404, 'not_found'));
    const inst = await admin.getToolkitInstallations(kit.id);
    assert.equal(inst.summary.opted_out, 1);
    assert.equal(inst.items[0].status, 'opted_out');
    await admin.deleteToolkit(kit.id);
    await assert.rejects(admin.getToolkit(kit.id), apiError(404, 'not_found'));
    await assert.rejects(user.getToolkit(kit.id), apiError(404, 'not_found'));
  });
});
