package nextstep_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/transcript"
)

type emitted struct {
	typ   string
	orgID int64
	data  any
}

type recorder struct{ events []emitted }

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.events = append(r.events, emitted{e.Type, e.OrgID, e.Data})
	return nil
}

type mailbox struct{ sent []mail.Message }

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.sent = append(m.sent, msg)
	return nil
}

const kit = `{"action_buttons":[
 {"spec":{"$id":"hook","name":"Hook","content_format":"markdown","delivery_mechanism":"webhook","webhook_url":"%HOOK%"}},
 {"spec":{"$id":"mail","name":"Mail","content_format":"plain_text","delivery_mechanism":"email","email_subject_template":"Recap of {meeting_id}"}},
 {"spec":{"$id":"go","name":"Go","content_format":"plain_text","delivery_mechanism":"redirect","redirect_url":"https://x.example.com/{meeting_id}?r={result_id}"}}],
"next_steps":[{"spec":{"$id":"recap","name":"Recap","type":"ai","ai_prompt":"What was decided about the launch?"},
  "action_buttons":[{"action_button":{"$ref":"hook"}},{"action_button":{"$ref":"mail"}},{"action_button":{"$ref":"go"}}]}],
"templates":[{"spec":{"$id":"t","name":"T"},"next_steps":[{"next_step":{"$ref":"recap"}}]}]}`

