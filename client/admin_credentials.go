package client

import (
	"context"
	"iter"
	"net/http"
	"strings"
)

// CredentialStatusInfo is the state of one credential.
type CredentialStatusInfo struct {
	CredentialType    string  `json:"credential_type"`
	Status            string  `json:"status"`
	CreatedAt         *string `json:"created_at"`
	LastRotatedAt     *string `json:"last_rotated_at"`
	LastUsedAt        *string `json:"last_used_at"`
	AgeDays           int     `json:"age_days"`
	RecommendedAction string  `json:"recommended_action"`
	GracePeriodEndsAt *string `json:"grace_period_ends_at"`
}

// CredentialStatus is the state of the app's three credentials.
type CredentialStatus struct {
	APIKey        CredentialStatusInfo `json:"api_key"`
	WebhookSecret CredentialStatusInfo `json:"webhook_secret"`
	ClientSecret  CredentialStatusInfo `json:"client_secret"`
}

// CredentialRotationRequest is the body of a rotation. GracePeriodHours
// nil means the server's default (24 h); it is ignored for the webhook
// secret.
type CredentialRotationRequest struct {
	ConfirmationToken string `json:"confirmation_token"`
	Reason            string `json:"reason,omitempty"`
	GracePeriodHours  *int   `json:"grace_period_hours,omitempty"`
}

// CredentialRotation is a rotation's outcome; NewCredential is shown once.
type CredentialRotation struct {
	CredentialType    string  `json:"credential_type"`
	NewCredential     string  `json:"new_credential"`
	GracePeriodEndsAt *string `json:"grace_period_ends_at"`
	RollbackToken     string  `json:"rollback_token"`
	RollbackExpiresAt *string `json:"rollback_expires_at"`
}

// CredentialAuditEvent is one entry of the credential history.
type CredentialAuditEvent struct {
	ID             string         `json:"id"`
	PartnerAppID   string         `json:"partner_app_id"`
	CredentialType string         `json:"credential_type"`
	Action         string         `json:"action"`
	InitiatedBy    string         `json:"initiated_by"`
	UserAgent      string         `json:"user_agent"`
	IPAddress      string         `json:"ip_address"`
	Reason         string         `json:"reason"`
	Metadata       map[string]any `json:"metadata"`
	CreatedAt      string         `json:"created_at"`
}

// CredentialHistory is one page of the history.
type CredentialHistory struct {
	Events     []CredentialAuditEvent `json:"events"`
	Pagination struct {
		Limit  int `json:"limit"`
		Offset int `json:"offset"`
		Count  int `json:"count"`
	} `json:"pagination"`
}

// CredentialHistoryQuery filters and pages the history; zero fields are
// left out.
type CredentialHistoryQuery struct {
	Limit          int
	Offset         int
	CredentialType string // api_key, webhook_secret or client_secret
	Action         string // rotated, rollback, ...
}

// CredentialStatus returns the state of the app's credentials.
func (c *Client) CredentialStatus(ctx context.Context) (*CredentialStatus, error) {
	var out CredentialStatus
	if err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/credentials"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) rotate(ctx context.Context, segment string, r CredentialRotationRequest) (*CredentialRotation, error) {
	var out CredentialRotation
	err := c.do(ctx, request{method: http.MethodPost, path: adminBase + "/credentials/" + segment + "/rotate", json: r}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateAPIKey replaces the app's API key; the old one works until
// GracePeriodEndsAt.
func (c *Client) RotateAPIKey(ctx context.Context, r CredentialRotationRequest) (*CredentialRotation, error) {
	return c.rotate(ctx, "api-key", r)
}

// RotateClientSecret replaces the app's client secret; the old one works
// until GracePeriodEndsAt.
func (c *Client) RotateClientSecret(ctx context.Context, r CredentialRotationRequest) (*CredentialRotation, error) {
	return c.rotate(ctx, "client-secret", r)
}

// RotateWebhookSecret replaces the secret that signs the app's webhook
// deliveries, at once.
func (c *Client) RotateWebhookSecret(ctx context.Context, r CredentialRotationRequest) (*CredentialRotation, error) {
	return c.rotate(ctx, "webhook-secret", r)
}

// RollbackCredential spends a rollback token: credentialType is api_key or
// client_secret (either spelling).
func (c *Client) RollbackCredential(ctx context.Context, credentialType, token, reason string) error {
	body := map[string]string{"rollback_token": token}
	if reason != "" {
		body["reason"] = reason
	}
	segment := strings.ReplaceAll(credentialType, "_", "-")
	return c.do(ctx, request{method: http.MethodPost, path: adminBase + "/credentials/" + segment + "/rollback", json: body}, nil)
}

// CredentialHistory lists one page of the credential audit history, newest
// first.
func (c *Client) CredentialHistory(ctx context.Context, q CredentialHistoryQuery) (*CredentialHistory, error) {
	v := offsetQuery(q.Limit, q.Offset)
	if q.CredentialType != "" {
		v.Set("credential_type", q.CredentialType)
	}
	if q.Action != "" {
		v.Set("action", q.Action)
	}
	var out CredentialHistory
	if err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/credentials/history", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllCredentialHistory iterates over the whole history matching q (its
// Limit and Offset are ignored); pages have no total, so it stops at the
// first short page.
func (c *Client) AllCredentialHistory(ctx context.Context, q CredentialHistoryQuery) iter.Seq2[CredentialAuditEvent, error] {
	return func(yield func(CredentialAuditEvent, error) bool) {
		q.Limit, q.Offset = 100, 0
		for {
			p, err := c.CredentialHistory(ctx, q)
			if err != nil {
				yield(CredentialAuditEvent{}, err)
				return
			}
			for _, e := range p.Events {
				if !yield(e, nil) {
					return
				}
			}
			if len(p.Events) < q.Limit {
				return
			}
			q.Offset += len(p.Events)
		}
	}
}
