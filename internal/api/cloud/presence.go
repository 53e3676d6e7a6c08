package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/realtime"
)

type presenceInput struct {
	Body struct {
		UserID string `json:"userId,omitempty" doc:"the token's user (the default)"`
	}
}

type onlineOutput struct {
	Body struct {
		UserIDs []string `json:"userIds"`
	}
}

type relationshipsInput struct {
	Body struct {
		ProfileID   string `json:"profileId" doc:"the caller's profile"`
		UserField   string `json:"userField" doc:"the metadata field compared on the other users' profiles"`
		CallerField string `json:"callerField" doc:"the metadata field of the caller's profile"`
		UserID      string `json:"userId,omitempty"`
	}
}

type putProfileInput struct {
	ProfileID string `path:"profileId"`
	Body      struct {
		Metadata map[string]any `json:"metadata,omitempty"`
		UserID   string         `json:"userId,omitempty" doc:"the owner; must be the token's user"`
	}
}

type profileInput struct {
	ProfileID string `path:"profileId"`
}

type profileOutput struct{ Body realtime.Profile }

func (h *Handler) registerPresence(api huma.API) {
	const tag = "Cloud: Presence"
	rest.Register(api, h.Surface, rest.Op{ID: "presenceHeartbeat", Method: http.MethodPost, Path: "/presence/heartbeat", Tag: tag,
		Summary: "Mark the user online for the presence TTL (8 s by default)", Status: http.StatusNoContent}, h.heartbeat)
	rest.Register(api, h.Surface, rest.Op{ID: "presenceOffline", Method: http.MethodPost, Path: "/presence/offline", Tag: tag,
		Summary: "Mark the user offline at once", Status: http.StatusNoContent}, h.offline)
	rest.Register(api, h.Surface, rest.Op{ID: "presenceOnline", Method: http.MethodGet, Path: "/presence/online", Tag: tag,
		Summary: "The organization's online users"}, h.online)
	rest.Register(api, h.Surface, rest.Op{ID: "presenceRelationships", Method: http.MethodPost, Path: "/presence/relationships", Tag: tag,
		Summary: "Online users whose profile metadata matches the caller's"}, h.relationships)
	rest.Register(api, h.Surface, rest.Op{ID: "putProfile", Method: http.MethodPut, Path: "/profiles/{profileId}", Tag: tag,
		Summary: "Create or replace the user's profile metadata"}, h.putProfile)
	rest.Register(api, h.Surface, rest.Op{ID: "getProfile", Method: http.MethodGet, Path: "/profiles/{profileId}", Tag: tag,
		Summary: "A profile"}, h.getProfile)
}

// heartbeat serves POST /cloud/v1/presence/heartbeat.
func (h *Handler) heartbeat(ctx context.Context, c caller.Caller, in *presenceInput) (*struct{}, error) {
	return nil, h.Realtime.Heartbeat(ctx, c, in.Body.UserID)
}

// offline serves POST /cloud/v1/presence/offline.
func (h *Handler) offline(ctx context.Context, c caller.Caller, in *presenceInput) (*struct{}, error) {
	return nil, h.Realtime.Offline(ctx, c, in.Body.UserID)
}

// online serves GET /cloud/v1/presence/online.
func (h *Handler) online(ctx context.Context, c caller.Caller, _ *struct{}) (*onlineOutput, error) {
	users, err := h.Realtime.Online(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &onlineOutput{}
	out.Body.UserIDs = users
	return out, nil
}

// relationships serves POST /cloud/v1/presence/relationships.
func (h *Handler) relationships(ctx context.Context, c caller.Caller, in *relationshipsInput) (*onlineOutput, error) {
	users, err := h.Realtime.Relationships(ctx, c, in.Body.ProfileID, in.Body.UserField, in.Body.CallerField)
	if err != nil {
		return nil, err
	}
	out := &onlineOutput{}
	out.Body.UserIDs = users
	return out, nil
}

// putProfile serves PUT /cloud/v1/profiles/{profileId}.
func (h *Handler) putProfile(ctx context.Context, c caller.Caller, in *putProfileInput) (*profileOutput, error) {
	p, err := h.Realtime.PutProfile(ctx, c, in.ProfileID, in.Body.UserID, in.Body.Metadata)
	if err != nil {
		return nil, err
	}
	return &profileOutput{Body: p}, nil
}

// getProfile serves GET /cloud/v1/profiles/{profileId}.
func (h *Handler) getProfile(ctx context.Context, c caller.Caller, in *profileInput) (*profileOutput, error) {
	p, err := h.Realtime.Profile(ctx, c, in.ProfileID)
	if err != nil {
		return nil, err
	}
	return &profileOutput{Body: p}, nil
}
