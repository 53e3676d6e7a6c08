package chat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Access decides which meetings a caller may talk about: a session about a
// meeting needs a caller who may read it (a participant, once roles exist).
type Access interface {
	Viewable(ctx context.Context, c caller.Caller, meetingUUID string) (meeting.Meeting, error)
}

// Documents checks that context documents exist for the caller's app.
type Documents interface {
	Check(ctx context.Context, c caller.Caller, ids []string) error
}

// Timing: a turn job gets JobTimeout, its answer a little less, so that a
// timed-out answer is still recorded as failed.
const (
	JobTimeout = 2 * time.Minute
	jobMargin  = 30 * time.Second
	// waitTurn is how long a turn waits for the one before it to finish
	// before its job looks again.
	waitTurn = 250 * time.Millisecond
)

// Service holds the rules for chat sessions.
type Service struct {
	store     sqlStore
	queue     *jobs.Queue
	access    Access
	docs      Documents
	assistant Assistant
	events    event.Emitter
	logger    *slog.Logger
	jobIn     time.Duration
	now       func() time.Time
}

// Config assembles a Service. Events may be nil.
type Config struct {
	DB        *store.DB
	Queue     *jobs.Queue
	Access    Access
	Documents Documents
	Assistant Assistant
	Events    event.Emitter
	Logger    *slog.Logger
	// JobTimeout bounds one turn job (JobTimeout when zero).
	JobTimeout time.Duration
}

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return &Service{store: sqlStore{db: c.DB}, queue: c.Queue, access: c.Access, docs: c.Documents, assistant: c.Assistant,
		events: c.Events, logger: c.Logger, jobIn: cmp.Or(c.JobTimeout, JobTimeout), now: func() time.Time { return time.Now().UTC() }}
}

// JobTimeout is the time one turn job may take.
func (s *Service) JobTimeout() time.Duration { return s.jobIn }

// answerTimeout leaves the job time to record a timed-out answer.
func (s *Service) answerTimeout() time.Duration {
	if s.jobIn > 2*jobMargin {
		return s.jobIn - jobMargin
	}
	return s.jobIn / 2
}

// Create starts a session of the caller with its first message, queued
// for the agent.
func (s *Service) Create(ctx context.Context, c caller.Caller, n NewSession) (Session, Turn, error) {
	if err := n.validate(); err != nil {
		return Session{}, Turn{}, err
	}
	now := s.now()
	ses := Session{UUID: uuid.NewString(), OrgID: c.OrgID, AppID: c.AppID, UserID: c.UserID, UserRef: c.UserRef, Status: StatusActive,
		Metadata: n.Metadata, DocumentIDs: dedupe(n.DocumentIDs), TurnCount: 1, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if ses.Metadata == nil {
		ses.Metadata = map[string]string{}
	}
	if n.MeetingID != "" {
		m, err := s.access.Viewable(ctx, c, n.MeetingID)
		if err != nil {
			return Session{}, Turn{}, err
		}
		ses.MeetingID, ses.MeetingUUID = m.ID, m.UUID
	}
	if err := s.docs.Check(ctx, c, ses.DocumentIDs); err != nil {
		return Session{}, Turn{}, err
	}
	t := Turn{UUID: uuid.NewString(), SessionUUID: ses.UUID, Sequence: 1, Role: RoleUser, Content: n.Message, Status: TurnQueued, CreatedAt: now}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insertSession(ctx, tx, &ses); err != nil {
			return err
		}
		t.SessionID = ses.ID
		if err := s.store.insertTurn(ctx, tx, &t); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, ses, t)
	})
	if err != nil {
		return Session{}, Turn{}, err
	}
	return ses, t, nil
}

func (s *Service) enqueue(ctx context.Context, tx *jobs.Tx, ses Session, t Turn) error {
	if _, err := tx.Insert(ctx, TurnArgs{OrgID: ses.OrgID, SessionID: ses.ID, TurnID: t.ID}, nil); err != nil {
		return fmt.Errorf("queue turn %s: %w", t.UUID, err)
	}
	return nil
}

func dedupe(ids []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// List pages through the caller's sessions, newest first.
func (s *Service) List(ctx context.Context, c caller.Caller, f Filter, r page.Request) (page.Page[Session], error) {
	if err := f.validate(); err != nil {
		return page.Page[Session]{}, err
	}
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Session]{}, err
	}
	return s.store.list(ctx, c, f, r)
}

