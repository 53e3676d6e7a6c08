package partneradmin

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/credential"
	"github.com/quorumhq/quorum/internal/page"
)

// CredentialStatusInfo is the state of one credential.
type CredentialStatusInfo struct {
	CredentialType    string  `json:"credential_type" enum:"api_key,webhook_secret,client_secret"`
	Status            string  `json:"status" enum:"active,pending_rotation,expired"`
	CreatedAt         *string `json:"created_at"`
	LastRotatedAt     *string `json:"last_rotated_at,omitempty"`
	LastUsedAt        *string `json:"last_used_at,omitempty"`
	AgeDays           int     `json:"age_days"`
	RecommendedAction string  `json:"recommended_action" enum:"ok,rotate_soon,rotate_now"`
	GracePeriodEndsAt *string `json:"grace_period_ends_at,omitempty"`
}

type credentialStatus struct {
	APIKey        CredentialStatusInfo `json:"api_key"`
	WebhookSecret CredentialStatusInfo `json:"webhook_secret"`
	ClientSecret  CredentialStatusInfo `json:"client_secret"`
}

type credentialStatusOutput struct{ Body credentialStatus }

func toStatusInfo(ctx context.Context, i credential.Info) CredentialStatusInfo {
	return CredentialStatusInfo{CredentialType: string(i.Type), Status: string(i.Status), CreatedAt: rest.TimePtr(ctx, i.CreatedAt),
		LastRotatedAt: rest.TimePtr(ctx, i.LastRotatedAt), LastUsedAt: rest.TimePtr(ctx, i.LastUsedAt), AgeDays: i.AgeDays,
		RecommendedAction: i.RecommendedAction, GracePeriodEndsAt: rest.TimePtr(ctx, i.GraceEndsAt)}
}

type rotateInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		ConfirmationToken string `json:"confirmation_token,omitempty" doc:"any non-empty string: rotating is never an accident"`
		Reason            string `json:"reason,omitempty"`
		GracePeriodHours  *int   `json:"grace_period_hours,omitempty" doc:"hours the old secret keeps working (default 24, at most 720); ignored for the webhook secret"`
	}
}

// CredentialRotation is a rotation's outcome; new_credential is shown once.
type CredentialRotation struct {
	CredentialType    string  `json:"credential_type"`
	NewCredential     string  `json:"new_credential"`
	GracePeriodEndsAt *string `json:"grace_period_ends_at,omitempty"`
	RollbackToken     string  `json:"rollback_token,omitempty"`
	RollbackExpiresAt *string `json:"rollback_expires_at,omitempty"`
}

type rotateOutput struct{ Body CredentialRotation }

type rollbackInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		RollbackToken string `json:"rollback_token,omitempty"`
		Reason        string `json:"reason,omitempty"`
	}
}

type rollbackResult struct {
	Message        string `json:"message"`
	CredentialType string `json:"credential_type"`
}

type rollbackOutput struct{ Body rollbackResult }

type historyInput struct {
	Limit          int    `query:"limit" doc:"page size, 1 to 100 (default 20)"`
	Offset         int    `query:"offset"`
	CredentialType string `query:"credential_type" doc:"api_key, webhook_secret or client_secret"`
	Action         string `query:"action" doc:"rotated, rollback, accessed, tested, disabled, enabled or viewed"`
}

