package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
)

// dispatchArgs turns one outbox event into runs. It is not unique: a
// second dispatch finds the runs there and adds nothing.
type dispatchArgs struct {
	EventID int64 `json:"event_id"`
}

func (dispatchArgs) Kind() string { return "automation_dispatch" }

// runArgs does the actions of one run.
type runArgs struct {
	RunID int64 `json:"run_id"`
}

func (runArgs) Kind() string { return "automation_run" }

// runAttempts bounds the attempts of a run job; after the last one the
// run is marked failed.
const runAttempts = 8

// InsertOpts limits a run's attempts.
func (runArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: runAttempts} }

// JobTimeout bounds one run of a run job: a few webhook calls and writes.
const JobTimeout = time.Minute

// Workers are the package's job workers. Register them with AddWorkers
// before the queue is built, and Bind the service once it exists.
type Workers struct{ svc *Service }

// AddWorkers registers the dispatch and run workers.
func AddWorkers(w *river.Workers) *Workers {
	ws := &Workers{}
	river.AddWorker(w, &dispatchWorker{ws: ws})
	river.AddWorker(w, &runWorker{ws: ws})
	return ws
}

// Bind gives the workers their service.
func (w *Workers) Bind(s *Service) { w.svc = s }

type dispatchWorker struct {
	river.WorkerDefaults[dispatchArgs]
	ws *Workers
}

func (w *dispatchWorker) Work(ctx context.Context, job *river.Job[dispatchArgs]) error {
	return w.ws.svc.dispatch(ctx, job.Args.EventID)
}

type runWorker struct {
	river.WorkerDefaults[runArgs]
	ws *Workers
}

// Timeout implements river.Worker.
func (w *runWorker) Timeout(*river.Job[runArgs]) time.Duration { return JobTimeout }

func (w *runWorker) Work(ctx context.Context, job *river.Job[runArgs]) error {
	err := w.ws.svc.run(ctx, job.Args.RunID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// The last attempt: the run ends failed rather than pending forever.
		return w.ws.svc.store.finish(ctx, job.Args.RunID, RunFailed, err.Error(), w.ws.svc.now())
	}
	return err
}

// work is everything a run needs: the run, its automation and its event.
type work struct {
	run  Run
	auto Automation
	ev   eventRow
}

// run does the actions of a run from its current step on.
func (s *Service) run(ctx context.Context, runID int64) error {
	w, err := s.store.work(ctx, runID)
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	if w.run.Status != RunPending {
		return nil
	}
	if w.auto.Status != Active {
		return s.store.finish(ctx, runID, RunSkipped, "the automation is inactive", s.now())
	}
	for step := w.run.Step; step < len(w.auto.Actions); step++ {
		act := w.auto.Actions[step]
		var done bool
		switch act.Type {
		case ActionPhraseMatch:
			matches, err := s.match(ctx, w, act)
			if err != nil {
				return err
			}
			if len(matches) == 0 {
				return s.store.finish(ctx, runID, RunSkipped, "no phrase matched", s.now())
			}
			w.run.Matches = matches
			done, err = s.store.advance(ctx, nil, runID, step, matches, s.now())
			if err != nil {
				return err
			}
		case ActionWebhook:
			if err := s.post(ctx, w, step, act); err != nil {
				if nerr := s.store.note(ctx, runID, err.Error(), s.now()); nerr != nil {
					s.logger.WarnContext(ctx, "record automation error", slog.Any("error", nerr))
				}
				return err
			}
			if done, err = s.store.advance(ctx, nil, runID, step, w.run.Matches, s.now()); err != nil {
				return err
			}
		case ActionAssign:
			if done, err = s.assign(ctx, w, step, act); err != nil {
				return err
			}
		default:
			// Only known types are stored; a type retired since is passed.
			if done, err = s.store.advance(ctx, nil, runID, step, w.run.Matches, s.now()); err != nil {
				return err
			}
		}
		if !done {
			// Another job of this run recorded the step first.
			return nil
		}
	}
	return s.store.finish(ctx, runID, RunSucceeded, "", s.now())
}

// eventData is what runs read of an event's payload.
type eventData struct {
	MeetingID    string `json:"meeting_id"`
	RowID        int64  `json:"meeting_row_id"`
	ActionItemID string `json:"action_item_id"`
	Title        string `json:"title"`
}

func (e eventRow) data() eventData {
	var d eventData
	_ = json.Unmarshal(e.payload, &d)
	return d
}

// meeting loads the event's meeting; ok is false when the event names none
// or it was deleted.
func (s *Service) meeting(ctx context.Context, w work) (meeting.Meeting, bool, error) {
	d := w.ev.data()
	sys := caller.ForSystem(w.ev.orgID)
	var m meeting.Meeting
	var err error
	switch {
	case d.RowID != 0:
		m, err = s.meets.GetByID(ctx, sys, d.RowID)
	case d.MeetingID != "":
		m, err = s.meets.Get(ctx, sys, d.MeetingID)
	default:
		return m, false, nil
	}
	if errors.Is(err, fault.ErrNotFound) {
		return m, false, nil
	}
	return m, err == nil, err
}

// maxMatches bounds the matches one phrase filter records.
const maxMatches = 50

