package partneradmin

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/webhook"
)

// WebhookDelivery is one event's delivery to the app's webhook.
type WebhookDelivery struct {
	ID             string  `json:"id"`
	PartnerAppID   string  `json:"partner_app_id"`
	EventType      string  `json:"event_type"`
	EventID        string  `json:"event_id"`
	DeliveryStatus string  `json:"delivery_status" enum:"pending,delivered,failed,abandoned"`
	HTTPStatusCode *int    `json:"http_status_code,omitempty"`
	RetryCount     int     `json:"retry_count" doc:"failed attempts so far"`
	NextRetryAt    *string `json:"next_retry_at,omitempty"`
	DeliveredAt    *string `json:"delivered_at,omitempty"`
	ErrorMessage   string  `json:"error_message" doc:"the last attempt's error; empty if none"`
	CreatedAt      string  `json:"created_at"`
}

func toDelivery(ctx context.Context, d webhook.Delivery) WebhookDelivery {
	out := WebhookDelivery{ID: d.UUID, PartnerAppID: d.AppUUID, EventType: d.EventType, EventID: d.EventUUID,
		DeliveryStatus: string(d.Status), RetryCount: d.Failures, NextRetryAt: rest.TimePtr(ctx, d.NextAttemptAt),
		DeliveredAt: rest.TimePtr(ctx, d.DeliveredAt), ErrorMessage: d.ErrorMessage, CreatedAt: rest.Time(ctx, d.CreatedAt)}
	if d.HTTPStatus != 0 {
		out.HTTPStatusCode = &d.HTTPStatus
	}
	return out
}

type listDeliveriesInput struct {
	Limit     int    `query:"limit" doc:"page size, 1 to 100 (default 50)"`
	Offset    int    `query:"offset"`
	Status    string `query:"status" doc:"pending, delivered, failed or abandoned"`
	EventType string `query:"event_type" doc:"an event type, e.g. meeting.created"`
}

type deliveryList struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	Total      int               `json:"total"`
	Limit      int               `json:"limit"`
	Offset     int               `json:"offset"`
}

type deliveryListOutput struct{ Body deliveryList }

type deliveryIDInput struct {
	ID string `path:"deliveryId"`
}

type deliveryOutput struct{ Body WebhookDelivery }

type retryResult struct {
	Message        string  `json:"message"`
	RetryScheduled bool    `json:"retry_scheduled"`
	DeliveryID     string  `json:"delivery_id"`
	RetryCount     int     `json:"retry_count"`
	NextRetryAt    *string `json:"next_retry_at"`
}

type retryOutput struct{ Body retryResult }

func (h *Handler) registerDeliveries(api huma.API) {
	const tag = "Admin: webhook deliveries"
	s := h.Surface
	rest.Register(api, s, rest.Op{ID: "getWebhookDeliveries", Method: http.MethodGet, Path: "/webhook-deliveries",
		Summary: "List the app's webhook deliveries, newest first", Tag: tag}, h.listDeliveries)
	rest.Register(api, s, rest.Op{ID: "getWebhookDelivery", Method: http.MethodGet, Path: "/webhook-deliveries/{deliveryId}",
		Summary: "One webhook delivery", Tag: tag}, h.getDelivery)
	rest.Register(api, s, rest.Op{ID: "retryWebhookDelivery", Method: http.MethodPost, Path: "/webhook-deliveries/{deliveryId}/retry",
		Summary: "Attempt a webhook delivery again now", Tag: tag}, h.retryDelivery)
}

// listDeliveries serves GET /v1/partner/admin/webhook-deliveries.
func (h *Handler) listDeliveries(ctx context.Context, c caller.Caller, in *listDeliveriesInput) (*deliveryListOutput, error) {
	p, err := h.Webhooks.Deliveries(ctx, c, webhook.DeliveryFilter{Status: webhook.Status(in.Status), EventType: in.EventType},
		page.Request{Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, err
	}
	out := deliveryList{Deliveries: make([]WebhookDelivery, 0, len(p.Items)), Total: p.Total, Limit: in.Limit, Offset: in.Offset}
	if out.Limit == 0 {
		out.Limit = webhook.DefaultDeliveryPage
	}
	for _, d := range p.Items {
		out.Deliveries = append(out.Deliveries, toDelivery(ctx, d))
	}
	return &deliveryListOutput{Body: out}, nil
}

// getDelivery serves GET /v1/partner/admin/webhook-deliveries/{deliveryId}.
func (h *Handler) getDelivery(ctx context.Context, c caller.Caller, in *deliveryIDInput) (*deliveryOutput, error) {
	d, err := h.Webhooks.Delivery(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &deliveryOutput{Body: toDelivery(ctx, d)}, nil
}

// retryDelivery serves POST /v1/partner/admin/webhook-deliveries/{deliveryId}/retry.
func (h *Handler) retryDelivery(ctx context.Context, c caller.Caller, in *deliveryIDInput) (*retryOutput, error) {
	r, err := h.Webhooks.RetryDelivery(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	out := retryResult{Message: r.Message, RetryScheduled: r.Scheduled, DeliveryID: r.Delivery.UUID, RetryCount: r.Delivery.Failures}
	if r.Scheduled {
		out.NextRetryAt = rest.TimePtr(ctx, r.Delivery.NextAttemptAt)
	}
	return &retryOutput{Body: out}, nil
}
