package meetings

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/webhook"
)

// ExtOrganization is an organization a webhook may be created in.
type ExtOrganization struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ExtWebhook is a webhook of one organization. The secret is shown in full
// only in the create answer; reads show its hint.
type ExtWebhook struct {
	ID                int64     `json:"id"`
	TargetURL         string    `json:"target_url"`
	SecretKey         string    `json:"secret_key"`
	Events            []string  `json:"events"`
	IsActive          bool      `json:"is_active"`
	Description       string    `json:"description"`
	CreatedAt         time.Time `json:"created_at"`
	OrganizationID    int64     `json:"organization_id"`
	FailureCount      *int64    `json:"failure_count,omitempty"`
	LastFailureReason *string   `json:"last_failure_reason,omitempty"`
}

// ExtCreateWebhook is the create body.
type ExtCreateWebhook struct {
	TargetURL       string   `json:"target_url,omitempty"`
	Events          []string `json:"events,omitempty"`
	OrganizationIDs []any    `json:"organization_ids,omitempty"`
	Description     string   `json:"description,omitempty"`
}

// ExtWebhookEvent is one delivery of an event to a webhook.
type ExtWebhookEvent struct {
	ID             int64     `json:"id"`
	WebhookID      int64     `json:"webhook_id"`
	EventUUID      string    `json:"event_uuid"`
	EventType      string    `json:"event_type"`
	Status         string    `json:"status"`
	ResponseStatus *int      `json:"response_status"`
	AttemptCount   int       `json:"attempt_count"`
	CreatedAt      time.Time `json:"created_at"`
}

type orgsOutput struct{ Body []ExtOrganization }

type createWebhookInput struct{ Body ExtCreateWebhook }

type webhooksOutput struct{ Body []ExtWebhook }

type webhookListInput struct {
	OrganizationID string `query:"organization_id"`
	Paging
}

type webhookListOutput struct{ Body *ExtPage[ExtWebhook] }

type webhookOutput struct{ Body ExtWebhook }

type webhookEventsInput struct {
	WebhookID      string `query:"webhook_id"`
	OrganizationID string `query:"organization_id"`
	Paging
}

type webhookEventsOutput struct{ Body *ExtPage[ExtWebhookEvent] }

type webhookEventOutput struct{ Body ExtWebhookEvent }

func (h *Handler) registerWebhooks(api huma.API) {
	rest.Register(api, h.Surface, op("webhook-organizations", "GET", External+"/webhooks/available-organizations",
		"Organizations a webhook may be created in", "Webhooks"), h.webhookOrgs)
	rest.Register(api, h.Surface, op("create-webhooks", "POST", External+"/webhooks", "Create one webhook per organization", "Webhooks"), h.createWebhooks)
	rest.Register(api, h.Surface, op("list-webhooks", "GET", External+"/webhooks", "List webhooks", "Webhooks"), h.listWebhooks)
	rest.Register(api, h.Surface, op("get-webhook", "GET", External+"/webhooks/{id}", "Get a webhook", "Webhooks"), h.getWebhook)
	rest.Register(api, h.Surface, noContent(op("delete-webhook", "DELETE", External+"/webhooks/{id}", "Delete a webhook", "Webhooks")), h.deleteWebhook)
	rest.Register(api, h.Surface, op("list-webhook-events", "GET", External+"/webhook-events", "List webhook deliveries", "Webhooks"), h.listWebhookEvents)
	rest.Register(api, h.Surface, op("get-webhook-event", "GET", External+"/webhook-events/{id}", "Get a webhook delivery", "Webhooks"), h.getWebhookEvent)
}

// webhookOrgs serves GET /api/v1/external/webhooks/available-organizations/.
func (h *Handler) webhookOrgs(ctx context.Context, c caller.Caller, _ *struct{}) (*orgsOutput, error) {
	orgs, err := h.orgs(ctx, c, "")
	if err != nil {
		return nil, err
	}
	out := make([]ExtOrganization, 0, len(orgs))
	for _, id := range orgs {
		o, err := h.Identities.Org(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, ExtOrganization{ID: o.ID, Name: o.Name})
	}
	return &orgsOutput{Body: out}, nil
}