// CredentialAuditEvent is one entry of the credential history.
type CredentialAuditEvent struct {
	ID             string         `json:"id"`
	PartnerAppID   string         `json:"partner_app_id"`
	CredentialType string         `json:"credential_type"`
	Action         string         `json:"action"`
	InitiatedBy    string         `json:"initiated_by" enum:"partner,internal,system"`
	UserAgent      string         `json:"user_agent,omitempty"`
	IPAddress      string         `json:"ip_address,omitempty"`
	Reason         string         `json:"reason,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	CreatedAt      string         `json:"created_at"`
}

type historyPagination struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Count  int `json:"count" doc:"events in this page"`
}

type credentialHistory struct {
	Events     []CredentialAuditEvent `json:"events"`
	Pagination historyPagination      `json:"pagination"`
}

type historyOutput struct{ Body credentialHistory }

func (h *Handler) registerCredentials(api huma.API) {
	const tag = "Admin: credentials"
	s := h.Surface
	rest.Register(api, s, rest.Op{ID: "getCredentialStatus", Method: http.MethodGet, Path: "/credentials",
		Summary: "The state of the app's API key, webhook secret and client secret", Tag: tag}, h.credentialStatus)
	for _, r := range []struct {
		id, segment string
		t           credential.Type
		summary     string
	}{
		{"rotateAPIKey", "api-key", credential.APIKey, "Rotate the API key; the old one works until the grace period ends"},
		{"rotateWebhookSecret", "webhook-secret", credential.WebhookSecret, "Rotate the webhook signing secret, at once"},
		{"rotateClientSecret", "client-secret", credential.ClientSecret, "Rotate the client secret; the old one works until the grace period ends"},
	} {
		rest.Register(api, s, rest.Op{ID: r.id, Method: http.MethodPost, Path: "/credentials/" + r.segment + "/rotate",
			Summary: r.summary, Tag: tag}, h.rotate(r.t))
	}
	for _, r := range []struct {
		id, segment string
		t           credential.Type
	}{{"rollbackAPIKey", "api-key", credential.APIKey}, {"rollbackClientSecret", "client-secret", credential.ClientSecret}} {
		rest.Register(api, s, rest.Op{ID: r.id, Method: http.MethodPost, Path: "/credentials/" + r.segment + "/rollback",
			Summary: "Restore the credential a rotation replaced (single-use token, valid 1 h)", Tag: tag}, h.rollback(r.t))
	}
	rest.Register(api, s, rest.Op{ID: "getCredentialHistory", Method: http.MethodGet, Path: "/credentials/history",
		Summary: "The credentials' audit history, newest first", Tag: tag}, h.credentialHistory)
}

// credentialStatus serves GET /v1/partner/admin/credentials.
func (h *Handler) credentialStatus(ctx context.Context, c caller.Caller, _ *struct{}) (*credentialStatusOutput, error) {
	st, err := h.Credentials.Status(ctx, c)
	if err != nil {
		return nil, err
	}
	return &credentialStatusOutput{Body: credentialStatus{APIKey: toStatusInfo(ctx, st[credential.APIKey]),
		WebhookSecret: toStatusInfo(ctx, st[credential.WebhookSecret]), ClientSecret: toStatusInfo(ctx, st[credential.ClientSecret])}}, nil
}

// rotate serves POST /v1/partner/admin/credentials/{type}/rotate.
func (h *Handler) rotate(t credential.Type) func(context.Context, caller.Caller, *rotateInput) (*rotateOutput, error) {
	return func(ctx context.Context, c caller.Caller, in *rotateInput) (*rotateOutput, error) {
		r := credential.Rotation{Confirmation: in.Body.ConfirmationToken,
			Request: credential.Request{Reason: in.Body.Reason, UserAgent: in.UserAgent, IPAddress: rest.ClientAddr(ctx)}}
		if in.Body.GracePeriodHours != nil && t != credential.WebhookSecret {
			g := time.Duration(*in.Body.GracePeriodHours) * time.Hour
			r.Grace = &g
		}
		out, err := h.Credentials.Rotate(ctx, c, t, r)
		if err != nil {
			return nil, err
		}
		return &rotateOutput{Body: CredentialRotation{CredentialType: string(out.Type), NewCredential: out.Secret,
			GracePeriodEndsAt: rest.TimePtr(ctx, out.GraceEndsAt), RollbackToken: out.RollbackToken,
			RollbackExpiresAt: rest.TimePtr(ctx, out.RollbackExpiresAt)}}, nil
	}
}

// rollback serves POST /v1/partner/admin/credentials/{type}/rollback.
func (h *Handler) rollback(t credential.Type) func(context.Context, caller.Caller, *rollbackInput) (*rollbackOutput, error) {
	return func(ctx context.Context, c caller.Caller, in *rollbackInput) (*rollbackOutput, error) {
		err := h.Credentials.Rollback(ctx, c, t, in.Body.RollbackToken,
			credential.Request{Reason: in.Body.Reason, UserAgent: in.UserAgent, IPAddress: rest.ClientAddr(ctx)})
		if err != nil {
			return nil, err
		}
		return &rollbackOutput{Body: rollbackResult{Message: "the previous credential is restored", CredentialType: string(t)}}, nil
	}
}

// credentialHistory serves GET /v1/partner/admin/credentials/history.
func (h *Handler) credentialHistory(ctx context.Context, c caller.Caller, in *historyInput) (*historyOutput, error) {
	p, err := h.Credentials.History(ctx, c, credential.Filter{Type: credential.Type(in.CredentialType), Action: in.Action},
		page.Request{Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, err
	}
	out := credentialHistory{Events: make([]CredentialAuditEvent, 0, len(p.Items)),
		Pagination: historyPagination{Limit: p.Limit, Offset: p.Offset, Count: len(p.Items)}}
	for _, e := range p.Items {
		out.Events = append(out.Events, CredentialAuditEvent{ID: e.UUID, PartnerAppID: e.AppUUID, CredentialType: string(e.Type),
			Action: e.Action, InitiatedBy: e.InitiatedBy, UserAgent: e.UserAgent, IPAddress: e.IPAddress, Reason: e.Reason,
			Metadata: e.Metadata, CreatedAt: rest.Time(ctx, e.CreatedAt)})
	}
	return &historyOutput{Body: out}, nil
}
