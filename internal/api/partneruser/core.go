package partneruser

import (
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/participant"
)

// coreHandler serves meetings, participants, agenda items, the transcript
// export, action items and calendars.
type coreHandler struct {
	meetings     *meeting.Service
	participants *participant.Service
	agenda       *agenda.Service
	actions      *actionitem.Service
	calendar     *calendar.Service
}

func (h *coreHandler) register(api huma.API, s *rest.Surface) {
	h.registerMeetings(api, s)
	h.registerParticipants(api, s)
	h.registerAgenda(api, s)
	h.registerActionItems(api, s)
	h.registerCalendar(api, s)
}

// parseBool reads an optional boolean query parameter ("true"/"false").
func parseBool(field, v string) (*bool, error) {
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fault.Invalid(field, "invalid_query_parameters", "%s must be true or false", field)
	}
	return &b, nil
}

// strPtr is nil for the empty string.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// emptyOutput is the answer of operations that send no body.
type emptyOutput struct{}
