package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
)

// kitManifest has every entity kind; %WEBHOOK% is replaced by a receiver's
// URL. The unknown x_custom key and its key order must come back as sent.
const kitManifest = `{"name":"Sales kit","version":"1.0.0","x_custom":{"b":1,"a":2},
"action_buttons":[
 {"spec":{"$id":"hook","name":"Send to CRM","content_format":"markdown","delivery_mechanism":"webhook","webhook_url":"%WEBHOOK%"}},
 {"spec":{"$id":"open","name":"Open CRM","content_format":"plain_text","delivery_mechanism":"redirect","redirect_url":"https://crm.example.com/m/{meeting_id}"}},
 {"spec":{"$id":"doc","name":"Save as document","content_format":"markdown","delivery_mechanism":"file_download"}}],
"next_steps":[
 {"spec":{"$id":"recap","name":"Recap","type":"ai","ai_prompt":"What did the team decide about the launch?"},
  "action_buttons":[{"action_button":{"$ref":"hook"}},{"action_button":{"$ref":"doc"}}],"default_action_button":{"$ref":"hook"}},
 {"spec":{"$id":"crm","name":"Open in CRM","type":"redirect","redirect_url":"https://crm.example.com/{meeting_id}"},
  "action_buttons":[{"action_button":{"$ref":"open"}}]}],
"templates":[
 {"spec":{"$id":"weekly","name":"Weekly sync","detail_level":"STANDARD","agenda_items":[{"item_type":"DISCUSSION","title":"Wins"}],
   "participants":[{"email":"pm@example.com","name":"PM","role":"EDITOR"}]},
  "next_steps":[{"next_step":{"$ref":"recap"},"autopilot":true},{"next_step":{"$ref":"crm"}}]}],
"shortcuts":[{"spec":{"$id":"sc","name":"Summarize","prompt":"Summarize the meeting","surfaces":[{"surface":"HOME","position":1}]}}],
"workflows":[
 {"spec":{"$id":"flow","name":"Follow-up","spec":{"nodes":[
   {"id":"a","type":"ai_prompt","config":{"prompt":"What was decided about the launch?"}},
   {"id":"b","type":"webhook","depends_on":["a"],"config":{"url":"%WEBHOOK%"}},
   {"id":"c","type":"noop","depends_on":["a"]},
   {"id":"d","type":"end","depends_on":["b","c"]}]}}},
 {"spec":{"$id":"broken","name":"Broken","spec":{"nodes":[{"id":"x","type":"start"},{"id":"y","type":"fail","depends_on":["x"],"config":{"message":"stop here"}}]}}}],
"canvas_templates":[{"spec":{"$id":"cv","name":"Board","canvas_type":"MANUAL","content":{"columns":["todo"]}}}]}`

// receiver records the JSON bodies posted to it.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		r.mu.Lock()
		r.bodies = append(r.bodies, m)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tenant is one organization with its user, app, clients and a meeting
// with a transcript.
type tenant struct {
	fixture
	user, admin *client.Client
	meetingID   string
}

func (e *env) tenant(t *testing.T, email string) tenant {
	t.Helper()
	ctx := context.Background()
	f := e.fixture(email)
	app, err := e.app.Identities.AppByClientID(ctx, f.app.ClientID)
	require.NoError(t, err)
	tok, err := e.app.OAuth.IssueForUser(ctx, app, f.user, strings.Join(identity.Scopes, " "))
	require.NoError(t, err)
	m, err := cloudClient(t, e, f, "importer").ImportMeeting(ctx, client.NewMeeting{Title: "Launch review", Segments: []client.Segment{
		{Speaker: "Ann", Text: "We decided to launch the product on Monday after the review.", Start: 0, End: 5},
		{Speaker: "Bob", Text: "I will prepare the launch announcement and send it to the press.", Start: 5, End: 10},
		{Speaker: "Ann", Text: "The budget for the launch campaign stays at ten thousand.", Start: 10, End: 15},
	}})
	require.NoError(t, err)
	return tenant{fixture: f, user: e.client(client.WithBearer(tok.AccessToken)), admin: e.client(client.WithAPIKey(f.apiKey, f.app.ClientID)),
		meetingID: m.ID}
}

func manifestFor(hook string) json.RawMessage {
	return json.RawMessage(strings.ReplaceAll(kitManifest, "%WEBHOOK%", hook))
}

func compact(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, raw))
	return b.String()
}

