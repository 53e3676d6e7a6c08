package main

import (
	"context"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/connection"
	"github.com/quorumhq/quorum/internal/credential"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/webhook"
)

// operatorCaller acts for an app as Quorum itself: what the app's admin
// key could do, recorded in audit histories as initiated internally.
func operatorCaller(ctx context.Context, a *app.App, clientID string) (caller.Caller, error) {
	if clientID == "" {
		return caller.Caller{}, fmt.Errorf("--client-id is required")
	}
	ap, err := a.Identities.AppByClientID(ctx, clientID)
	if err != nil {
		return caller.Caller{}, fmt.Errorf("client %q: %w", clientID, err)
	}
	c := caller.Caller{Credential: caller.System, AppID: ap.ID, UserRef: "system"}
	if len(ap.OrgIDs) > 0 {
		c.OrgID = ap.OrgIDs[0]
	}
	return c, nil
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339)
}

// partnerAdminCommand returns the run function of the operator commands for
// an app's credentials, connections and webhook deliveries, or nil when
// name is not one of them.
func partnerAdminCommand(c *adminCmd, name string) func(context.Context, *app.App) (map[string]any, error) {
	clientID := func() *string { return c.fs.String("client-id", "", "the app's client id") }
	switch name {
	case "credential rotate":
		id := clientID()
		typ := c.fs.String("type", "", "api_key, client_secret or webhook_secret")
		grace := c.fs.Duration("grace", credential.DefaultGrace, "how long the old secret keeps working (not for webhook_secret)")
		reason := c.fs.String("reason", "", "why, for the audit history")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			t, ok := credential.ParseType(*typ)
			if !ok {
				return nil, fmt.Errorf("--type: want api_key, client_secret or webhook_secret")
			}
			cl, err := operatorCaller(ctx, a, *id)
			if err != nil {
				return nil, err
			}
			r, err := a.Credentials.Rotate(ctx, cl, t, credential.Rotation{Confirmation: "quorum admin",
				Request: credential.Request{Reason: *reason, UserAgent: "quorum admin"}, Grace: grace})
			if err != nil {
				return nil, err
			}
			return map[string]any{"credential_type": string(r.Type), "new_credential": r.Secret,
				"grace_period_ends_at": timeOrNil(r.GraceEndsAt), "rollback_token": r.RollbackToken,
				"rollback_expires_at": timeOrNil(r.RollbackExpiresAt)}, nil
		}
	case "credential status":
		id := clientID()
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			cl, err := operatorCaller(ctx, a, *id)
			if err != nil {
				return nil, err
			}
			st, err := a.Credentials.Status(ctx, cl)
			if err != nil {
				return nil, err
			}
			out := map[string]any{}
			for t, i := range st {
				out[string(t)] = map[string]any{"status": string(i.Status), "created_at": timeOrNil(i.CreatedAt),
					"age_days": i.AgeDays, "recommended_action": i.RecommendedAction,
					"last_rotated_at": timeOrNil(i.LastRotatedAt), "grace_period_ends_at": timeOrNil(i.GraceEndsAt)}
			}
			return out, nil
		}
	case "connection list":
		id := clientID()
		status := c.fs.String("status", "", "active, revoked or expired")
		user := c.fs.String("user", "", "a user's uuid")
		limit := c.fs.Int("limit", connection.DefaultPage, "page size (at most 100)")
		offset := c.fs.Int("offset", 0, "rows to skip")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			cl, err := operatorCaller(ctx, a, *id)
			if err != nil {
				return nil, err
			}
			p, err := a.Connections.List(ctx, cl, connection.Filter{UserUUID: *user, Status: connection.Status(*status)},
				page.Request{Limit: *limit, Offset: *offset})
			if err != nil {
				return nil, err
			}
			items := make([]map[string]any, 0, len(p.Items))
			for _, x := range p.Items {
				items = append(items, map[string]any{"id": x.UUID, "user_id": x.UserUUID, "user_email": x.UserEmail,
					"status": string(x.Status), "scopes": x.Scopes, "created_at": timeOrNil(x.CreatedAt),
					"revoked_at": timeOrNil(x.RevokedAt)})
			}
			return map[string]any{"connections": items, "total": p.Total}, nil
		}
	case "connection revoke":
		id := clientID()
		conn := c.fs.String("id", "", "the connection's id")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			cl, err := operatorCaller(ctx, a, *id)
			if err != nil {
				return nil, err
			}
			if err := a.Connections.Revoke(ctx, cl, *conn); err != nil {
				return nil, err
			}
			return map[string]any{"id": *conn, "status": string(connection.Revoked)}, nil
		}
	case "delivery list":
		id := clientID()
		status := c.fs.String("status", "", "pending, delivered, failed or abandoned")
		eventType := c.fs.String("event-type", "", "an event type, e.g. meeting.created")
		limit := c.fs.Int("limit", webhook.DefaultDeliveryPage, "page size (at most 100)")
		offset := c.fs.Int("offset", 0, "rows to skip")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			cl, err := operatorCaller(ctx, a, *id)
			if err != nil {
				return nil, err
			}
			p, err := a.Webhooks.Deliveries(ctx, cl, webhook.DeliveryFilter{Status: webhook.Status(*status), EventType: *eventType},
				page.Request{Limit: *limit, Offset: *offset})
			if err != nil {
				return nil, err
			}
			items := make([]map[string]any, 0, len(p.Items))
			for _, d := range p.Items {
				items = append(items, map[string]any{"id": d.UUID, "event_id": d.EventUUID, "event_type": d.EventType,
					"status": string(d.Status), "attempts": d.Attempts, "http_status": d.HTTPStatus, "error": d.ErrorMessage,
					"next_attempt_at": timeOrNil(d.NextAttemptAt), "created_at": timeOrNil(d.CreatedAt)})
			}
			return map[string]any{"deliveries": items, "total": p.Total}, nil
		}
	}
	return nil
}
