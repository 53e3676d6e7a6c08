package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/realtime"
)

type advertiseInput struct {
	Body struct {
		Name             string         `json:"name"`
		OwnerDisplayName string         `json:"ownerDisplayName,omitempty"`
		TargetUserIDs    []string       `json:"targetUserIds,omitempty"`
		Metadata         map[string]any `json:"metadata,omitempty"`
		UserID           string         `json:"userId,omitempty" doc:"the owner; must be the token's user"`
	}
}

type activeRoomOutput struct{ Body realtime.ActiveRoom }

type updateActiveRoomInput struct {
	Name string `path:"name"`
	Body struct {
		OwnerDisplayName *string         `json:"ownerDisplayName,omitempty"`
		TargetUserIDs    *[]string       `json:"targetUserIds,omitempty"`
		Metadata         *map[string]any `json:"metadata,omitempty"`
		UserID           string          `json:"userId,omitempty"`
	}
}

type activeRoomNameInput struct {
	Name string `path:"name"`
}

type listActiveRoomsInput struct {
	UserID string `query:"userId" doc:"only rooms that target this user"`
	PageQuery
}

type activeRoomsOutput struct {
	Body struct {
		Rooms      []realtime.ActiveRoom `json:"rooms"`
		NextCursor *string               `json:"nextCursor"`
	}
}

func (h *Handler) registerDiscovery(api huma.API) {
	const tag = "Cloud: Room discovery"
	rest.Register(api, h.Surface, rest.Op{ID: "advertiseRoom", Method: http.MethodPost, Path: "/active-rooms", Tag: tag,
		Summary: "Advertise a room to the users it targets (again: replace it; owner only)", Status: http.StatusCreated}, h.advertise)
	rest.Register(api, h.Surface, rest.Op{ID: "updateActiveRoom", Method: http.MethodPatch, Path: "/active-rooms/{name}", Tag: tag,
		Summary: "Change an advertised room (owner only)"}, h.updateActiveRoom)
	rest.Register(api, h.Surface, rest.Op{ID: "removeActiveRoom", Method: http.MethodDelete, Path: "/active-rooms/{name}", Tag: tag,
		Summary: "Withdraw an advertised room (owner only)", Status: http.StatusNoContent}, h.removeActiveRoom)
	rest.Register(api, h.Surface, rest.Op{ID: "listActiveRooms", Method: http.MethodGet, Path: "/active-rooms", Tag: tag,
		Summary: "Advertised rooms, newest first; with userId only those targeting that user"}, h.listActiveRooms)
}

// advertise serves POST /cloud/v1/active-rooms.
func (h *Handler) advertise(ctx context.Context, c caller.Caller, in *advertiseInput) (*activeRoomOutput, error) {
	r, err := h.Realtime.Advertise(ctx, c, realtime.Advert{Name: in.Body.Name, OwnerDisplayName: in.Body.OwnerDisplayName,
		TargetUserIDs: in.Body.TargetUserIDs, Metadata: in.Body.Metadata, UserID: in.Body.UserID})
	if err != nil {
		return nil, err
	}
	return &activeRoomOutput{Body: r}, nil
}

// updateActiveRoom serves PATCH /cloud/v1/active-rooms/{name}.
func (h *Handler) updateActiveRoom(ctx context.Context, c caller.Caller, in *updateActiveRoomInput) (*activeRoomOutput, error) {
	r, err := h.Realtime.UpdateRoom(ctx, c, in.Name, realtime.AdvertPatch{OwnerDisplayName: in.Body.OwnerDisplayName,
		TargetUserIDs: in.Body.TargetUserIDs, Metadata: in.Body.Metadata, UserID: in.Body.UserID})
	if err != nil {
		return nil, err
	}
	return &activeRoomOutput{Body: r}, nil
}

// removeActiveRoom serves DELETE /cloud/v1/active-rooms/{name}.
func (h *Handler) removeActiveRoom(ctx context.Context, c caller.Caller, in *activeRoomNameInput) (*struct{}, error) {
	return nil, h.Realtime.RemoveRoom(ctx, c, in.Name)
}

// listActiveRooms serves GET /cloud/v1/active-rooms.
func (h *Handler) listActiveRooms(ctx context.Context, c caller.Caller, in *listActiveRoomsInput) (*activeRoomsOutput, error) {
	p, err := h.Realtime.ActiveRooms(ctx, c, in.UserID, in.request())
	if err != nil {
		return nil, err
	}
	out := &activeRoomsOutput{}
	out.Body.Rooms = p.Items
	out.Body.NextCursor = cursor(p.Next)
	return out, nil
}