func TestToolkitInstallAndRun(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.tenant(t, "ann@a.example"), e.tenant(t, "bob@b.example")
		hook, events := newReceiver(t), newReceiver(t)
		manifest := manifestFor(hook.srv.URL)
		_, err := a.admin.UpdateApp(ctx, client.AppUpdate{WebhookURL: &events.srv.URL})
		require.NoError(t, err)

		// A dry run validates and creates nothing.
		dry, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "Sales", Slug: "sales", Version: "1.0.0", Manifest: manifest, DryRun: true})
		require.NoError(t, err)
		require.Nil(t, dry.Toolkit)
		require.True(t, dry.Validation.Valid, "%+v", dry.Validation)
		require.Equal(t, client.ManifestSummary{Templates: 1, NextSteps: 2, ActionButtons: 3, Shortcuts: 1, Workflows: 2, CanvasTemplates: 1}, dry.Summary)
		list, err := a.admin.AdminToolkits(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, list.Total)

		created, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "Sales", Slug: "sales", Version: "1.0.0", Manifest: manifest})
		require.NoError(t, err)
		kit := created.Toolkit
		require.Equal(t, compact(t, manifest), string(kit.Manifest), "the manifest comes back exactly as sent")
		got, err := a.admin.AdminToolkit(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, compact(t, manifest), string(got.Manifest))

		// The user of workspace A installs it: a dry run first, which
		// creates nothing.
		plan, err := a.user.InstallToolkit(ctx, kit.ID, true)
		require.NoError(t, err)
		require.True(t, plan.DryRun)
		require.Contains(t, plan.Entities.Templates, "weekly")
		tpls, err := a.user.MeetingTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, tpls.Total)

		inst, err := a.user.InstallToolkit(ctx, kit.ID, false)
		require.NoError(t, err)
		require.Len(t, inst.Entities.ActionButtons, 3)
		require.Len(t, inst.Entities.Workflows, 2)
		require.Equal(t, a.fixture.user.UUID, inst.InstalledByUserID)
		_, err = a.user.InstallToolkit(ctx, kit.ID, false)
		apiErr(t, err, 409, "resource_already_exists")

		items, err := a.user.Toolkits(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 1, items.Total)
		require.True(t, items.Items[0].IsInstalled)
		require.Equal(t, kit.ID, items.Items[0].Toolkit.ID)
		require.Equal(t, 2, items.Items[0].NextStepsCount)

		tpl, err := a.user.MeetingTemplate(ctx, inst.Entities.Templates["weekly"])
		require.NoError(t, err)
		require.Equal(t, 1, *tpl.AgendaItemCount)
		require.Equal(t, 1, *tpl.ParticipantCount)
		require.Len(t, tpl.NextSteps, 2)
		require.True(t, tpl.NextSteps[0].Autopilot)
		require.Len(t, tpl.NextSteps[0].ActionButtons, 2)

		// Applying the template puts its next steps on the meeting.
		applied, err := a.user.ApplyMeetingTemplate(ctx, tpl.ID, a.meetingID)
		require.NoError(t, err)
		require.Equal(t, 2, applied.AppliedItems.NextSteps)
		steps, err := a.user.MeetingNextSteps(ctx, a.meetingID, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 2, steps.Total)
		recap := steps.Items[0]
		require.Equal(t, "Recap", recap.Name)
		buttons, err := a.user.MeetingActionButtons(ctx, a.meetingID, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 3, buttons.Total, "each button once")

		// Executing the AI step runs a job; its result carries the text twice.
		ex, err := a.user.ExecuteNextStep(ctx, a.meetingID, recap.ID, client.ExecuteNextStepRequest{})
		require.NoError(t, err)
		require.Equal(t, "pending", ex.Status)
		var res *client.NextStepResult
		eventually(t, "next step result", func() bool {
			res, err = a.user.NextStepResult(ctx, ex.ResultID)
			require.NoError(t, err)
			return res.Status == "completed"
		})
		require.NotEmpty(t, *res.Content)
		require.Equal(t, *res.Content, *res.GeneratedText)
		require.Contains(t, strings.ToLower(*res.Content), "launch")
		_, err = b.user.NextStepResult(ctx, ex.ResultID)
		apiErr(t, err, 404, "not_found")

		// The redirect step completes at once.
		crm, err := a.user.ExecuteNextStep(ctx, a.meetingID, steps.Items[1].ID, client.ExecuteNextStepRequest{})
		require.NoError(t, err)
		require.Equal(t, "completed", crm.Status)
		require.Equal(t, "https://crm.example.com/"+a.meetingID, crm.RedirectURL)

		// Buttons: the webhook gets the result's text, the document lands in
		// the meeting, the redirect answers its URL.
		byName := map[string]string{}
		for _, bt := range buttons.Items {
			byName[bt.Name] = bt.ID
		}
		tr, err := a.user.TriggerActionButton(ctx, a.meetingID, byName["Send to CRM"], client.TriggerActionButtonRequest{})
		require.NoError(t, err)
		require.Equal(t, "pending", tr.Status)
		require.Equal(t, ex.ResultID, tr.ResultID)
		eventually(t, "webhook delivery", func() bool { return len(hook.received()) == 1 })
		require.Equal(t, *res.Content, hook.received()[0]["content"])
		eventually(t, "invocation completed", func() bool {
			inv, err := e.app.NextSteps.Invocation(ctx, caller.ForSystem(a.org.ID), tr.InvocationID)
			require.NoError(t, err)
			return inv.Status == "completed"
		})
		doc, err := a.user.TriggerActionButton(ctx, a.meetingID, byName["Save as document"],
			client.TriggerActionButtonRequest{Parameters: map[string]any{"content": "Decisions: launch Monday."}})
		require.NoError(t, err)
		eventually(t, "document created", func() bool {
			inv, err := e.app.NextSteps.Invocation(ctx, caller.ForSystem(a.org.ID), doc.InvocationID)
			require.NoError(t, err)
			return inv.Status == "completed" && inv.DocumentUUID != ""
		})
		open, err := a.user.TriggerActionButton(ctx, a.meetingID, byName["Open CRM"], client.TriggerActionButtonRequest{})
		require.NoError(t, err)
		require.Equal(t, "completed", open.Status)
		require.Equal(t, "https://crm.example.com/m/"+a.meetingID, open.RedirectURL)

		// Workflow runs walk the DAG step by step.
		wfs, err := a.admin.WorkflowTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 2, wfs.Total)
		flow, err := a.admin.WorkflowTemplate(ctx, inst.Entities.Workflows["flow"])
		require.NoError(t, err)
		require.Contains(t, string(flow.Spec), `"depends_on"`)
		run, err := a.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: flow.ID, OriginatingID: a.meetingID,
			OriginatingType: "meeting"})
		require.NoError(t, err)
		require.Equal(t, "pending", run.Status)
		require.Equal(t, "manual", run.TriggerType)
		eventually(t, "workflow completed", func() bool {
			run, err = a.user.WorkflowRun(ctx, run.ID)
			require.NoError(t, err)
			return run.Status == "completed"
		})
		for _, st := range run.Steps {
			require.Equal(t, "completed", st.Status, st.NodeID)
		}
		require.Empty(t, run.CurrentStepIDs)
		require.Contains(t, run.ContextJSON["outputs"], "a")
		require.Len(t, hook.received(), 2, "the webhook node posted once")
		broken, err := a.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: inst.Entities.Workflows["broken"],
			OriginatingID: "canvas-1", OriginatingType: "canvas"})
		require.NoError(t, err)
		eventually(t, "workflow failed", func() bool {
			broken, err = a.user.WorkflowRun(ctx, broken.ID)
			require.NoError(t, err)
			return broken.Status == "failed"
		})
		require.Equal(t, "stop here", broken.ErrorMessage)
		failed, err := a.user.WorkflowRuns(ctx, client.WorkflowRunParams{Status: "failed"})
		require.NoError(t, err)
		require.Equal(t, 1, failed.Total)

		// Every change reached the app's webhook through the outbox.
		want := []string{"meeting_template.applied", "next_step.completed", "action_button.triggered", "workflow.run.started",
			"workflow.step.completed", "workflow.run.completed", "workflow.run.failed"}
		eventually(t, "events delivered", func() bool {
			seen := map[string]bool{}
			for _, b := range events.received() {
				if b["partner_app_id"] != nil {
					seen[b["event_type"].(string)] = true
				}
			}
			for _, w := range want {
				if !seen[w] {
					return false
				}
			}
			return true
		})

		// Uninstalling removes exactly what the install created.
		require.NoError(t, a.user.UninstallToolkit(ctx, kit.ID))
		tpls, err = a.user.MeetingTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, tpls.Total)
		steps, err = a.user.MeetingNextSteps(ctx, a.meetingID, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, steps.Total)
		wfs, err = a.admin.WorkflowTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, wfs.Total)
		_, err = a.user.WorkflowRun(ctx, run.ID)
		apiErr(t, err, 404, "not_found")
		apiErr(t, a.user.UninstallToolkit(ctx, kit.ID), 404, "not_found")
	}, "--allow-private-urls=true")
}

func TestToolkitVersionsPropagateAndExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.tenant(t, "cy@a.example")
		manifest := manifestFor("https://hooks.example.com/crm")
		created, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "Sales", Slug: "sales", Version: "1.0.0", Manifest: manifest})
		require.NoError(t, err)
		kit := created.Toolkit
		inst, err := a.user.InstallToolkit(ctx, kit.ID, false)
		require.NoError(t, err)

		versions, err := a.admin.ToolkitVersions(ctx, kit.ID)
		require.NoError(t, err)
		require.Len(t, versions, 1)
		require.Equal(t, "PUBLISHED", versions[0].Status)
		require.Equal(t, 1, versions[0].VersionNumber)

		// A new draft renames the recap step and drops the canvas template.
		v2manifest := json.RawMessage(strings.Replace(strings.Replace(string(manifest), `"name":"Recap"`, `"name":"Launch recap"`, 1),
			`,`+"\n"+`"canvas_templates":[{"spec":{"$id":"cv","name":"Board","canvas_type":"MANUAL","content":{"columns":["todo"]}}}]`, "", 1))
		require.NotContains(t, string(v2manifest), "canvas_templates")
		draft, err := a.admin.CreateToolkitVersion(ctx, kit.ID, client.CreateToolkitVersionRequest{VersionLabel: "1.1.0", Manifest: v2manifest,
			Changelog: "rename"})
		require.NoError(t, err)
		require.Equal(t, "DRAFT", draft.Version.Status)
		require.Equal(t, 2, draft.Version.VersionNumber)
		_, err = a.admin.CreateToolkitVersion(ctx, kit.ID, client.CreateToolkitVersionRequest{VersionLabel: "1.2.0", Manifest: v2manifest})
		apiErr(t, err, 409, "draft_exists")
		label := "1.1.1"
		upd, err := a.admin.UpdateToolkitVersion(ctx, kit.ID, draft.Version.ID, client.ToolkitVersionUpdate{VersionLabel: &label})
		require.NoError(t, err)
		require.Equal(t, "1.1.1", upd.VersionLabel)
		err = a.admin.PublishToolkitVersion(ctx, kit.ID, draft.Version.ID, "sideways")
		apiErr(t, err, 400, "validation_error")
		require.NoError(t, a.admin.PublishToolkitVersion(ctx, kit.ID, draft.Version.ID, "normal"))
		err = a.admin.PublishToolkitVersion(ctx, kit.ID, draft.Version.ID, "")
		apiErr(t, err, 400, "invalid_version_status")
		err = a.admin.DiscardToolkitVersion(ctx, kit.ID, draft.Version.ID)
		apiErr(t, err, 400, "invalid_version_status")

		// Propagation is a job: the installed step is renamed in place (same
		// id), the canvas template is gone.
		recapID := inst.Entities.NextSteps["recap"]
		eventually(t, "propagation", func() bool {
			list, err := a.admin.ToolkitInstallations(ctx, kit.ID, client.PageParams{})
			require.NoError(t, err)
			return len(list.Items) == 1 && list.Items[0].VersionLabel == "1.1.1"
		})
		cur, err := a.user.Toolkit(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, recapID, cur.Installation.Entities.NextSteps["recap"])
		require.Empty(t, cur.Installation.Entities.CanvasTemplates)
		tpl, err := a.user.MeetingTemplate(ctx, inst.Entities.Templates["weekly"])
		require.NoError(t, err)
		require.Equal(t, "Launch recap", tpl.NextSteps[0].Name)

		versions, err = a.admin.ToolkitVersions(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"DEPRECATED", "PUBLISHED"}, []string{versions[0].Status, versions[1].Status})
		require.NoError(t, a.admin.RepublishToolkitVersion(ctx, kit.ID, versions[0].ID))
		versions, err = a.admin.ToolkitVersions(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"PUBLISHED", "DEPRECATED"}, []string{versions[0].Status, versions[1].Status})
		got, err := a.admin.AdminToolkit(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, "1.0.0", got.Version)
		require.Equal(t, compact(t, manifest), string(got.Manifest))

		// A draft can be discarded; settings change by PUT and PATCH, but
		// not the version or manifest.
		d3, err := a.admin.CreateToolkitVersion(ctx, kit.ID, client.CreateToolkitVersionRequest{VersionLabel: "2.0.0", Manifest: manifest})
		require.NoError(t, err)
		require.NoError(t, a.admin.DiscardToolkitVersion(ctx, kit.ID, d3.Version.ID))
		_, err = a.admin.ToolkitVersion(ctx, kit.ID, d3.Version.ID)
		apiErr(t, err, 404, "not_found")
		name, yes := "Sales pro", true
		up, err := a.admin.UpdateToolkit(ctx, kit.ID, client.ToolkitUpdate{Name: &name, AutoPropagate: &yes})
		require.NoError(t, err)
		require.Equal(t, "Sales pro", up.Name)
		require.True(t, up.AutoPropagate)
		no := false
		up, err = a.admin.PatchToolkit(ctx, kit.ID, client.ToolkitUpdate{IsActive: &no})
		require.NoError(t, err)
		require.False(t, up.IsActive)
		_, err = a.user.Toolkit(ctx, kit.ID)
		apiErr(t, err, 404, "not_found")
		_, err = a.admin.UpdateToolkit(ctx, kit.ID, client.ToolkitUpdate{Manifest: manifest})
		apiErr(t, err, 409, "conflict")
		_, err = a.admin.PatchToolkit(ctx, kit.ID, client.ToolkitUpdate{IsActive: &yes})
		require.NoError(t, err)

		// Installations and workspaces.
		ws, err := a.admin.Workspaces(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 1, ws.Total)
		require.Equal(t, a.org.UUID, ws.Items[0].WorkspaceID)
		require.Equal(t, 1, ws.Items[0].UserCount)
		other, err := e.app.Identities.CreateOrg(ctx, "Second workspace")
		require.NoError(t, err)
		app, err := e.app.Identities.AppByClientID(ctx, a.app.ClientID)
		require.NoError(t, err)
		require.NoError(t, e.app.Identities.LinkApp(ctx, app.ID, other.ID))
		il, err := a.admin.ToolkitInstallations(ctx, kit.ID, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 2, il.TotalConnectedWorkspaces)
		require.Equal(t, 1, il.Summary.Active)
		require.Equal(t, 1, il.Summary.NeverInstalled)
		require.Equal(t, 50, il.Limit)

		// Export round trip: the installed entities exported, the toolkit
		// exported and installed again, and those entities exported, give
		// the same manifest.
		// (The workspace still has 1.1.1's entities; reinstalling gives the
		// republished 1.0.0's.)
		require.NoError(t, a.user.UninstallToolkit(ctx, kit.ID))
		fresh, err := a.user.InstallToolkit(ctx, kit.ID, false)
		require.NoError(t, err)
		require.Equal(t, "1.0.0", fresh.VersionLabel)
		before, err := a.admin.ExportEntities(ctx, client.ExportRequest{TemplateIDs: []string{fresh.Entities.Templates["weekly"]}})
		require.NoError(t, err)
		require.Equal(t, 1, before.Summary.Templates)
		require.Equal(t, 2, before.Summary.NextSteps, "the template's steps come along")
		require.Equal(t, 3, before.Summary.ActionButtons, "and their buttons")
		require.NotEmpty(t, before.Warnings)
		exported, err := a.admin.ExportToolkit(ctx, kit.ID)
		require.NoError(t, err)
		require.Equal(t, "sales", exported.Metadata.Slug)
		require.NoError(t, a.user.UninstallToolkit(ctx, kit.ID))
		again, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "Copy", Slug: "sales-copy", Version: "1", Manifest: exported.Manifest})
		require.NoError(t, err)
		reinst, err := a.user.InstallToolkit(ctx, again.Toolkit.ID, false)
		require.NoError(t, err)
		after, err := a.admin.ExportEntities(ctx, client.ExportRequest{TemplateIDs: []string{reinst.Entities.Templates["weekly"]}})
		require.NoError(t, err)
		require.JSONEq(t, string(before.Manifest), string(after.Manifest))

		// Deleting a toolkit removes what it installed.
		require.NoError(t, a.admin.DeleteToolkit(ctx, again.Toolkit.ID))
		tpls, err := a.user.MeetingTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, tpls.Total)
		_, err = a.admin.AdminToolkit(ctx, again.Toolkit.ID)
		apiErr(t, err, 404, "not_found")
	})
}

