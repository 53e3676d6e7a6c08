package partneradmin

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/connection"
)

// UserConnection is one user's authorization of the app.
type UserConnection struct {
	ID                 string   `json:"id"`
	UserID             string   `json:"user_id"`
	UserName           string   `json:"user_name,omitempty"`
	UserEmail          string   `json:"user_email,omitempty"`
	OAuthScopes        []string `json:"oauth_scopes"`
	OAuthExpiresAt     *string  `json:"oauth_expires_at,omitempty" doc:"when the last live token expires"`
	FeatureActivatedAt *string  `json:"feature_activated_at,omitempty"`
	RevokedAt          *string  `json:"revoked_at,omitempty"`
	Status             string   `json:"status" enum:"active,revoked,expired"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
}

func toConnection(ctx context.Context, c connection.Connection) UserConnection {
	return UserConnection{ID: c.UUID, UserID: c.UserUUID, UserName: c.UserName, UserEmail: c.UserEmail, OAuthScopes: c.Scopes,
		OAuthExpiresAt: rest.TimePtr(ctx, c.ExpiresAt), FeatureActivatedAt: rest.TimePtr(ctx, c.CreatedAt),
		RevokedAt: rest.TimePtr(ctx, c.RevokedAt), Status: string(c.Status), CreatedAt: rest.Time(ctx, c.CreatedAt),
		UpdatedAt: rest.Time(ctx, c.UpdatedAt)}
}

type listConnectionsInput struct {
	Limit  int    `query:"limit" doc:"page size, 1 to 100 (default 50)"`
	Offset int    `query:"offset"`
	UserID string `query:"user_id" doc:"the user's id"`
	Status string `query:"status" doc:"active, revoked or expired"`
}

type connectionListOutput struct {
	Body partneruser.List[UserConnection]
}

type connectionIDInput struct {
	ID string `path:"connectionId"`
}

type connectionOutput struct{ Body UserConnection }

func (h *Handler) registerConnections(api huma.API) {
	const tag = "Admin: user connections"
	s := h.Surface
	rest.Register(api, s, rest.Op{ID: "getUserConnections", Method: http.MethodGet, Path: "/connections",
		Summary: "List the users who authorized the app, newest first", Tag: tag}, h.listConnections)
	rest.Register(api, s, rest.Op{ID: "getUserConnection", Method: http.MethodGet, Path: "/connections/{connectionId}",
		Summary: "One user connection", Tag: tag}, h.getConnection)
	rest.Register(api, s, rest.Op{ID: "revokeUserConnection", Method: http.MethodDelete, Path: "/connections/{connectionId}",
		Summary: "Revoke a connection and every token of its user for the app", Tag: tag, Status: http.StatusNoContent}, h.revokeConnection)
}

// listConnections serves GET /v1/partner/admin/connections.
func (h *Handler) listConnections(ctx context.Context, c caller.Caller, in *listConnectionsInput) (*connectionListOutput, error) {
	p, err := h.Connections.List(ctx, c, connection.Filter{UserUUID: in.UserID, Status: connection.Status(in.Status)},
		partneruser.PageQuery{Limit: in.Limit, Offset: in.Offset}.Request())
	if err != nil {
		return nil, err
	}
	return &connectionListOutput{Body: partneruser.ListOf(p, func(x connection.Connection) UserConnection { return toConnection(ctx, x) })}, nil
}

// getConnection serves GET /v1/partner/admin/connections/{connectionId}.
func (h *Handler) getConnection(ctx context.Context, c caller.Caller, in *connectionIDInput) (*connectionOutput, error) {
	x, err := h.Connections.Get(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &connectionOutput{Body: toConnection(ctx, x)}, nil
}

// revokeConnection serves DELETE /v1/partner/admin/connections/{connectionId}.
func (h *Handler) revokeConnection(ctx context.Context, c caller.Caller, in *connectionIDInput) (*struct{}, error) {
	if err := h.Connections.Revoke(ctx, c, in.ID); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
