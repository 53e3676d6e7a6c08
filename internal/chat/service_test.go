package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

// echo answers every question with its message, or fails when asked to.
type echo struct {
	mu        sync.Mutex
	questions []Question
}

func (e *echo) Answer(_ context.Context, c caller.Caller, q Question) (Answer, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.questions = append(e.questions, q)
	if strings.Contains(q.Message, "fail") {
		return Answer{}, errors.New("model exploded")
	}
	return Answer{Content: "re: " + q.Message, Metadata: AgentMetadata{Model: "echo", ToolCalls: []ToolCall{{Name: "search_meeting", Status: "success"}},
		ReferencedDocuments: []string{}}}, nil
}

type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) last() event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1]
}

type noDocs struct{}

func (noDocs) Check(_ context.Context, _ caller.Caller, ids []string) error {
	if len(ids) > 0 {
		return fault.NotFound("context document")
	}
	return nil
}

type world struct {
	svc      *Service
	echo     *echo
	events   *recorder
	a1, a2   caller.Caller // two apps of organization A, one user
	a3       caller.Caller // another user of organization A, app 1
	b        caller.Caller
	meeting  meeting.Meeting
	foreignM meeting.Meeting
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	meetings := meeting.NewService(db, q, nil, nil)
	mk := func(org identity.Org, email string, apps ...identity.App) []caller.Caller {
		u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "U", Password: "correct horse battery"})
		require.NoError(t, err)
		var out []caller.Caller
		for _, a := range apps {
			out = append(out, caller.Caller{Credential: caller.UserToken, OrgID: org.ID, AppID: a.ID, UserID: u.ID, UserRef: email})
		}
		return out
	}
	app := func(org identity.Org, name string) identity.App {
		a, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"http://127.0.0.1/cb"}})
		require.NoError(t, err)
		return a
	}
	orgA, err := ids.CreateOrg(ctx, "A")
	require.NoError(t, err)
	orgB, err := ids.CreateOrg(ctx, "B")
	require.NoError(t, err)
	appA1, appA2, appB := app(orgA, "A1"), app(orgA, "A2"), app(orgB, "B")
	as := mk(orgA, "ann@a.example", appA1, appA2)
	a3 := mk(orgA, "raj@a.example", appA1)[0]
	b := mk(orgB, "bob@b.example", appB)[0]
	segs := []transcript.Segment{{Speaker: "Ann", Text: "We ship on Monday."}}
	m, err := meetings.Create(ctx, as[0], meeting.New{Title: "Launch", Segments: segs})
	require.NoError(t, err)
	mb, err := meetings.Create(ctx, b, meeting.New{Title: "Other", Segments: segs})
	require.NoError(t, err)
	e, rec := &echo{}, &recorder{}
	svc := NewService(Config{DB: db, Queue: q, Access: contextdoc.OrgAccess{Meetings: meetings}, Documents: noDocs{}, Assistant: e,
		Events: rec, Logger: logger})
	return world{svc: svc, echo: e, events: rec, a1: as[0], a2: as[1], a3: a3, b: b, meeting: m, foreignM: mb}
}

func kindOf(t *testing.T, err error, kind fault.Kind, code string) {
	t.Helper()
	fe, ok := fault.As(err)
	require.True(t, ok, "want a fault, got %v", err)
	require.Equal(t, kind, fe.Kind, "%v", err)
	if code != "" {
		require.Equal(t, code, fe.Code)
	}
}

func (w world) answer(t *testing.T, ses Session, turn Turn) error {
	t.Helper()
	return w.svc.Answer(context.Background(), TurnArgs{OrgID: ses.OrgID, SessionID: ses.ID, TurnID: turn.ID})
}

func TestSessionLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ses, first, err := w.svc.Create(ctx, w.a1, NewSession{Message: "What did we decide?", MeetingID: w.meeting.UUID,
			Metadata: map[string]string{"crm": "42"}})
		require.NoError(t, err)
		require.Equal(t, StatusActive, ses.Status)
		require.Equal(t, w.meeting.UUID, ses.MeetingUUID)
		require.Equal(t, 1, first.Sequence)
		require.Equal(t, TurnQueued, first.Status)
		require.Equal(t, RoleUser, first.Role)

		require.NoError(t, w.answer(t, ses, first))
		require.NoError(t, w.answer(t, ses, first), "a second run leaves the answered turn alone")
		got, err := w.svc.Turn(ctx, w.a1, ses.UUID, first.UUID)
		require.NoError(t, err)
		require.Equal(t, TurnCompleted, got.Status)
		require.False(t, got.CompletedAt.IsZero())
		ev := w.events.last()
		require.Equal(t, TurnCompletedEvent, ev.Type)
		data := ev.Data.(*TurnCompletedData)
		require.Equal(t, 2, data.SequenceNumber)
		require.Equal(t, w.meeting.UUID, *data.MeetingID)
		require.Equal(t, w.a1.AppID, ev.AppID)
		require.Equal(t, w.a1.UserID, ev.ForUserID)
		require.True(t, ev.AppOnly)
		reply, err := w.svc.Turn(ctx, w.a1, ses.UUID, data.TurnID)
		require.NoError(t, err)
		require.Equal(t, RoleAgent, reply.Role)
		require.Equal(t, "re: What did we decide?", reply.Content)
		require.Equal(t, "echo", reply.Agent.Model)
		require.Len(t, w.echo.questions, 1)
		require.Equal(t, w.meeting.UUID, w.echo.questions[0].MeetingUUID)

		// Two more messages queue behind each other and are answered in order.
		s3, err := w.svc.Send(ctx, w.a1, ses.UUID, "And who owns it?", "")
		require.NoError(t, err)
		require.Equal(t, 3, s3.Turn.Sequence)
		require.Equal(t, 1, s3.Position)
		require.Equal(t, 1, s3.Queued)
		s5, err := w.svc.Send(ctx, w.a1, ses.UUID, "Please fail this one", "")
		require.NoError(t, err)
		require.Equal(t, 5, s5.Turn.Sequence)
		require.Equal(t, 2, s5.Position)
		require.Equal(t, 2, s5.Queued)

		var snooze *river.JobSnoozeError
		require.ErrorAs(t, w.answer(t, ses, s5.Turn), &snooze, "turn 5 waits for turn 3")
		require.NoError(t, w.answer(t, ses, s3.Turn))
		require.NoError(t, w.answer(t, ses, s5.Turn))
		last := w.echo.questions[len(w.echo.questions)-1]
		require.Len(t, last.History, 4, "the earlier exchanges are the history")

		failed, err := w.svc.Turn(ctx, w.a1, ses.UUID, s5.Turn.UUID)
		require.NoError(t, err)
		require.Equal(t, TurnFailed, failed.Status)
		require.Equal(t, ErrAgent, failed.ErrorCode)
		require.Equal(t, TurnFailedEvent, w.events.last().Type)

		// The next message skips the failed turn's answer slot.
		s7, err := w.svc.Send(ctx, w.a1, ses.UUID, "One more", "")
		require.NoError(t, err)
		require.Equal(t, 7, s7.Turn.Sequence)

		// Undelivered: each finished turn is shown once; unfinished ones again.
		_, p, err := w.svc.Get(ctx, w.a1, ses.UUID, View{})
		require.NoError(t, err)
		require.Equal(t, 6, p.Total)
		require.Len(t, p.Items, 6)
		_, p, err = w.svc.Get(ctx, w.a1, ses.UUID, View{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, 7, p.Items[0].Sequence)
		require.NoError(t, w.answer(t, ses, s7.Turn))
		_, p, err = w.svc.Get(ctx, w.a1, ses.UUID, View{})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
		_, p, err = w.svc.Get(ctx, w.a1, ses.UUID, View{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
		require.NotNil(t, p.Items)
		got2, p, err := w.svc.Get(ctx, w.a1, ses.UUID, View{AllTurns: true, Limit: 3, Offset: 3})
		require.NoError(t, err)
		require.Equal(t, 7, p.Total)
		require.Len(t, p.Items, 3)
		require.Equal(t, 4, p.Items[0].Sequence)
		require.Equal(t, 7, got2.TurnCount)

		_, _, err = w.svc.Get(ctx, w.a1, ses.UUID, View{Limit: 201})
		kindOf(t, err, fault.KindInvalid, "validation_error")
	})
}

func TestSessionsAreTheirOwners(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ses, first, err := w.svc.Create(ctx, w.a1, NewSession{Message: "hi", MeetingID: w.meeting.UUID})
		require.NoError(t, err)
		_, _, err = w.svc.Create(ctx, w.a1, NewSession{Message: "about everything"})
		require.NoError(t, err)

		p, err := w.svc.List(ctx, w.a1, Filter{}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 2, p.Total)
		p, err = w.svc.List(ctx, w.a1, Filter{MeetingID: w.meeting.UUID, Status: StatusActive}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, ses.UUID, p.Items[0].UUID)
		p, err = w.svc.List(ctx, w.a1, Filter{MeetingID: "nonexistent"}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 0, p.Total)
		_, err = w.svc.List(ctx, w.a1, Filter{Status: "open"}, page.Request{})
		kindOf(t, err, fault.KindInvalid, "validation_error")

		for name, other := range map[string]caller.Caller{"other app": w.a2, "other user": w.a3, "other org": w.b} {
			p, err := w.svc.List(ctx, other, Filter{}, page.Request{})
			require.NoError(t, err, name)
			require.Equal(t, 0, p.Total, name)
			_, _, err = w.svc.Get(ctx, other, ses.UUID, View{})
			require.ErrorIs(t, err, fault.ErrNotFound, name)
			_, err = w.svc.Turn(ctx, other, ses.UUID, first.UUID)
			require.ErrorIs(t, err, fault.ErrNotFound, name)
			_, err = w.svc.Send(ctx, other, ses.UUID, "hello", "")
			require.ErrorIs(t, err, fault.ErrNotFound, name)
		}
		_, err = w.svc.Turn(ctx, w.a1, ses.UUID, "nonexistent")
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, _, err = w.svc.Create(ctx, w.b, NewSession{Message: "hi", MeetingID: w.meeting.UUID})
		require.ErrorIs(t, err, fault.ErrNotFound, "another organization's meeting")
		_, err = w.svc.Send(ctx, w.a1, ses.UUID, "hi", w.foreignM.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
	})
}

func TestSessionLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		create := func(n NewSession) error { _, _, err := w.svc.Create(ctx, w.a1, n); return err }
		kindOf(t, create(NewSession{Message: "  "}), fault.KindInvalid, "validation_error")
		kindOf(t, create(NewSession{Message: strings.Repeat("é", MaxMessageRunes+1)}), fault.KindInvalid, "validation_error")
		require.NoError(t, create(NewSession{Message: strings.Repeat("é", MaxMessageRunes)}))
		big := map[string]string{}
		for i := range MaxMetadataKeys + 1 {
			big[fmt.Sprint("k", i)] = "v"
		}
		kindOf(t, create(NewSession{Message: "m", Metadata: big}), fault.KindInvalid, "validation_error")
		kindOf(t, create(NewSession{Message: "m", Metadata: map[string]string{"k": strings.Repeat("v", 1025)}}), fault.KindInvalid, "validation_error")
		kindOf(t, create(NewSession{Message: "m", Metadata: map[string]string{strings.Repeat("k", 257): "v"}}), fault.KindInvalid, "validation_error")
		kindOf(t, create(NewSession{Message: "m", DocumentIDs: []string{"nonexistent"}}), fault.KindNotFound, "not_found")
		kindOf(t, create(NewSession{Message: "m", MeetingID: "nonexistent"}), fault.KindNotFound, "not_found")

		// A session holds 200 turns: 100 messages and their answers.
		ses, _, err := w.svc.Create(ctx, w.a1, NewSession{Message: "1"})
		require.NoError(t, err)
		for i := 2; i <= MaxTurns/2; i++ {
			_, err := w.svc.Send(ctx, w.a1, ses.UUID, fmt.Sprint(i), "")
			require.NoError(t, err, i)
		}
		_, err = w.svc.Send(ctx, w.a1, ses.UUID, "one too many", "")
		kindOf(t, err, fault.KindConflict, "turn_limit_reached")

		// Sending to a session about another meeting is refused.
		ms, _, err := w.svc.Create(ctx, w.a1, NewSession{Message: "m"})
		require.NoError(t, err)
		_, err = w.svc.Send(ctx, w.a1, ms.UUID, "attach", w.meeting.UUID)
		require.NoError(t, err)
		_, got, err := w.svc.Get(ctx, w.a1, ms.UUID, View{AllTurns: true})
		require.NoError(t, err)
		require.Len(t, got.Items, 2)
		s, _, err := w.svc.Get(ctx, w.a1, ms.UUID, View{})
		require.NoError(t, err)
		require.Equal(t, w.meeting.UUID, s.MeetingUUID, "a message with meeting_id attaches the session")
	})
}

func TestExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ses, _, err := w.svc.Create(ctx, w.a1, NewSession{Message: "hi", MeetingID: w.meeting.UUID})
		require.NoError(t, err)
		n, err := w.svc.Expire(ctx, time.Now().Add(-IdleExpiry))
		require.NoError(t, err)
		require.Zero(t, n, "a fresh session stays")
		n, err = w.svc.Expire(ctx, time.Now().Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		ev := w.events.last()
		require.Equal(t, ExpiredEvent, ev.Type)
		data := ev.Data.(*ExpiredData)
		require.Equal(t, ses.UUID, data.SessionID)
		require.Equal(t, 1, data.TurnCount)
		require.Equal(t, w.meeting.UUID, *data.MeetingID)

		_, err = w.svc.Send(ctx, w.a1, ses.UUID, "still there?", "")
		kindOf(t, err, fault.KindConflict, "session_not_active")
		p, err := w.svc.List(ctx, w.a1, Filter{Status: StatusExpired}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		n, err = w.svc.Expire(ctx, time.Now().Add(time.Hour))
		require.NoError(t, err)
		require.Zero(t, n, "an expired session expires once")
	})
}