func TestAdminTemplates(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.tenant(t, "di@a.example"), e.tenant(t, "ed@b.example")
		created, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "Sales", Slug: "sales", Version: "1",
			Manifest: manifestFor("https://hooks.example.com/x")})
		require.NoError(t, err)
		inst, err := a.user.InstallToolkit(ctx, created.Toolkit.ID, false)
		require.NoError(t, err)

		tpl, err := a.admin.CreateTemplate(ctx, client.CreateTemplateRequest{Name: "From the review", Description: "copied",
			BackingMeetingID: a.meetingID})
		require.NoError(t, err)
		require.Equal(t, a.meetingID, tpl.BackingMeetingID)
		require.Equal(t, a.org.UUID, tpl.WorkspaceID)
		_, err = a.admin.CreateTemplate(ctx, client.CreateTemplateRequest{Name: "Foreign", BackingMeetingID: b.meetingID})
		apiErr(t, err, 404, "not_found")
		_, err = a.admin.CreateTemplate(ctx, client.CreateTemplateRequest{Name: "  "})
		apiErr(t, err, 400, "validation_error")

		list, err := a.admin.Templates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 2, list.Total, "the installed template and the new one")
		require.Equal(t, 50, list.Limit)
		name := "Review template"
		upd, err := a.admin.UpdateTemplate(ctx, tpl.ID, client.TemplateUpdate{Name: &name})
		require.NoError(t, err)
		require.Equal(t, name, upd.Name)
		require.Equal(t, "copied", upd.Description)

		recap := inst.Entities.NextSteps["recap"]
		step, err := a.admin.AddTemplateNextStep(ctx, tpl.ID, client.AddTemplateNextStepRequest{NextStepID: recap, Autopilot: true})
		require.NoError(t, err)
		require.Equal(t, recap, step.ID)
		require.True(t, step.Autopilot)
		require.Equal(t, "What did the team decide about the launch?", step.AIPrompt)
		_, err = a.admin.AddTemplateNextStep(ctx, tpl.ID, client.AddTemplateNextStepRequest{NextStepID: recap})
		apiErr(t, err, 409, "resource_already_exists")
		_, err = a.admin.AddTemplateNextStep(ctx, tpl.ID, client.AddTemplateNextStepRequest{NextStepID: "nonexistent"})
		apiErr(t, err, 404, "not_found")
		off := false
		step, err = a.admin.UpdateTemplateNextStep(ctx, tpl.ID, recap, &off)
		require.NoError(t, err)
		require.False(t, step.Autopilot)
		steps, err := a.admin.TemplateNextSteps(ctx, tpl.ID, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 1, steps.Total)

		// The user sees the template in the workspace and applies it.
		ut, err := a.user.MeetingTemplate(ctx, tpl.ID)
		require.NoError(t, err)
		require.Len(t, ut.NextSteps, 1)
		uts, err := a.user.MeetingTemplateNextSteps(ctx, tpl.ID, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 1, uts.Total)

		require.NoError(t, a.admin.RemoveTemplateNextStep(ctx, tpl.ID, recap))
		apiErr(t, a.admin.RemoveTemplateNextStep(ctx, tpl.ID, recap), 404, "not_found")
		require.NoError(t, a.admin.DeleteTemplate(ctx, tpl.ID))
		_, err = a.admin.Template(ctx, tpl.ID)
		apiErr(t, err, 404, "not_found")
	})
}

