// Package cloud serves the Cloud API under /cloud/v1: cloud tokens,
// meeting import, and the intelligence endpoints (summaries, search, ask,
// analysis, live response contexts) and real time (chat rooms, streams,
// presence, room discovery).
package cloud

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/cloudtoken"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/realtime"
)

// Base is where the Cloud API is mounted.
const Base = "/cloud/v1"

// MaxTranscriptBytes caps an uploaded transcript body.
const MaxTranscriptBytes = 16 << 20

// Handler serves the Cloud surface.
type Handler struct {
	Surface  *rest.Surface
	Tokens   *cloudtoken.Service
	Meetings *meeting.Service
	Insight  *insight.Service
	Agent    *agent.Service
	Actions  *actionitem.Service
	Realtime *realtime.Service
}

// Register adds every Cloud operation to api.
func (h *Handler) Register(api huma.API) {
	h.registerTokens(api)
	h.registerMeetings(api)
	h.registerAI(api)
	h.registerSearch(api)
	h.registerResponses(api)
	h.registerAgent(api)
	h.registerRooms(api)
	h.registerStreams(api)
	h.registerPresence(api)
	h.registerDiscovery(api)
}

// PageQuery is the Cloud API's cursor paging: limit, and the nextCursor of
// the previous page.
type PageQuery struct {
	Limit  int    `query:"limit" doc:"items per page"`
	Cursor string `query:"cursor" doc:"nextCursor of the previous page"`
}

func (q PageQuery) request() page.Request {
	return page.Request{Limit: q.Limit, After: q.Cursor}
}
