package template_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
)

// content is an in-memory meeting content store standing in for the
// partner-core agenda and participant services.
type content struct {
	agenda       map[int64][]template.AgendaItem
	participants map[int64][]template.Participant
}

func (c *content) Agenda(_ context.Context, _ caller.Caller, id int64) ([]template.AgendaItem, error) {
	return c.agenda[id], nil
}

func (c *content) Participants(_ context.Context, _ caller.Caller, id int64) ([]template.Participant, error) {
	return c.participants[id], nil
}

func (c *content) AddAgendaTx(_ context.Context, _ *jobs.Tx, _ caller.Caller, id int64, items []template.AgendaItem) (int, error) {
	c.agenda[id] = append(c.agenda[id], items...)
	return len(items), nil
}

func (c *content) AddParticipantsTx(_ context.Context, _ *jobs.Tx, _ caller.Caller, id int64, ps []template.Participant) (int, error) {
	c.participants[id] = append(c.participants[id], ps...)
	return len(ps), nil
}

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

func TestCreateFromMeetingAndApply(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		require.NoError(t, jobs.Migrate(ctx, db))
		q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
		require.NoError(t, err)
		ids := identity.NewService(db, false)
		meetings := meeting.NewService(db, q, nil, nil)
		cont := &content{agenda: map[int64][]template.AgendaItem{}, participants: map[int64][]template.Participant{}}
		events := &recorder{}
		svc := template.NewService(template.Config{DB: db, Queue: q, NextSteps: nextstep.NewService(nextstep.Config{DB: db, Queue: q}),
			Content: cont, Events: events})
		kits := toolkit.NewService(db, q, nil)

		var admins, users [2]caller.Caller
		var ms [2]meeting.Meeting
		for i, name := range []string{"A", "B"} {
			org, err := ids.CreateOrg(ctx, name)
			require.NoError(t, err)
			u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: name + "@example.com", Name: name})
			require.NoError(t, err)
			app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"https://x.example/cb"}})
			require.NoError(t, err)
			admins[i] = caller.Caller{Credential: caller.AdminKey, AppID: app.ID, OrgID: org.ID}
			users[i] = caller.Caller{Credential: caller.UserToken, AppID: app.ID, OrgID: org.ID, UserID: u.ID}
			ms[i], err = meetings.Create(ctx, users[i], meeting.New{Title: "Planning " + name})
			require.NoError(t, err)
		}
		cont.agenda[ms[0].ID] = []template.AgendaItem{{ItemType: "DISCUSSION", Title: "Roadmap", TalkingPoints: "mine"}}
		cont.participants[ms[0].ID] = []template.Participant{{Email: "x@example.com", Name: "X", Role: "VIEWER"}}

		tpl, err := svc.Create(ctx, admins[0], template.New{Name: "From planning", BackingMeetingID: ms[0].UUID})
		require.NoError(t, err)
		require.Equal(t, "Planning A", tpl.Title)
		require.Equal(t, "mine", tpl.Agenda[0].TalkingPoints, "talking points are copied")
		require.Len(t, tpl.Participants, 1)
		_, err = svc.Create(ctx, admins[0], template.New{Name: "Foreign", BackingMeetingID: ms[1].UUID})
		require.ErrorIs(t, err, fault.ErrNotFound, "app A reaches no meeting of B's workspace")

		// A next step from a toolkit goes on the template.
		created, err := kits.Create(ctx, admins[0], toolkit.NewToolkit{Name: "K", Slug: "k", Version: "1", Manifest: json.RawMessage(
			`{"next_steps":[{"spec":{"$id":"r","name":"Recap","type":"ai","ai_prompt":"Summarize"}}]}`)})
		require.NoError(t, err)
		inst, err := kits.Install(ctx, users[0], created.Toolkit.UUID, false)
		require.NoError(t, err)
		step := inst.Entities[toolkit.KindNextStep]["r"]
		link, err := svc.AddNextStep(ctx, admins[0], tpl.UUID, step, true, nil)
		require.NoError(t, err)
		require.True(t, link.Autopilot)
		_, err = svc.AddNextStep(ctx, admins[1], tpl.UUID, step, true, nil)
		require.ErrorIs(t, err, fault.ErrNotFound)

		// Applying writes agenda, participants and next steps onto a meeting
		// of the same workspace, and emits meeting_template.applied there.
		target, err := meetings.Create(ctx, users[0], meeting.New{Title: "Next planning"})
		require.NoError(t, err)
		a, err := svc.Apply(ctx, users[0], target.UUID, tpl.UUID)
		require.NoError(t, err)
		require.Equal(t, 1, a.AgendaItems)
		require.Equal(t, 1, a.Participants)
		require.Equal(t, 1, a.NextSteps)
		require.Len(t, cont.agenda[target.ID], 1)
		require.Len(t, events.events, 1)
		ev := events.events[0]
		require.Equal(t, template.EventApplied, ev.typ)
		require.Equal(t, users[0].OrgID, ev.orgID)
		require.Equal(t, tpl.UUID, ev.data.(*template.Applied).TemplateID)
		again, err := svc.Apply(ctx, users[0], target.UUID, tpl.UUID)
		require.NoError(t, err)
		require.Zero(t, again.NextSteps, "next steps already on the meeting are not added twice")

		// Meeting creation applies a template inside its own transaction.
		third, err := meetings.Create(ctx, users[0], meeting.New{Title: "Third planning"})
		require.NoError(t, err)
		require.NoError(t, q.Tx(ctx, func(tx *jobs.Tx) error { return svc.ApplyTemplate(ctx, tx, users[0], tpl.UUID, third) }))
		require.Len(t, cont.agenda[third.ID], 1)
		require.ErrorIs(t, q.Tx(ctx, func(tx *jobs.Tx) error { return svc.ApplyTemplate(ctx, tx, users[1], tpl.UUID, ms[1]) }), fault.ErrNotFound)

		_, err = svc.Apply(ctx, users[1], ms[1].UUID, tpl.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound, "B's user reaches no template of A")
		_, err = svc.Apply(ctx, users[0], ms[1].UUID, tpl.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound, "nor a meeting of B")

		// Admin scope is the app; user scope the workspace.
		p, err := svc.List(ctx, admins[1], page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		p, err = svc.List(ctx, users[0], page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.ErrorIs(t, svc.Delete(ctx, admins[1], tpl.UUID), fault.ErrNotFound)
		require.NoError(t, svc.Delete(ctx, admins[0], tpl.UUID))
	})
}
