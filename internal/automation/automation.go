// Package automation runs a partner app's automations: when a domain event
// of one of the app's workspaces matches an automation's trigger, its
// actions (a webhook call, an action item assignment, a phrase filter) run
// as a durable job.
//
// # Dispatch
//
// The automation Service is a consumer of the events outbox
// (webhook.Consumer): in the transaction that stores an event it queues a
// dispatch job when some active automation may want it. The dispatch job
// reads the event back from the outbox and inserts one run per matching
// automation, insert-if-absent on (automation, event), queuing one run job
// per new run in the same transaction: an event triggers each automation
// exactly once however often the jobs re-run.
//
// # Runs
//
// A run does its actions in order. Each finished action advances the run's
// step by a conditional write, so a job that fails or is re-run resumes
// after the last action done. A webhook call is the one effect that can be
// repeated (a crash between the answer and its record); it carries the run
// and step in an Idempotency-Key so that the receiver can tell.
package automation

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
)

// Status is an automation's state; only active automations run.
type Status string

// The automation statuses.
const (
	Active   Status = "active"
	Inactive Status = "inactive"
)

// The trigger types. The first five are the Partner contract's; a phrase
// match fires when a transcript is imported or replaced and contains one of
// the phrases of the automation's phrase_match action.
const (
	TriggerActionItemCreated   = "action_item_created"
	TriggerActionItemUpdated   = "action_item_updated"
	TriggerActionItemCompleted = "action_item_completed"
	TriggerMeetingEnded        = "meeting_ended"
	TriggerSummaryReady        = "meeting_summary_ready"
	TriggerActionItemMatch     = "action_item_match"
	TriggerPhraseMatch         = "phrase_match"
)

// Triggers lists every trigger type, in documentation order.
var Triggers = []string{TriggerActionItemCreated, TriggerActionItemUpdated, TriggerActionItemCompleted,
	TriggerMeetingEnded, TriggerSummaryReady, TriggerActionItemMatch, TriggerPhraseMatch}

// triggersOf maps an outbox event type to the triggers it fires.
var triggersOf = map[string][]string{
	event.ActionItemCreated:   {TriggerActionItemCreated},
	event.ActionItemUpdated:   {TriggerActionItemUpdated},
	event.ActionItemCompleted: {TriggerActionItemCompleted},
	"meeting.completed":       {TriggerMeetingEnded},
	event.SummaryReady:        {TriggerSummaryReady},
	event.TranscriptReady:     {TriggerActionItemMatch, TriggerPhraseMatch},
}

// The action types.
const (
	// ActionWebhook posts the run to config.url.
	ActionWebhook = "webhook"
	// ActionPhraseMatch goes on only when config.phrases (strings) occur:
	// in the transcript for a transcript trigger, in the action item's
	// title for an action item trigger.
	ActionPhraseMatch = "phrase_match"
	// ActionAssign assigns an action item to the automation and emits
	// automation.assignment.created: the event's action item, or a new one
	// in the event's meeting (config: title, owner, description).
	ActionAssign = "assign_action_item"
)

var actionTypes = []string{ActionWebhook, ActionPhraseMatch, ActionAssign}

// Action is one step of an automation. Config is any JSON object, kept as
// given.
type Action struct {
	Type   string         `json:"type"`
	Config map[string]any `json:"config,omitempty"`
}

// Automation is one automation of an app.
type Automation struct {
	ID          int64
	UUID        string
	AppID       int64
	AppUUID     string
	Name        string
	Description string
	TriggerType string
	Actions     []Action
	Status      Status
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// New is the input for creating an automation.
type New struct {
	Name        string
	Description string
	TriggerType string
	Actions     []Action
}

// Patch changes an automation; nil fields are left alone. Status and
// IsActive say the same thing: when both are given they must agree.
type Patch struct {
	Name        *string
	Description *string
	TriggerType *string
	Actions     []Action // nil leaves them
	Status      *Status
	IsActive    *bool
}

// MaxActions bounds the actions of one automation.
const MaxActions = 20

func invalid(field, format string, args ...any) error {
	return fault.Invalid(field, "validation_error", format, args...)
}

func validate(a *Automation) error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 255 {
		return invalid("name", "name must be 1 to 255 characters")
	}
	if utf8.RuneCountInString(a.Description) > 1000 {
		return invalid("description", "description is longer than 1000 characters")
	}
	if !slices.Contains(Triggers, a.TriggerType) {
		return invalid("trigger_type", "trigger_type must be one of %s", strings.Join(Triggers, ", "))
	}
	if len(a.Actions) == 0 || len(a.Actions) > MaxActions {
		return invalid("actions", "actions must hold 1 to %d actions", MaxActions)
	}
	hasPhrases := false
	for i := range a.Actions {
		act := &a.Actions[i]
		if !slices.Contains(actionTypes, act.Type) {
			return invalid("actions", "action %d: type must be one of %s", i, strings.Join(actionTypes, ", "))
		}
		if b, _ := json.Marshal(act.Config); len(b) > 16<<10 {
			return invalid("actions", "action %d: config is larger than 16 KiB", i)
		}
		switch act.Type {
		case ActionWebhook:
			if u, _ := act.Config["url"].(string); u == "" {
				return invalid("actions", "action %d: a webhook action needs config.url", i)
			}
		case ActionPhraseMatch:
			if len(phrases(*act)) == 0 {
				return invalid("actions", "action %d: a phrase_match action needs config.phrases, a list of strings", i)
			}
			hasPhrases = true
		}
	}
	if (a.TriggerType == TriggerActionItemMatch || a.TriggerType == TriggerPhraseMatch) && !hasPhrases {
		return invalid("actions", "a %s automation needs a phrase_match action with its phrases", a.TriggerType)
	}
	if a.Status != Active && a.Status != Inactive {
		return invalid("status", "status must be active or inactive")
	}
	return nil
}

// phrases returns the non-empty phrases of a phrase_match action.
func phrases(a Action) []string {
	list, _ := a.Config["phrases"].([]any)
	var out []string
	for _, p := range list {
		if s, ok := p.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// applyPatch changes a as p says, keeping Status and IsActive consistent.
func applyPatch(a *Automation, p Patch) error {
	if p.Name != nil {
		a.Name = *p.Name
	}
	if p.Description != nil {
		a.Description = *p.Description
	}
	if p.TriggerType != nil {
		a.TriggerType = *p.TriggerType
	}
	if p.Actions != nil {
		a.Actions = p.Actions
	}
	switch {
	case p.Status != nil && p.IsActive != nil && (*p.Status == Active) != *p.IsActive:
		return invalid("is_active", "status and is_active disagree")
	case p.Status != nil:
		a.Status = *p.Status
	case p.IsActive != nil:
		a.Status = Inactive
		if *p.IsActive {
			a.Status = Active
		}
	}
	return nil
}

// Run statuses.
const (
	RunPending   = "pending"
	RunSucceeded = "succeeded"
	RunSkipped   = "skipped"
	RunFailed    = "failed"
)

// Run is one automation's run for one event.
type Run struct {
	ID           int64
	UUID         string
	AutomationID int64
	EventID      int64
	OrgID        int64
	Status       string
	Step         int
	Matches      []Match
	ErrorMessage string
	CreatedAt    time.Time
	FinishedAt   time.Time
}

// Match is a phrase found by a phrase_match action.
type Match struct {
	Phrase       string  `json:"phrase"`
	Text         string  `json:"text"`
	Speaker      string  `json:"speaker,omitempty"`
	SegmentIndex int     `json:"segment_index"`
	Start        float64 `json:"start,omitempty"`
}
