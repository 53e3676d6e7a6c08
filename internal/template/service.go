package template

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// AdminMaxLimit is the largest page of the admin lists.
const AdminMaxLimit = 100

// Service holds the rules for templates.
type Service struct {
	store     sqlStore
	queue     *jobs.Queue
	nextSteps *nextstep.Service
	content   Content
	events    event.Emitter
	now       func() time.Time
}

// Config assembles a Service; Content and Events may be nil.
type Config struct {
	DB        *store.DB
	Queue     *jobs.Queue
	NextSteps *nextstep.Service
	Content   Content
	Events    event.Emitter
}

// NewService returns a Service.
func NewService(c Config) *Service {
	return &Service{store: sqlStore{db: c.DB}, queue: c.Queue, nextSteps: c.NextSteps, content: c.Content, events: c.Events,
		now: func() time.Time { return time.Now().UTC() }}
}

// SetContent plugs in the meeting content services once they exist.
func (s *Service) SetContent(c Content) { s.content = c }

// Create makes a partner template. With a backing meeting (of a workspace
// the caller reaches) the template lives in that meeting's workspace and
// copies its title, agenda items (talking points included) and
// participants; otherwise it lives in the caller's workspace.
func (s *Service) Create(ctx context.Context, c caller.Caller, in New) (Template, error) {
	name, err := validName(in.Name)
	if err != nil {
		return Template{}, err
	}
	desc, err := validDescription(in.Description)
	if err != nil {
		return Template{}, err
	}
	now := s.now()
	t := Template{UUID: uuid.NewString(), OrgID: c.OrgID, AppID: c.AppID, Name: name, Description: desc, Ownership: OwnedByPartner,
		IsActive: true, StartOffsetSeconds: -1, CreatedAt: now, UpdatedAt: now}
	if !byApp(c) && c.AppID == 0 {
		t.Ownership = OwnedByWorkspace
	}
	var backingID int64
	if in.BackingMeetingID != "" {
		m, err := s.store.backingMeeting(ctx, c, in.BackingMeetingID)
		if err != nil {
			return Template{}, err
		}
		backingID, t.OrgID, t.Title, t.BackingMeetingUUID = m.id, m.orgID, m.title, m.uuid
		if s.content != nil {
			mc := caller.ForSystem(m.orgID)
			if t.Agenda, err = s.content.Agenda(ctx, mc, m.id); err != nil {
				return Template{}, err
			}
			if t.Participants, err = s.content.Participants(ctx, mc, m.id); err != nil {
				return Template{}, err
			}
		}
	}
	if t.OrgID == 0 {
		return Template{}, fault.Invalid("workspace", "workspace_not_found", "the app is linked to no workspace")
	}
	if err := s.store.insert(ctx, &t, backingID); err != nil {
		return Template{}, err
	}
	return s.Get(ctx, c, t.UUID)
}

// Get returns a template the caller reaches.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Template, error) {
	return s.store.get(ctx, c, id)
}

// List pages through the templates the caller reaches: an app's own, or the
// active templates of a user's workspace.
func (s *Service) List(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Template], error) {
	r, err := r.Normalize(AdminMaxLimit)
	if err != nil {
		return page.Page[Template]{}, err
	}
	return s.store.list(ctx, c, r)
}

// Update changes a template's name or description.
func (s *Service) Update(ctx context.Context, c caller.Caller, id string, p Patch) (Template, error) {
	if p.Name != nil {
		n, err := validName(*p.Name)
		if err != nil {
			return Template{}, err
		}
		p.Name = &n
	}
	if p.Description != nil {
		if _, err := validDescription(*p.Description); err != nil {
			return Template{}, err
		}
	}
	if err := s.store.update(ctx, c, id, p, s.now()); err != nil {
		return Template{}, err
	}
	return s.Get(ctx, c, id)
}

// Delete removes a template.
func (s *Service) Delete(ctx context.Context, c caller.Caller, id string) error {
	return s.store.delete(ctx, c, id)
}

// NextSteps pages through a template's next steps.
func (s *Service) NextSteps(ctx context.Context, c caller.Caller, id string, r page.Request) (page.Page[StepLink], error) {
	r, err := r.Normalize(AdminMaxLimit)
	if err != nil {
		return page.Page[StepLink]{}, err
	}
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return page.Page[StepLink]{}, err
	}
	p, err := s.store.links(ctx, t, "", r)
	if err != nil {
		return p, err
	}
	return p, s.withButtons(ctx, t.OrgID, p.Items)
}

func (s *Service) withButtons(ctx context.Context, orgID int64, links []StepLink) error {
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.ID
	}
	buttons, err := s.nextSteps.Buttons(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range links {
		links[i].Buttons = buttons[links[i].ID]
	}
	return nil
}