// TestToolkitTenantMatrix checks that app A's key reaches nothing of app B
// and org A's user nothing of org B, on every route of this area.
func TestToolkitTenantMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.tenant(t, "fa@a.example"), e.tenant(t, "gb@b.example")
		created, err := b.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "B kit", Slug: "b-kit", Version: "1",
			Manifest: manifestFor("https://hooks.example.com/b")})
		require.NoError(t, err)
		kitB := created.Toolkit.ID
		draft, err := b.admin.CreateToolkitVersion(ctx, kitB, client.CreateToolkitVersionRequest{VersionLabel: "2", Manifest: manifestFor("https://h.example.com")})
		require.NoError(t, err)
		vB := draft.Version.ID
		inst, err := b.user.InstallToolkit(ctx, kitB, false)
		require.NoError(t, err)
		tplB := inst.Entities.Templates["weekly"]
		stepB, flowB := inst.Entities.NextSteps["recap"], inst.Entities.Workflows["flow"]
		_, err = b.user.ApplyMeetingTemplate(ctx, tplB, b.meetingID)
		require.NoError(t, err)
		buttonB := inst.Entities.ActionButtons["open"]
		ex, err := b.user.ExecuteNextStep(ctx, b.meetingID, stepB, client.ExecuteNextStepRequest{})
		require.NoError(t, err)
		runB, err := b.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: flowB, OriginatingID: "c", OriginatingType: "canvas"})
		require.NoError(t, err)

		yes := true
		admin := map[string]error{}
		call := func(name string, err error) { admin[name] = err }
		_, err = a.admin.AdminToolkit(ctx, kitB)
		call("getToolkit", err)
		_, err = a.admin.UpdateToolkit(ctx, kitB, client.ToolkitUpdate{IsActive: &yes})
		call("updateToolkit", err)
		_, err = a.admin.PatchToolkit(ctx, kitB, client.ToolkitUpdate{IsActive: &yes})
		call("patchToolkit", err)
		call("deleteToolkit", a.admin.DeleteToolkit(ctx, kitB))
		_, err = a.admin.ToolkitVersions(ctx, kitB)
		call("listToolkitVersions", err)
		_, err = a.admin.CreateToolkitVersion(ctx, kitB, client.CreateToolkitVersionRequest{VersionLabel: "x", Manifest: json.RawMessage(`{}`)})
		call("createToolkitVersion", err)
		_, err = a.admin.ToolkitVersion(ctx, kitB, vB)
		call("getToolkitVersion", err)
		_, err = a.admin.UpdateToolkitVersion(ctx, kitB, vB, client.ToolkitVersionUpdate{})
		call("updateToolkitVersion", err)
		call("publishToolkitVersion", a.admin.PublishToolkitVersion(ctx, kitB, vB, ""))
		call("republishToolkitVersion", a.admin.RepublishToolkitVersion(ctx, kitB, vB))
		call("discardToolkitVersion", a.admin.DiscardToolkitVersion(ctx, kitB, vB))
		_, err = a.admin.ToolkitInstallations(ctx, kitB, client.PageParams{})
		call("getToolkitInstallations", err)
		_, err = a.admin.ExportToolkit(ctx, kitB)
		call("exportToolkit", err)
		_, err = a.admin.ExportEntities(ctx, client.ExportRequest{TemplateIDs: []string{tplB}})
		call("exportEntities", err)
		_, err = a.admin.Template(ctx, tplB)
		call("getTemplate", err)
		_, err = a.admin.UpdateTemplate(ctx, tplB, client.TemplateUpdate{})
		call("updateTemplate", err)
		call("deleteTemplate", a.admin.DeleteTemplate(ctx, tplB))
		_, err = a.admin.TemplateNextSteps(ctx, tplB, client.PageParams{})
		call("getTemplateNextSteps", err)
		_, err = a.admin.AddTemplateNextStep(ctx, tplB, client.AddTemplateNextStepRequest{NextStepID: stepB})
		call("addTemplateNextStep", err)
		_, err = a.admin.UpdateTemplateNextStep(ctx, tplB, stepB, &yes)
		call("updateTemplateNextStep", err)
		call("removeTemplateNextStep", a.admin.RemoveTemplateNextStep(ctx, tplB, stepB))
		_, err = a.admin.WorkflowTemplate(ctx, flowB)
		call("getWorkflowTemplate", err)
		for name, err := range admin {
			require.Error(t, err, name)
			require.Equal(t, 404, client.StatusOf(err), "%s: %v", name, err)
		}
		// Lists of A show none of B.
		kits, err := a.admin.AdminToolkits(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, kits.Total)
		tpls, err := a.admin.Templates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, tpls.Total)
		wfs, err := a.admin.WorkflowTemplates(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Zero(t, wfs.Total)
		ws, err := a.admin.Workspaces(ctx, client.PageParams{})
		require.NoError(t, err)
		require.Equal(t, 1, ws.Total)
		require.Equal(t, a.org.UUID, ws.Items[0].WorkspaceID)

		user := map[string]error{}
		ucall := func(name string, err error) { user[name] = err }
		_, err = a.user.MeetingNextSteps(ctx, b.meetingID, client.PageParams{})
		ucall("getMeetingNextSteps", err)
		_, err = a.user.ExecuteNextStep(ctx, a.meetingID, stepB, client.ExecuteNextStepRequest{})
		ucall("executeNextStep", err)
		_, err = a.user.ExecuteNextStep(ctx, b.meetingID, stepB, client.ExecuteNextStepRequest{})
		ucall("executeNextStep (meeting)", err)
		_, err = a.user.NextStepResult(ctx, ex.ResultID)
		ucall("getNextStepResult", err)
		_, err = a.user.MeetingActionButtons(ctx, b.meetingID, client.PageParams{})
		ucall("getMeetingActionButtons", err)
		_, err = a.user.TriggerActionButton(ctx, a.meetingID, buttonB, client.TriggerActionButtonRequest{})
		ucall("triggerActionButton", err)
		_, err = a.user.Toolkit(ctx, kitB)
		ucall("getToolkit", err)
		_, err = a.user.InstallToolkit(ctx, kitB, false)
		ucall("installToolkit", err)
		ucall("uninstallToolkit", a.user.UninstallToolkit(ctx, kitB))
		_, err = a.user.WorkspaceToolkits(ctx, b.org.UUID, client.PageParams{})
		ucall("getWorkspaceToolkits", err)
		ucall("uninstallWorkspaceToolkit", a.user.UninstallWorkspaceToolkit(ctx, b.org.UUID, kitB))
		_, err = a.user.MeetingTemplate(ctx, tplB)
		ucall("getMeetingTemplate", err)
		_, err = a.user.MeetingTemplateNextSteps(ctx, tplB, client.PageParams{})
		ucall("getMeetingTemplateNextSteps", err)
		_, err = a.user.ApplyMeetingTemplate(ctx, tplB, a.meetingID)
		ucall("applyMeetingTemplate", err)
		_, err = a.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: flowB, OriginatingID: "c", OriginatingType: "canvas"})
		ucall("createWorkflowRun", err)
		_, err = a.user.WorkflowRun(ctx, runB.ID)
		ucall("getWorkflowRun", err)
		for name, err := range user {
			require.Error(t, err, name)
			require.Equal(t, 404, client.StatusOf(err), "%s: %v", name, err)
		}
		for _, l := range []func() (int, error){
			func() (int, error) { p, err := a.user.Toolkits(ctx, client.PageParams{}); return p.Total, err },
			func() (int, error) { p, err := a.user.MeetingTemplates(ctx, client.PageParams{}); return p.Total, err },
			func() (int, error) {
				p, err := a.user.WorkflowRuns(ctx, client.WorkflowRunParams{})
				return p.Total, err
			},
		} {
			n, err := l()
			require.NoError(t, err)
			require.Zero(t, n)
		}
		// B's rows are untouched.
		still, err := b.admin.AdminToolkit(ctx, kitB)
		require.NoError(t, err)
		require.True(t, still.IsActive)
	})
}