func toWebhook(e webhook.Endpoint) ExtWebhook {
	secret := e.Secret
	if secret == "" {
		secret = e.SecretHint
	}
	return ExtWebhook{ID: e.ID, TargetURL: e.URL, SecretKey: secret, Events: e.Events, IsActive: e.Enabled,
		Description: e.Description, CreatedAt: e.CreatedAt.UTC(), OrganizationID: e.OrgID}
}

// createWebhooks serves POST /api/v1/external/webhooks/: one webhook per
// organization, each with its own secret.
func (h *Handler) createWebhooks(ctx context.Context, c caller.Caller, in *createWebhookInput) (*webhooksOutput, error) {
	b := in.Body
	u, err := url.Parse(b.TargetURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(h.AllowPrivateURLs && u.Scheme == "http")) {
		return nil, fault.Invalid("target_url", "invalid", "Enter a valid https URL.")
	}
	if len(b.Events) == 0 {
		return nil, fault.Invalid("events", "required", "This list may not be empty.")
	}
	for _, e := range b.Events {
		if !slices.Contains(event.MeetingsAPIEvents, e) {
			return nil, fault.Invalid("events", "invalid_choice", "%q is not a valid choice.", e)
		}
	}
	if len(b.OrganizationIDs) == 0 {
		return nil, fault.Invalid("organization_ids", "required", "This list may not be empty.")
	}
	var orgIDs []int64
	for _, raw := range b.OrganizationIDs {
		id, _, err := integer("organization_ids", raw)
		if err != nil {
			return nil, err
		}
		if _, err := h.orgs(ctx, c, strconv.FormatInt(id, 10)); err != nil {
			return nil, err
		}
		if !slices.Contains(orgIDs, id) {
			orgIDs = append(orgIDs, id)
		}
	}
	out := make([]ExtWebhook, 0, len(orgIDs))
	for _, id := range orgIDs {
		e, err := h.Webhooks.CreateEndpoint(ctx, inOrg(c, id), webhook.NewEndpoint{URL: b.TargetURL, Events: b.Events,
			Description: strings.TrimSpace(b.Description), Scheme: webhook.SchemeStandard})
		if err != nil {
			return nil, err
		}
		out = append(out, toWebhook(e))
	}
	return &webhooksOutput{Body: out}, nil
}

