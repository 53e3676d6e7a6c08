package partneruser

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/participant"
)

// PartnerParticipant is the Partner API's participant.
type PartnerParticipant struct {
	ID         string  `json:"id"`
	MeetingID  string  `json:"meeting_id"`
	UserID     *string `json:"user_id,omitempty"`
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	Role       string  `json:"role" enum:"EDITOR,VIEWER"`
	IsAttended bool    `json:"is_attended"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

func toParticipant(ctx context.Context, p participant.Participant) PartnerParticipant {
	return PartnerParticipant{ID: p.UUID, MeetingID: p.MeetingUUID, UserID: strPtr(p.UserUUID), Name: p.Name, Email: p.Email,
		Role: string(p.Role), IsAttended: p.IsAttended, CreatedAt: rest.Time(ctx, p.CreatedAt), UpdatedAt: rest.Time(ctx, p.UpdatedAt)}
}

type participantsOutput struct{ Body List[PartnerParticipant] }

type participantOutput struct{ Body PartnerParticipant }

type partnerAddParticipantInput struct {
	MeetingID string `path:"meetingId"`
	Body      struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role" doc:"EDITOR or VIEWER"`
	}
}

type partnerParticipantIDInput struct {
	MeetingID     string `path:"meetingId"`
	ParticipantID string `path:"participantId"`
}

func (h *coreHandler) registerParticipants(api huma.API, s *rest.Surface) {
	const tag = "Participants"
	rest.Register(api, s, rest.Op{ID: "getMeetingParticipants", Method: http.MethodGet, Path: "/meetings/{meetingId}/participants",
		Tag: tag, Summary: "A meeting's participants", Scope: "meetings:read"}, h.listParticipants)
	rest.Register(api, s, rest.Op{ID: "addMeetingParticipant", Method: http.MethodPost, Path: "/meetings/{meetingId}/participants",
		Tag: tag, Summary: "Invite a user or a guest by email (editors only)", Scope: "meetings:write", Status: http.StatusCreated},
		h.addParticipant)
	rest.Register(api, s, rest.Op{ID: "removeMeetingParticipant", Method: http.MethodDelete,
		Path: "/meetings/{meetingId}/participants/{participantId}", Tag: tag, Summary: "Remove a participant (editors only)",
		Scope: "meetings:write", Status: http.StatusNoContent}, h.removeParticipant)
}

// listParticipants serves GET /v1/partner/user/meetings/{meetingId}/participants.
func (h *coreHandler) listParticipants(ctx context.Context, c caller.Caller, in *partnerMeetingIDInput) (*participantsOutput, error) {
	ps, err := h.participants.List(ctx, c, in.MeetingID)
	if err != nil {
		return nil, err
	}
	out := List[PartnerParticipant]{Items: make([]PartnerParticipant, 0, len(ps)), Total: len(ps), Limit: len(ps)}
	for _, p := range ps {
		out.Items = append(out.Items, toParticipant(ctx, p))
	}
	return &participantsOutput{Body: out}, nil
}

// addParticipant serves POST /v1/partner/user/meetings/{meetingId}/participants.
func (h *coreHandler) addParticipant(ctx context.Context, c caller.Caller, in *partnerAddParticipantInput) (*participantOutput, error) {
	p, err := h.participants.Add(ctx, c, in.MeetingID, participant.New{Email: in.Body.Email, Name: in.Body.Name, Role: in.Body.Role})
	if err != nil {
		return nil, err
	}
	return &participantOutput{Body: toParticipant(ctx, p)}, nil
}

// removeParticipant serves DELETE /v1/partner/user/meetings/{meetingId}/participants/{participantId}.
func (h *coreHandler) removeParticipant(ctx context.Context, c caller.Caller, in *partnerParticipantIDInput) (*emptyOutput, error) {
	return &emptyOutput{}, h.participants.Remove(ctx, c, in.MeetingID, in.ParticipantID)
}
