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
		hook := newReceiver(t)
		manifest := manifestFor(hook.srv.URL)

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
