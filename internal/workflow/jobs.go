package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/netguard"
)

// stepAttempts bounds the runs of one step: a node that failed three times
// fails its run.
const stepAttempts = 3

// stepTimeout bounds one run of a step.
const stepTimeout = 2 * time.Minute

// StepArgs is the job that runs one node of a run.
type StepArgs struct {
	RunID  int64  `json:"run_id"`
	NodeID string `json:"node_id"`
}

// Kind implements river.JobArgs.
func (StepArgs) Kind() string { return "workflow_step" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (StepArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: stepAttempts} }

// StepWorker works StepArgs; Service is set once it exists.
type StepWorker struct {
	river.WorkerDefaults[StepArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *StepWorker) Timeout(*river.Job[StepArgs]) time.Duration { return stepTimeout }

// permanent is a node failure that another attempt would not fix.
type permanent struct{ msg string }

func (p permanent) Error() string { return p.msg }

// Work runs the step, then, in one transaction that holds the run's row,
// records the outcome and queues the steps it made ready. A step or run
// already final is left alone, so a job run twice changes nothing more.
func (w *StepWorker) Work(ctx context.Context, job *river.Job[StepArgs]) error {
	s := w.Service
	run, st, err := s.store.stepForJob(ctx, job.Args.RunID, job.Args.NodeID)
	if errors.Is(err, errFinal) {
		return nil
	}
	if err != nil {
		return err
	}
	started := s.now()
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if _, err := s.store.lockRun(ctx, tx, run.ID, StatusActive, started); err != nil {
			return err
		}
		return s.store.startStep(ctx, tx, st.ID, started)
	})
	if errors.Is(err, errFinal) {
		return nil
	}
	if err != nil {
		return err
	}
	out, runErr := s.execute(ctx, run, st)
	var perm permanent
	if runErr != nil && !errors.As(runErr, &perm) && job.Attempt < job.MaxAttempts {
		return runErr
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		now := s.now()
		run, err := s.store.lockRun(ctx, tx, run.ID, StatusActive, now)
		if err != nil {
			return err
		}
		c := caller.Caller{Credential: caller.System, OrgID: run.OrgID, UserRef: "system"}
		if runErr != nil {
			if err := s.store.finishStep(ctx, tx, st.ID, StatusFailed, nil, runErr.Error(), now); err != nil {
				return err
			}
			if err := s.store.finishRun(ctx, tx, run.ID, StatusFailed, runErr.Error(), now); err != nil {
				return err
			}
			return s.emit(ctx, tx, c, run.OrgID, EventRunFailed, &RunFailed{ErrorMessage: runErr.Error(), FailedAt: now,
				FinalStatus: StatusFailed, RunID: run.UUID, TemplateID: run.TemplateUUID, WorkspaceID: run.WorkspaceUUID,
				NodeID: &st.NodeID, StepID: &st.UUID})
		}
		if err := s.store.finishStep(ctx, tx, st.ID, StatusCompleted, out, "", now); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, c, run.OrgID, EventStepCompleted, &StepCompleted{CompletedAt: now, NodeID: st.NodeID,
			NodeType: st.NodeType, RunID: run.UUID, Status: StatusCompleted, StepID: st.UUID, OutputSummary: summary(out)}); err != nil {
			return err
		}
		steps, err := s.store.stepsTx(ctx, tx, run.ID)
		if err != nil {
			return err
		}
		for _, other := range steps {
			if other.Status != StatusCompleted {
				return s.queueReady(ctx, tx, run.ID, steps)
			}
		}
		if err := s.store.finishRun(ctx, tx, run.ID, StatusCompleted, "", now); err != nil {
			return err
		}
		return s.emit(ctx, tx, c, run.OrgID, EventRunCompleted, &RunCompleted{CompletedAt: now,
			DurationMS: now.Sub(run.StartedAt).Milliseconds(), FinalStatus: StatusCompleted, RunID: run.UUID,
			TemplateID: run.TemplateUUID, TotalSteps: len(steps), WorkspaceID: run.WorkspaceUUID})
	})
	if errors.Is(err, errFinal) {
		return nil
	}
	return err
}

// execute runs one node and returns its output.
func (s *Service) execute(ctx context.Context, run Run, st Step) (json.RawMessage, error) {
	str := func(k string) string { v, _ := st.Config[k].(string); return v }
	sys := caller.ForSystem(run.OrgID)
	switch st.NodeType {
	case NodeAIPrompt:
		m, err := s.meeting(ctx, run)
		if err != nil {
			return nil, err
		}
		text, err := s.nextSteps.RunPrompt(ctx, m, str("prompt"))
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"text": text})
	case NodeNextStep:
		ns, err := s.nextSteps.Get(ctx, sys, str("next_step_id"))
		if err != nil {
			return nil, permanent{fmt.Sprintf("next step %q: %v", str("next_step_id"), err)}
		}
		out := map[string]string{"next_step_id": ns.UUID}
		if ns.AIPrompt != "" {
			m, err := s.meeting(ctx, run)
			if err != nil {
				return nil, err
			}
			if out["text"], err = s.nextSteps.RunPrompt(ctx, m, ns.AIPrompt); err != nil {
				return nil, err
			}
		}
		if ns.RedirectURL != "" {
			out["redirect_url"] = ns.RedirectURL
		}
		return json.Marshal(out)
	case NodeWebhook:
		return s.callWebhook(ctx, run, st, str("url"))
	case NodeFail:
		msg := str("message")
		if msg == "" {
			msg = "the workflow reached a fail node"
		}
		return nil, permanent{msg}
	case NodeStart, NodeEnd, NodeNoop:
		return json.RawMessage(`{"status":"ok"}`), nil
	}
	return json.RawMessage(`{"skipped":true}`), nil
}

func (s *Service) meeting(ctx context.Context, run Run) (meeting.Meeting, error) {
	if run.OriginatingType != OriginMeeting {
		return meeting.Meeting{}, permanent{"this node needs a run that started from a meeting"}
	}
	m, err := s.meetings.Get(ctx, caller.ForSystem(run.OrgID), run.OriginatingID)
	if err != nil {
		return meeting.Meeting{}, permanent{"the originating meeting is gone"}
	}
	return m, nil
}

func (s *Service) callWebhook(ctx context.Context, run Run, st Step, url string) (json.RawMessage, error) {
	if s.http == nil {
		return nil, permanent{"no HTTP client is configured"}
	}
	steps, err := s.store.stepsOf(ctx, []int64{run.ID})
	if err != nil {
		return nil, err
	}
	run.Steps = steps[run.ID]
	body, err := json.Marshal(map[string]any{"run_id": run.UUID, "workflow_template_id": run.TemplateUUID, "node_id": st.NodeID,
		"context": run.Context()})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, permanent{"invalid webhook URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Quorum-Workflow/1")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call webhook: %w", err)
	}
	if _, _, err := netguard.ReadBody(resp, 4096); err != nil {
		return nil, fmt.Errorf("read webhook answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return json.Marshal(map[string]int{"status_code": resp.StatusCode})
}