func TestExecuteAndTrigger(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		require.NoError(t, jobs.Migrate(ctx, db))
		q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
		require.NoError(t, err)
		var hooked []map[string]any
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			_ = json.NewDecoder(r.Body).Decode(&m)
			hooked = append(hooked, m)
		}))
		defer hook.Close()
		ids := identity.NewService(db, false)
		meetings := meeting.NewService(db, q, nil, nil)
		events, box := &recorder{}, &mailbox{}
		svc := nextstep.NewService(nextstep.Config{DB: db, Queue: q, Meetings: meetings, Engine: offline.Engine{}, Mail: box,
			HTTP: &http.Client{Timeout: 5 * time.Second}, Events: events})
		templates := template.NewService(template.Config{DB: db, Queue: q, NextSteps: svc})
		kits := toolkit.NewService(db, q, nil)

		var users [2]caller.Caller
		var ms [2]meeting.Meeting
		var entities toolkit.Entities
		for i, name := range []string{"A", "B"} {
			org, err := ids.CreateOrg(ctx, name)
			require.NoError(t, err)
			u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: name + "@example.com", Name: name})
			require.NoError(t, err)
			app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"https://x.example/cb"}})
			require.NoError(t, err)
			users[i] = caller.Caller{Credential: caller.UserToken, AppID: app.ID, OrgID: org.ID, UserID: u.ID}
			ms[i], err = meetings.Create(ctx, users[i], meeting.New{Title: "Launch", Segments: []transcript.Segment{
				{Speaker: "Ann", Text: "We decided to launch the product on Monday.", End: 3},
				{Speaker: "Bob", Text: "I will write the launch announcement.", Start: 3, End: 6}}})
			require.NoError(t, err)
			created, err := kits.Create(ctx, caller.Caller{Credential: caller.AdminKey, AppID: app.ID, OrgID: org.ID},
				toolkit.NewToolkit{Name: "K", Slug: "k", Version: "1", Manifest: json.RawMessage(strings.ReplaceAll(kit, "%HOOK%", hook.URL))})
			require.NoError(t, err)
			inst, err := kits.Install(ctx, users[i], created.Toolkit.UUID, false)
			require.NoError(t, err)
			if i == 0 {
				entities = inst.Entities
			}
		}
		a, b := users[0], users[1]
		recap := entities[toolkit.KindNextStep]["recap"]
		_, err = templates.Apply(ctx, a, ms[0].UUID, entities[toolkit.KindTemplate]["t"])
		require.NoError(t, err)

		steps, err := svc.ForMeeting(ctx, a, ms[0].UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, steps.Total)
		require.Len(t, steps.Items[0].Buttons, 3)
		buttons, err := svc.ButtonsForMeeting(ctx, a, ms[0].UUID, page.Request{Limit: 2})
		require.NoError(t, err)
		require.Equal(t, 3, buttons.Total)
		require.Len(t, buttons.Items, 2)
		_, err = svc.ForMeeting(ctx, b, ms[0].UUID, page.Request{})
		require.ErrorIs(t, err, fault.ErrNotFound)

		// The next step of A cannot run in B, nor over B's meeting.
		_, err = svc.Execute(ctx, b, ms[1].UUID, recap, nextstep.ExecuteInput{})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.Execute(ctx, a, ms[1].UUID, recap, nextstep.ExecuteInput{})
		require.ErrorIs(t, err, fault.ErrNotFound)

		res, err := svc.Execute(ctx, a, ms[0].UUID, recap, nextstep.ExecuteInput{})
		require.NoError(t, err)
		require.Equal(t, nextstep.StatusPending, res.Status)
		require.WithinDuration(t, res.CreatedAt.Add(nextstep.ResultTTL), res.ExpiresAt, time.Second)
		w := &nextstep.ExecuteWorker{Service: svc}
		job := &river.Job[nextstep.ExecuteArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3}, Args: nextstep.ExecuteArgs{ResultID: res.ID}}
		require.NoError(t, w.Work(ctx, job))
		require.NoError(t, w.Work(ctx, job), "a second run finds it final")
		got, err := svc.Result(ctx, a, res.UUID)
		require.NoError(t, err)
		require.Equal(t, nextstep.StatusCompleted, got.Status)
		require.Contains(t, strings.ToLower(got.Content), "launch")
		_, err = svc.Result(ctx, b, res.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		completed := 0
		for _, e := range events.events {
			if e.typ == nextstep.EventNextStepCompleted {
				completed++
				require.Equal(t, a.OrgID, e.orgID)
				require.Equal(t, res.UUID, e.data.(*nextstep.NextStepCompleted).ResultID)
			}
		}
		require.Equal(t, 1, completed, "one event for a job run twice")

		byName := map[string]string{}
		for _, bt := range steps.Items[0].Buttons {
			byName[bt.Name] = bt.UUID
		}
		// The redirect fills in the meeting and the result it delivers.
		inv, err := svc.Trigger(ctx, a, ms[0].UUID, byName["Go"], nextstep.TriggerInput{})
		require.NoError(t, err)
		require.Equal(t, nextstep.StatusCompleted, inv.Status)
		require.Equal(t, "https://x.example.com/"+ms[0].UUID+"?r="+res.UUID, inv.RedirectURL)
		_, err = svc.Trigger(ctx, b, ms[1].UUID, byName["Go"], nextstep.TriggerInput{})
		require.ErrorIs(t, err, fault.ErrNotFound, "A's button is not B's")

		deliver := func(inv nextstep.Invocation) nextstep.Invocation {
			t.Helper()
			require.Equal(t, nextstep.StatusPending, inv.Status)
			tw := &nextstep.TriggerWorker{Service: svc}
			require.NoError(t, tw.Work(ctx, &river.Job[nextstep.TriggerArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3},
				Args: nextstep.TriggerArgs{InvocationID: inv.ID}}))
			out, err := svc.Invocation(ctx, a, inv.UUID)
			require.NoError(t, err)
			return out
		}
		inv, err = svc.Trigger(ctx, a, ms[0].UUID, byName["Hook"], nextstep.TriggerInput{})
		require.NoError(t, err)
		require.Equal(t, nextstep.StatusCompleted, deliver(inv).Status)
		require.Len(t, hooked, 1)
		require.Equal(t, got.Content, hooked[0]["content"])

		inv, err = svc.Trigger(ctx, a, ms[0].UUID, byName["Mail"], nextstep.TriggerInput{AddressingValues: map[string]string{"to": "team@example.com"}})
		require.NoError(t, err)
		require.Equal(t, nextstep.StatusCompleted, deliver(inv).Status)
		require.Len(t, box.sent, 1)
		require.Equal(t, "team@example.com", box.sent[0].To)
		require.Equal(t, "Recap of "+ms[0].UUID, box.sent[0].Subject)
		require.Equal(t, got.Content, box.sent[0].Body)
		_, err = svc.Invocation(ctx, b, inv.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)

		triggered := 0
		for _, e := range events.events {
			if e.typ == nextstep.EventActionButtonTriggered {
				triggered++
				require.Equal(t, a.OrgID, e.orgID)
			}
		}
		require.Equal(t, 3, triggered)
	})
}
