package nextstep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/netguard"
)

// maxAttempts bounds the runs of one execution or delivery: a prompt or a
// receiver that failed three times is reported as failed rather than
// retried for days.
const maxAttempts = 3

// jobTimeout bounds one run of a prompt or a delivery.
const jobTimeout = 2 * time.Minute

// ExecuteArgs is the job that runs an AI next step's prompt and stores its
// result.
type ExecuteArgs struct {
	ResultID   int64          `json:"result_id"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// Kind implements river.JobArgs.
func (ExecuteArgs) Kind() string { return "next_step_execute" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ExecuteArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// ExecuteWorker works ExecuteArgs; Service is set once it exists.
type ExecuteWorker struct {
	river.WorkerDefaults[ExecuteArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *ExecuteWorker) Timeout(*river.Job[ExecuteArgs]) time.Duration { return jobTimeout }

// Work runs the prompt. A result that is already final is left alone, so a
// job run twice stores one result; the last failed attempt marks it failed.
func (w *ExecuteWorker) Work(ctx context.Context, job *river.Job[ExecuteArgs]) error {
	s := w.Service
	res, step, m, err := s.store.pendingResult(ctx, job.Args.ResultID)
	if errors.Is(err, errFinal) {
		return nil
	}
	if err != nil {
		return err
	}
	prompt := step.AIPrompt
	if len(job.Args.Parameters) > 0 {
		prompt += "\n\n" + describe(job.Args.Parameters)
	}
	text, err := s.RunPrompt(ctx, m, prompt)
	if err == nil && strings.TrimSpace(text) == "" {
		err = errors.New("the engine produced no text for the prompt")
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		now := s.now()
		if err != nil {
			if job.Attempt < job.MaxAttempts {
				return err
			}
			s.logger.WarnContext(ctx, "next step failed", "result_id", res.UUID, "error", err)
			_, ferr := s.store.finishResult(ctx, tx, res.ID, StatusFailed, "", "the next step could not be run", now)
			return ferr
		}
		done, ferr := s.store.finishResult(ctx, tx, res.ID, StatusCompleted, text, "", now)
		if ferr != nil || !done {
			return ferr
		}
		res.Status, res.CompletedAt = StatusCompleted, now
		return s.completed(ctx, tx, res.caller(), res, step)
	})
}

func describe(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %v\n", k, params[k])
	}
	return strings.TrimSpace(b.String())
}

// TriggerArgs is the job that performs an action button's delivery.
type TriggerArgs struct {
	InvocationID int64 `json:"invocation_id"`
}

// Kind implements river.JobArgs.
func (TriggerArgs) Kind() string { return "action_button_deliver" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (TriggerArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// TriggerWorker works TriggerArgs; Service is set once it exists.
type TriggerWorker struct {
	river.WorkerDefaults[TriggerArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *TriggerWorker) Timeout(*river.Job[TriggerArgs]) time.Duration { return jobTimeout }

// Work performs the delivery once; an invocation already final is left
// alone.
func (w *TriggerWorker) Work(ctx context.Context, job *river.Job[TriggerArgs]) error {
	s := w.Service
	d, err := s.store.pendingDelivery(ctx, job.Args.InvocationID)
	if errors.Is(err, errFinal) {
		return nil
	}
	if err != nil {
		return err
	}
	docUUID, err := s.deliver(ctx, d)
	now := s.now()
	if err != nil {
		if job.Attempt < job.MaxAttempts {
			return err
		}
		s.logger.WarnContext(ctx, "action button delivery failed", "invocation_id", d.UUID, "error", err)
		return s.store.finishInvocation(ctx, d.ID, StatusFailed, "", err.Error(), now)
	}
	return s.store.finishInvocation(ctx, d.ID, StatusCompleted, docUUID, "", now)
}

// delivery is what a delivery job needs of its invocation.
type delivery struct {
	Invocation
	AppID         int64
	UserID        int64
	ButtonName    string
	MeetingTitle  string
	Subject       string
	Content       string
	ContentFormat string
}

func (s *Service) deliver(ctx context.Context, d delivery) (string, error) {
	switch d.DeliveryMechanism {
	case DeliverWebhook:
		return "", s.callWebhook(ctx, d)
	case DeliverEmail:
		if s.mail == nil {
			return "", errors.New("no mail sender is configured")
		}
		return "", s.mail.Send(ctx, mail.Message{To: d.Target, Subject: d.Subject, Body: d.Content})
	case DeliverFileDownload, DeliverIntegration:
		if s.docs == nil {
			return "", errors.New("no document store is configured")
		}
		doc, err := s.docs.AddDocument(ctx, caller.ForSystem(d.OrgID), d.MeetingUUID, d.Subject, d.Content)
		return doc.ID, err
	}
	return "", fmt.Errorf("delivery mechanism %q has no job", d.DeliveryMechanism)
}

func (s *Service) callWebhook(ctx context.Context, d delivery) error {
	if s.http == nil {
		return errors.New("no HTTP client is configured")
	}
	body, err := json.Marshal(map[string]any{
		"event_type": EventActionButtonTriggered, "invocation_id": d.UUID, "action_button_id": d.ButtonUUID,
		"action_button_name": d.ButtonName, "meeting_id": d.MeetingUUID, "meeting_title": d.MeetingTitle,
		"next_step_id": d.NextStepUUID, "result_id": d.ResultUUID, "content": d.Content, "content_format": d.ContentFormat,
		"triggered_at": d.CreatedAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Quorum-ActionButton/1")
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("call webhook: %w", err)
	}
	if _, _, err := netguard.ReadBody(resp, 4096); err != nil {
		return fmt.Errorf("read webhook answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