// Get returns one of the caller's sessions with a page of its turns. The
// finished turns returned are recorded as delivered to this caller, so the
// default view (undelivered) shows each finished turn once; a turn still
// queued or being answered is shown again until it finishes.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string, v View) (Session, page.Page[Turn], error) {
	if err := v.normalize(); err != nil {
		return Session{}, page.Page[Turn]{}, err
	}
	ses, err := s.store.session(ctx, c, id)
	if err != nil {
		return Session{}, page.Page[Turn]{}, err
	}
	key := c.Key()
	turns, total, err := s.store.turns(ctx, ses, key, v)
	if err != nil {
		return Session{}, page.Page[Turn]{}, err
	}
	var finished []int64
	for _, t := range turns {
		if t.Terminal() {
			finished = append(finished, t.ID)
		}
	}
	claimed, err := s.store.markDelivered(ctx, key, finished, s.now())
	if err != nil {
		return Session{}, page.Page[Turn]{}, err
	}
	if !v.AllTurns {
		// A concurrent request of the same caller may have been shown some
		// of these first; each finished turn is delivered once.
		kept := turns[:0]
		for _, t := range turns {
			if !t.Terminal() || claimed[t.ID] {
				kept = append(kept, t)
			}
		}
		turns = kept
	}
	if turns == nil {
		turns = []Turn{}
	}
	return ses, page.Page[Turn]{Items: turns, Total: total, Limit: v.Limit, Offset: v.Offset}, nil
}

// Turn returns one turn of one of the caller's sessions.
func (s *Service) Turn(ctx context.Context, c caller.Caller, sessionID, turnID string) (Turn, error) {
	ses, err := s.store.session(ctx, c, sessionID)
	if err != nil {
		return Turn{}, err
	}
	return s.store.turn(ctx, ses, turnID)
}

// Send queues a message in one of the caller's active sessions. meetingID,
// when given, attaches a session that has no meeting yet; it must not name
// another meeting than the session's.
func (s *Service) Send(ctx context.Context, c caller.Caller, id, message, meetingID string) (Sent, error) {
	message, err := validMessage(message)
	if err != nil {
		return Sent{}, err
	}
	var m meeting.Meeting
	if meetingID != "" {
		if m, err = s.access.Viewable(ctx, c, meetingID); err != nil {
			return Sent{}, err
		}
	}
	now := s.now()
	var out Sent
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		ses, err := s.store.touch(ctx, tx, c, id, now)
		if err != nil {
			return err
		}
		if ses.Status != StatusActive {
			return fault.Conflict("session_not_active", "the session is %s; start a new one", ses.Status)
		}
		if m.ID != 0 && ses.MeetingID != 0 && ses.MeetingID != m.ID {
			return fault.Invalid("meeting_id", "meeting_mismatch", "the session is about another meeting")
		}
		if m.ID != 0 && ses.MeetingID == 0 {
			if err := s.store.attach(ctx, tx, ses.ID, m.ID); err != nil {
				return err
			}
		}
		last, err := s.store.lastUserSequence(ctx, tx, ses.ID)
		if err != nil {
			return err
		}
		next := last + 2
		if next+1 > MaxTurns {
			return fault.Conflict("turn_limit_reached", "a session holds at most %d turns; start a new one", MaxTurns)
		}
		t := Turn{UUID: uuid.NewString(), SessionID: ses.ID, SessionUUID: ses.UUID, Sequence: next, Role: RoleUser, Content: message,
			Status: TurnQueued, CreatedAt: now}
		if err := s.store.insertTurn(ctx, tx, &t); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, ses, t); err != nil {
			return err
		}
		out.Turn = t
		out.Position, out.Queued, err = s.store.queuePosition(ctx, tx, ses.ID, next)
		return err
	})
	return out, err
}

// TurnArgs is the job that answers one user turn.
type TurnArgs struct {
	OrgID     int64 `json:"org_id"`
	SessionID int64 `json:"session_id"`
	TurnID    int64 `json:"turn_id"`
}

// Kind implements river.JobArgs.
func (TurnArgs) Kind() string { return "chat_turn" }