// AddNextStep adds a next step of the template's workspace to it. An admin
// key may add only next steps its app owns.
func (s *Service) AddNextStep(ctx context.Context, c caller.Caller, id, stepUUID string, autopilot bool, order *int) (StepLink, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return StepLink{}, err
	}
	if err := s.store.link(ctx, c, t, stepUUID, autopilot, order, s.now()); err != nil {
		return StepLink{}, err
	}
	return s.link(ctx, t, stepUUID)
}

// UpdateNextStep changes whether a template's next step runs on autopilot.
func (s *Service) UpdateNextStep(ctx context.Context, c caller.Caller, id, stepUUID string, autopilot *bool) (StepLink, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return StepLink{}, err
	}
	if err := s.store.updateLink(ctx, t, stepUUID, autopilot, s.now()); err != nil {
		return StepLink{}, err
	}
	return s.link(ctx, t, stepUUID)
}

// RemoveNextStep takes a next step off a template.
func (s *Service) RemoveNextStep(ctx context.Context, c caller.Caller, id, stepUUID string) error {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	return s.store.unlink(ctx, t, stepUUID)
}

func (s *Service) link(ctx context.Context, t Template, stepUUID string) (StepLink, error) {
	p, err := s.store.links(ctx, t, stepUUID, page.Request{Limit: 1})
	if err != nil {
		return StepLink{}, err
	}
	if len(p.Items) == 0 {
		return StepLink{}, fault.NotFound("next step")
	}
	if err := s.withButtons(ctx, t.OrgID, p.Items); err != nil {
		return StepLink{}, err
	}
	return p.Items[0], nil
}

// Detail is a template with its next steps, as a user sees it.
type Detail struct {
	Template
	NextSteps []StepLink
}

// Detail returns a template with every next step and its buttons.
func (s *Service) Detail(ctx context.Context, c caller.Caller, id string) (Detail, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return Detail{}, err
	}
	p, err := s.store.links(ctx, t, "", page.Request{Limit: 1000})
	if err != nil {
		return Detail{}, err
	}
	if err := s.withButtons(ctx, t.OrgID, p.Items); err != nil {
		return Detail{}, err
	}
	return Detail{Template: t, NextSteps: p.Items}, nil
}

// Apply writes a template of the caller's workspace onto a meeting of the
// same workspace: its agenda items, participants and next steps; it emits
// meeting_template.applied.
func (s *Service) Apply(ctx context.Context, c caller.Caller, meetingUUID, templateUUID string) (Application, error) {
	var a Application
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		a, err = s.ApplyTx(ctx, tx, c, meetingUUID, templateUUID)
		return err
	})
	return a, err
}

// ApplyTx is Apply inside the caller's transaction, for a meeting being
// created from a template.
func (s *Service) ApplyTx(ctx context.Context, tx *jobs.Tx, c caller.Caller, meetingUUID, templateUUID string) (Application, error) {
	meetingID, err := s.store.meetingTx(ctx, tx, c.OrgID, meetingUUID)
	if err != nil {
		return Application{}, err
	}
	t, err := s.store.getTx(ctx, tx, c.OrgID, templateUUID)
	if err != nil {
		return Application{}, err
	}
	a := Application{UUID: uuid.NewString(), TemplateUUID: t.UUID, TemplateName: t.Name, MeetingUUID: meetingUUID, AppliedAt: s.now()}
	if s.content != nil {
		if a.AgendaItems, err = s.content.AddAgendaTx(ctx, tx, c, meetingID, t.Agenda); err != nil {
			return Application{}, err
		}
		if a.Participants, err = s.content.AddParticipantsTx(ctx, tx, c, meetingID, t.Participants); err != nil {
			return Application{}, err
		}
	}
	steps, err := s.store.stepIDsTx(ctx, tx, t.ID)
	if err != nil {
		return Application{}, err
	}
	if a.NextSteps, err = s.nextSteps.AttachTx(ctx, tx, c.OrgID, meetingID, steps); err != nil {
		return Application{}, err
	}
	by, err := s.store.insertApplication(ctx, tx, c, t.ID, meetingID, a)
	if err != nil {
		return Application{}, err
	}
	return a, event.Emit(ctx, s.events, tx, event.Event{Type: EventApplied, OrgID: c.OrgID, AppID: c.AppID, ActorUserID: c.UserID,
		Data: &Applied{AppliedAt: a.AppliedAt, AppliedByUserID: by, MeetingID: meetingUUID, TemplateID: t.UUID, TemplateName: t.Name,
			AppliedItems: AppliedItems{AgendaItems: a.AgendaItems, Participants: a.Participants, Documents: a.Documents}}})
}

// ApplyTemplate is ApplyTx in the shape meeting creation calls it with
// (meeting.TemplateApplier on the partner-core branch): the meeting is
// being written in tx.
func (s *Service) ApplyTemplate(ctx context.Context, tx *jobs.Tx, c caller.Caller, templateID string, m meeting.Meeting) error {
	_, err := s.ApplyTx(ctx, tx, c, m.UUID, templateID)
	return err
}