// endpoints lists the webhooks of the caller's app in orgs, oldest first.
func (h *Handler) endpoints(ctx context.Context, c caller.Caller, orgs []int64) ([]webhook.Endpoint, error) {
	var all []webhook.Endpoint
	for _, id := range orgs {
		es, err := h.Webhooks.Endpoints(ctx, inOrg(c, id))
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	slices.SortStableFunc(all, func(a, b webhook.Endpoint) int { return cmp.Compare(a.ID, b.ID) })
	return all, nil
}

// listWebhooks serves GET /api/v1/external/webhooks/. An app has a few
// webhooks per organization, so they are paged here.
func (h *Handler) listWebhooks(ctx context.Context, c caller.Caller, in *webhookListInput) (*webhookListOutput, error) {
	orgs, err := h.orgs(ctx, c, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	number, size, err := in.offset()
	if err != nil {
		return nil, err
	}
	all, err := h.endpoints(ctx, c, orgs)
	if err != nil {
		return nil, err
	}
	from := min((number-1)*size, len(all))
	to := min(from+size, len(all))
	items := make([]ExtWebhook, 0, to-from)
	for _, e := range all[from:to] {
		items = append(items, toWebhook(e))
	}
	q := url.Values{}
	if in.OrganizationID != "" {
		q.Set("organization_id", in.OrganizationID)
	}
	if in.Size != "" {
		q.Set("size", in.Size)
	}
	body, err := envelope(h.PublicURL, External+"/webhooks", q, number, size, len(all), items)
	if err != nil {
		return nil, err
	}
	return &webhookListOutput{Body: body}, nil
}

// findWebhook finds a webhook of the caller's app by its integer id.
func (h *Handler) findWebhook(ctx context.Context, c caller.Caller, rawID string) (webhook.Endpoint, error) {
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil {
		return webhook.Endpoint{}, fault.NotFound("webhook")
	}
	orgs, err := h.orgs(ctx, c, "")
	if err != nil {
		return webhook.Endpoint{}, err
	}
	all, err := h.endpoints(ctx, c, orgs)
	if err != nil {
		return webhook.Endpoint{}, err
	}
	for _, e := range all {
		if e.ID == id {
			return e, nil
		}
	}
	return webhook.Endpoint{}, fault.NotFound("webhook")
}

// getWebhook serves GET /api/v1/external/webhooks/{id}/ with the failure
// record.
func (h *Handler) getWebhook(ctx context.Context, c caller.Caller, in *idInput) (*webhookOutput, error) {
	e, err := h.findWebhook(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	health, err := h.Webhooks.EndpointHealth(ctx, inOrg(c, e.OrgID), e.ID)
	if err != nil {
		return nil, err
	}
	out := toWebhook(e)
	out.FailureCount, out.LastFailureReason = &health.FailureCount, &health.LastFailureReason
	return &webhookOutput{Body: out}, nil
}

// deleteWebhook serves DELETE /api/v1/external/webhooks/{id}/.
func (h *Handler) deleteWebhook(ctx context.Context, c caller.Caller, in *idInput) (*struct{}, error) {
	e, err := h.findWebhook(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return nil, h.Webhooks.DeleteEndpoint(ctx, inOrg(c, e.OrgID), e.UUID)
}

func toWebhookEvent(d webhook.EndpointDelivery) ExtWebhookEvent {
	status := map[webhook.Status]string{webhook.StatusDelivered: "SUCCESS", webhook.StatusPending: "PENDING",
		webhook.StatusFailed: "FAILED", webhook.StatusAbandoned: "FAILED"}[d.Status]
	out := ExtWebhookEvent{ID: d.ID, WebhookID: d.EndpointID, EventUUID: "evt_" + d.EventUUID, EventType: d.EventType,
		Status: status, AttemptCount: d.Attempts, CreatedAt: d.CreatedAt.UTC()}
	if d.HTTPStatus != 0 {
		s := d.HTTPStatus
		out.ResponseStatus = &s
	}
	return out
}

// listWebhookEvents serves GET /api/v1/external/webhook-events/, the
// delivery log, newest first; webhook_id narrows it to one webhook.
func (h *Handler) listWebhookEvents(ctx context.Context, c caller.Caller, in *webhookEventsInput) (*webhookEventsOutput, error) {
	number, size, err := in.offset()
	if err != nil {
		return nil, err
	}
	var orgs []int64
	var endpointID int64
	if in.WebhookID != "" {
		e, err := h.findWebhook(ctx, c, in.WebhookID)
		if err != nil {
			return nil, err
		}
		orgs, endpointID = []int64{e.OrgID}, e.ID
	} else if orgs, err = h.orgs(ctx, c, in.OrganizationID); err != nil {
		return nil, err
	}
	// Each organization's log is paged alone when the app reaches one;
	// across several, the pages are merged here.
	var all []ExtWebhookEvent
	total := 0
	for _, org := range orgs {
		p, err := h.Webhooks.EndpointDeliveries(ctx, inOrg(c, org), endpointID, page.Request{Offset: 0, Limit: number * size})
		if err != nil {
			return nil, err
		}
		total += p.Total
		for _, d := range p.Items {
			all = append(all, toWebhookEvent(d))
		}
	}
	slices.SortStableFunc(all, func(a, b ExtWebhookEvent) int { return cmp.Compare(b.ID, a.ID) })
	from := min((number-1)*size, len(all))
	to := min(from+size, len(all))
	q := url.Values{}
	for k, v := range map[string]string{"webhook_id": in.WebhookID, "organization_id": in.OrganizationID, "size": in.Size} {
		if v != "" {
			q.Set(k, v)
		}
	}
	body, err := envelope(h.PublicURL, External+"/webhook-events", q, number, size, total, all[from:to])
	if err != nil {
		return nil, err
	}
	return &webhookEventsOutput{Body: body}, nil
}

// getWebhookEvent serves GET /api/v1/external/webhook-events/{id}/.
func (h *Handler) getWebhookEvent(ctx context.Context, c caller.Caller, in *idInput) (*webhookEventOutput, error) {
	id, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil {
		return nil, fault.NotFound("webhook event")
	}
	orgs, err := h.orgs(ctx, c, "")
	if err != nil {
		return nil, err
	}
	for _, org := range orgs {
		d, err := h.Webhooks.EndpointDeliveryByID(ctx, inOrg(c, org), id)
		if err == nil {
			return &webhookEventOutput{Body: toWebhookEvent(d)}, nil
		}
		if _, ok := fault.As(err); !ok {
			return nil, err
		}
	}
	return nil, fault.NotFound("webhook event")
}