// match applies a phrase filter: to the action item's title when the
// event carries one, otherwise to the transcript of the event's meeting.
// Phrases match case-insensitively.
func (s *Service) match(ctx context.Context, w work, act Action) ([]Match, error) {
	want := phrases(act)
	if t := w.ev.data().Title; t != "" && w.ev.data().ActionItemID != "" {
		var out []Match
		for _, p := range want {
			if strings.Contains(strings.ToLower(t), strings.ToLower(p)) {
				out = append(out, Match{Phrase: p, Text: t})
			}
		}
		return out, nil
	}
	m, ok, err := s.meeting(ctx, w)
	if err != nil || !ok {
		return nil, err
	}
	segs, err := s.meets.Segments(ctx, m)
	if err != nil {
		return nil, err
	}
	var out []Match
	for i, seg := range segs {
		text := strings.ToLower(seg.Text)
		for _, p := range want {
			if strings.Contains(text, strings.ToLower(p)) {
				out = append(out, Match{Phrase: p, Text: seg.Text, Speaker: seg.Speaker, SegmentIndex: i, Start: seg.Start})
				break
			}
		}
		if len(out) == maxMatches {
			break
		}
	}
	return out, nil
}

// webhookCall is the body of a webhook action's POST.
type webhookCall struct {
	AutomationID   string          `json:"automation_id"`
	AutomationName string          `json:"automation_name"`
	RunID          string          `json:"run_id"`
	TriggerType    string          `json:"trigger_type"`
	WorkspaceID    string          `json:"workspace_id"`
	EventID        string          `json:"event_id"`
	EventType      string          `json:"event_type,omitempty"`
	OccurredAt     time.Time       `json:"occurred_at"`
	MeetingID      string          `json:"meeting_id,omitempty"`
	Data           json.RawMessage `json:"data,omitempty"`
	Matches        []Match         `json:"matches,omitempty"`
}

// post makes a webhook action's call; any answer but a 2xx is an error,
// and the job is retried.
func (s *Service) post(ctx context.Context, w work, step int, act Action) error {
	call := webhookCall{AutomationID: w.auto.UUID, AutomationName: w.auto.Name, RunID: w.run.UUID,
		TriggerType: w.auto.TriggerType, WorkspaceID: w.ev.orgUUID, EventID: w.ev.uuid, OccurredAt: w.ev.occurredAt,
		Matches: w.run.Matches}
	if event.Internal(w.ev.typ) {
		m, ok, err := s.meeting(ctx, w)
		if err != nil {
			return err
		}
		if ok {
			call.MeetingID = m.UUID
		}
	} else {
		call.EventType, call.Data, call.MeetingID = w.ev.typ, w.ev.payload, w.ev.data().MeetingID
	}
	body, err := json.Marshal(call)
	if err != nil {
		return fmt.Errorf("encode automation call: %w", err)
	}
	url, _ := act.Config["url"].(string)
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build automation call: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Quorum-Automations/1")
	req.Header.Set("Idempotency-Key", w.run.UUID+":"+strconv.Itoa(step))
	req.Header.Set("Quorum-Automation-Id", w.auto.UUID)
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("automation webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("automation webhook answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// AssignmentStatus is the status of a new assignment.
const AssignmentStatus = "assigned"

// assign assigns an action item to the automation: the event's own item,
// or one created in the event's meeting. The assignment row is claimed
// first and the item created with the assignment in its source, so a
// re-run finds the item instead of creating another. The assignment, its
// event and the step are recorded in one transaction.
func (s *Service) assign(ctx context.Context, w work, step int, act Action) (bool, error) {
	asg, err := s.store.claimAssignment(ctx, w.run, step, s.now())
	if err != nil {
		return false, err
	}
	item, meetingUUID := w.ev.data().ActionItemID, w.ev.data().MeetingID
	source := "automation:" + asg.uuid
	if item == "" {
		item, meetingUUID, err = s.store.itemBySource(ctx, w.ev.orgID, source)
		if err != nil {
			return false, err
		}
	}
	if item == "" {
		m, ok, err := s.meeting(ctx, w)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, s.store.finish(ctx, w.run.ID, RunFailed, "the event names no meeting to create an action item in", s.now())
		}
		str := func(k string) string { v, _ := act.Config[k].(string); return v }
		title := str("title")
		if title == "" && len(w.run.Matches) > 0 {
			title = w.run.Matches[0].Text
		}
		if title == "" {
			title = "Follow up: " + m.Title
		}
		owner := str("owner")
		if owner == "" {
			owner = str("assignee")
		}
		c := caller.ForSystem(w.ev.orgID)
		c.AppID = w.auto.AppID
		a, err := s.actions.Create(ctx, c, m.UUID, actionitem.New{Title: clip(title, 500), Owner: clip(owner, 200),
			Description: clip(str("description"), 5000), Source: source})
		if err != nil {
			return false, fmt.Errorf("create the action item of assignment %s: %w", asg.uuid, err)
		}
		item, meetingUUID = a.UUID, m.UUID
	}
	done := false
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		now := s.now()
		if done, err = s.store.advance(ctx, tx, w.run.ID, step, w.run.Matches, now); err != nil || !done {
			return err
		}
		if err := s.store.completeAssignment(ctx, tx.Tx, asg.id, item, meetingUUID); err != nil {
			return err
		}
		payload := map[string]any{"run_id": w.run.UUID, "trigger_type": w.auto.TriggerType}
		if len(w.run.Matches) > 0 {
			payload["matches"] = w.run.Matches
		}
		if len(act.Config) > 0 {
			payload["config"] = act.Config
		}
		return event.Emit(ctx, s.events, tx, event.Event{Type: event.AutomationAssignmentCreated, OrgID: w.ev.orgID,
			AppID: w.auto.AppID, AppOnly: true, OccurredAt: now, Data: &event.Assignment{ActionItemID: item,
				AssignmentID: asg.uuid, AutomationID: w.auto.UUID, AutomationName: w.auto.Name, CreatedAt: asg.createdAt,
				MeetingID: meetingUUID, Status: AssignmentStatus, Payload: payload}})
	})
	return done, err
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