func TestToolkitBadInputs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.tenant(t, "hi@a.example")
		bad := []struct {
			name   string
			req    client.CreateToolkitRequest
			status int
			code   string
		}{
			{"no name", client.CreateToolkitRequest{Slug: "s", Version: "1", Manifest: json.RawMessage(`{}`)}, 400, "validation_error"},
			{"bad slug", client.CreateToolkitRequest{Name: "n", Slug: "Not A Slug", Version: "1", Manifest: json.RawMessage(`{}`)}, 400, "validation_error"},
			{"no version", client.CreateToolkitRequest{Name: "n", Slug: "s", Manifest: json.RawMessage(`{}`)}, 400, "validation_error"},
			{"manifest not an object", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(`[1]`)}, 400,
				"manifest_validation_failed"},
			{"no manifest", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1"}, 400, "manifest_validation_failed"},
			{"bad entity", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(
				`{"action_buttons":[{"spec":{"name":"x","content_format":"markdown","delivery_mechanism":"pigeon"}}]}`)}, 400, "manifest_validation_failed"},
			{"dangling ref", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(
				`{"next_steps":[{"spec":{"name":"x","type":"ai","ai_prompt":"p"},"action_buttons":[{"action_button":{"$ref":"nope"}}]}]}`)}, 400,
				"manifest_validation_failed"},
			{"unknown entity", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(
				`{"templates":[{"id":"6f1c2a4e-0000-4000-8000-000000000000"}]}`)}, 400, "manifest_validation_failed"},
			{"cyclic workflow", client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(
				`{"workflows":[{"spec":{"name":"w","spec":{"nodes":[{"id":"a","type":"noop","depends_on":["b"]},{"id":"b","type":"noop","depends_on":["a"]}]}}}]}`)},
				400, "manifest_validation_failed"},
		}
		for _, c := range bad {
			_, err := a.admin.CreateToolkit(ctx, c.req)
			ce := apiErr(t, err, c.status, c.code)
			if c.code == "manifest_validation_failed" {
				require.NotNil(t, ce.Body["validation"], c.name)
			}
		}
		// A dry run reports the same problems with 200.
		dry, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", DryRun: true,
			Manifest: json.RawMessage(`{"next_steps":[{"id":"x","spec":{"name":"y"}}]}`)})
		require.NoError(t, err)
		require.False(t, dry.Validation.Valid)
		require.Equal(t, "mutually_exclusive", dry.Validation.Errors[0].Code)

		_, err = a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(`{}`)})
		require.NoError(t, err)
		_, err = a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(`{}`)})
		apiErr(t, err, 400, "toolkit_slug_collision")
		dry, err = a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "n", Slug: "s", Version: "1", Manifest: json.RawMessage(`{}`), DryRun: true})
		require.NoError(t, err)
		require.Equal(t, "slug_exists", dry.Conflicts[0].ConflictType)

		_, err = a.admin.AdminToolkits(ctx, client.PageParams{Limit: 101})
		apiErr(t, err, 400, "validation_error")
		_, err = a.admin.AdminToolkit(ctx, "nonexistent")
		apiErr(t, err, 404, "not_found")
		_, err = a.admin.ExportEntities(ctx, client.ExportRequest{})
		apiErr(t, err, 400, "validation_error")
		_, err = a.user.MeetingNextSteps(ctx, "nonexistent", client.PageParams{})
		apiErr(t, err, 404, "not_found")
		_, err = a.user.NextStepResult(ctx, "nonexistent")
		apiErr(t, err, 404, "not_found")
		_, err = a.user.WorkflowRuns(ctx, client.WorkflowRunParams{Status: "sleeping"})
		apiErr(t, err, 400, "validation_error")
		_, err = a.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: "x", OriginatingID: "y", OriginatingType: "email"})
		apiErr(t, err, 400, "validation_error")
		_, err = a.user.CreateWorkflowRun(ctx, client.CreateWorkflowRunRequest{WorkflowTemplateID: "nonexistent", OriginatingID: "y", OriginatingType: "canvas"})
		apiErr(t, err, 404, "not_found")
		_, err = a.user.Toolkits(ctx, client.PageParams{Limit: 500})
		apiErr(t, err, 400, "validation_error")

		// A step with no transcript to run over is refused with the spec's code.
		created, err := a.admin.CreateToolkit(ctx, client.CreateToolkitRequest{Name: "k", Slug: "k", Version: "1", Manifest: manifestFor("https://h.example.com")})
		require.NoError(t, err)
		inst, err := a.user.InstallToolkit(ctx, created.Toolkit.ID, false)
		require.NoError(t, err)
		empty, err := cloudClient(t, e, a.fixture, "x").ImportMeeting(ctx, client.NewMeeting{Title: "Empty"})
		require.NoError(t, err)
		_, err = a.user.ExecuteNextStep(ctx, empty.ID, inst.Entities.NextSteps["recap"], client.ExecuteNextStepRequest{})
		apiErr(t, err, 400, "next_step_no_meeting_content")
		// A document button with nothing to deliver is refused.
		_, err = a.user.TriggerActionButton(ctx, empty.ID, inst.Entities.ActionButtons["doc"], client.TriggerActionButtonRequest{})
		apiErr(t, err, 400, "no_content")

		// A token without the toolkit scopes is refused.
		app, err := e.app.Identities.AppByClientID(ctx, a.app.ClientID)
		require.NoError(t, err)
		tok, err := e.app.OAuth.IssueForUser(ctx, app, a.fixture.user, "openid meetings:read")
		require.NoError(t, err)
		narrow := e.client(client.WithBearer(tok.AccessToken))
		_, err = narrow.Toolkits(ctx, client.PageParams{})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = narrow.WorkflowRuns(ctx, client.WorkflowRunParams{})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = narrow.ExecuteNextStep(ctx, a.meetingID, inst.Entities.NextSteps["recap"], client.ExecuteNextStepRequest{})
		apiErr(t, err, 403, "insufficient_scope")
	})
}