// InsertOpts implements river.JobArgsWithInsertOpts. A failed answer is
// recorded on the turn, so retries only cover the database.
func (TurnArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// TurnWorker is the River worker of TurnArgs.
type TurnWorker struct {
	river.WorkerDefaults[TurnArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *TurnWorker) Timeout(*river.Job[TurnArgs]) time.Duration { return w.Service.JobTimeout() }

// Work implements river.Worker.
func (w *TurnWorker) Work(ctx context.Context, job *river.Job[TurnArgs]) error {
	return w.Service.Answer(ctx, job.Args)
}

// errSettled ends a transaction whose turn another run already finished.
var errSettled = errors.New("turn already settled")

// Answer answers one user turn, after every earlier turn of its session:
// while one is unfinished the job snoozes. It may run again after a crash;
// a finished turn is left alone.
func (s *Service) Answer(ctx context.Context, a TurnArgs) error {
	state, err := s.store.claim(ctx, s.queue, a)
	if err != nil {
		return err
	}
	switch state {
	case claimDone:
		return nil
	case claimWait:
		return river.JobSnooze(waitTurn)
	}
	ses, err := s.store.sessionByID(ctx, a.OrgID, a.SessionID)
	if err != nil {
		return err
	}
	t, history, err := s.store.conversation(ctx, ses, a.TurnID)
	if err != nil {
		return err
	}
	owner := caller.Caller{Credential: caller.UserToken, OrgID: ses.OrgID, AppID: ses.AppID, UserID: ses.UserID, UserRef: ses.UserRef}
	actx, cancel := context.WithTimeout(ctx, s.answerTimeout())
	ans, aerr := s.assistant.Answer(actx, owner, Question{MeetingUUID: ses.MeetingUUID, Message: t.Content, DocumentIDs: ses.DocumentIDs, History: history})
	cancel()
	if aerr != nil && ctx.Err() != nil {
		// The job itself was cancelled (shutdown): leave the turn to the
		// next run.
		return aerr
	}
	now := s.now()
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if aerr != nil {
			code := errorCode(aerr)
			msg := "the agent could not answer"
			if code == ErrTimeout {
				msg = "the agent did not answer in time"
			}
			if fe, ok := fault.As(aerr); ok {
				msg = fe.Message
			}
			ok, err := s.store.fail(ctx, tx, ses, t, code, msg, now)
			if err != nil || !ok {
				return cmp.Or(err, errSettled)
			}
			return s.emit(ctx, tx, ses, TurnFailedEvent, now, &TurnFailedData{SessionID: ses.UUID, TurnID: t.UUID, SequenceNumber: t.Sequence,
				MeetingID: optional(ses.MeetingUUID), ErrorCode: code, ErrorMessage: msg, FailedAt: now})
		}
		reply := Turn{UUID: uuid.NewString(), SessionID: ses.ID, Sequence: t.Sequence + 1, Role: RoleAgent, Content: ans.Content,
			Status: TurnCompleted, Agent: &ans.Metadata, CreatedAt: now, CompletedAt: now}
		ok, err := s.store.complete(ctx, tx, ses, t, &reply, now)
		if err != nil || !ok {
			return cmp.Or(err, errSettled)
		}
		return s.emit(ctx, tx, ses, TurnCompletedEvent, now, &TurnCompletedData{SessionID: ses.UUID, TurnID: reply.UUID,
			SequenceNumber: reply.Sequence, MeetingID: optional(ses.MeetingUUID), CompletedAt: now})
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if aerr != nil && err == nil {
		s.logger.WarnContext(ctx, "chat turn failed", "session_id", ses.UUID, "turn_id", t.UUID, "error", aerr)
	}
	return err
}

// ExpireArgs is the periodic job that expires idle sessions.
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "chat_expire" }

// ExpireWorker is the River worker of ExpireArgs.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *ExpireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	_, err := w.Service.Expire(ctx, w.Service.now().Add(-IdleExpiry))
	return err
}

// Expire ends every active session idle since before cutoff, in one
// conditional write, and announces each.
func (s *Service) Expire(ctx context.Context, cutoff time.Time) (int, error) {
	now := s.now()
	n := 0
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		expired, err := s.store.expire(ctx, tx, cutoff, now)
		if err != nil {
			return err
		}
		n = len(expired)
		for _, ses := range expired {
			if err := s.emit(ctx, tx, ses, ExpiredEvent, now, &ExpiredData{SessionID: ses.UUID, MeetingID: optional(ses.MeetingUUID),
				TurnCount: ses.TurnCount, LastActivityAt: ses.LastActivityAt, ExpiredAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && n > 0 {
		s.logger.InfoContext(ctx, "chat sessions expired", "count", n)
	}
	return n, err
}

// emit announces a change of a session to its app, for its user. The
// agent and the expiry job, not the user, cause these events.
func (s *Service) emit(ctx context.Context, tx *jobs.Tx, ses Session, typ string, at time.Time, data any) error {
	return event.Emit(ctx, s.events, tx, event.Event{Type: typ, OrgID: ses.OrgID, AppID: ses.AppID, AppOnly: true,
		ForUserID: ses.UserID, OccurredAt: at, Data: data})
}
