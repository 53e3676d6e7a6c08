package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/insight"
)

type searchInput struct {
	Body struct {
		Query      string   `json:"query"`
		MeetingIDs []string `json:"meetingIds,omitempty"`
		RoomName   string   `json:"roomName,omitempty"`
		UserID     string   `json:"userId,omitempty"`
		Limit      int      `json:"limit,omitempty" doc:"1 to 100, default 10"`
	}
}

type searchOutput struct {
	Body struct {
		Results []Hit `json:"results"`
	}
}

type askInput struct {
	Body struct {
		Question   string   `json:"question"`
		MeetingIDs []string `json:"meetingIds,omitempty"`
		RoomName   string   `json:"roomName,omitempty"`
		UserID     string   `json:"userId,omitempty"`
		Limit      int      `json:"limit,omitempty" doc:"hits to answer from, 1 to 100, default 8"`
		Model      string   `json:"model,omitempty"`
	}
}

type askOutput struct{ Body Answer }

type documentInput struct {
	Body struct {
		Title     string `json:"title"`
		Content   string `json:"content"`
		MeetingID string `json:"meetingId,omitempty"`
	}
}

type documentOutput struct{ Body Document }

func (h *Handler) registerSearch(api huma.API) {
	const tag = "Cloud: Search"
	for _, s := range []struct{ id, path, source, summary string }{
		{"search", "/search", "", "Hybrid search over transcripts and documents"},
		{"searchDocuments", "/search/documents", "document", "Hybrid search over documents"},
		{"searchTranscriptions", "/search/transcriptions", "transcript", "Hybrid search over transcripts"},
	} {
		rest.Register(api, h.Surface, rest.Op{ID: s.id, Method: http.MethodPost, Path: s.path, Summary: s.summary, Tag: tag}, h.search(s.source))
	}
	rest.Register(api, h.Surface, rest.Op{ID: "ask", Method: http.MethodPost, Path: "/ask", Tag: tag,
		Summary: "Answer a question with citations to the transcript"}, h.ask)
	rest.Register(api, h.Surface, rest.Op{ID: "addDocument", Method: http.MethodPost, Path: "/documents", Tag: tag,
		Summary: "Add a text document to search", Status: http.StatusCreated, MaxBodyBytes: 4 << 20}, h.addDocument)
}

// search serves POST /cloud/v1/search and its per-source variants.
func (h *Handler) search(source string) func(context.Context, caller.Caller, *searchInput) (*searchOutput, error) {
	return func(ctx context.Context, c caller.Caller, in *searchInput) (*searchOutput, error) {
		hits, err := h.Insight.Search(ctx, c, insight.SearchRequest{Query: in.Body.Query, MeetingIDs: in.Body.MeetingIDs,
			RoomName: in.Body.RoomName, Source: source, Limit: in.Body.Limit})
		if err != nil {
			return nil, err
		}
		out := &searchOutput{}
		out.Body.Results = toHits(hits)
		return out, nil
	}
}

// ask serves POST /cloud/v1/ask.
func (h *Handler) ask(ctx context.Context, c caller.Caller, in *askInput) (*askOutput, error) {
	res, err := h.Insight.Ask(ctx, c, insight.AskRequest{Question: in.Body.Question, MeetingIDs: in.Body.MeetingIDs,
		RoomName: in.Body.RoomName, Limit: in.Body.Limit})
	if err != nil {
		return nil, err
	}
	return &askOutput{Body: toAnswer(res)}, nil
}

// addDocument serves POST /cloud/v1/documents.
func (h *Handler) addDocument(ctx context.Context, c caller.Caller, in *documentInput) (*documentOutput, error) {
	d, err := h.Insight.AddDocument(ctx, c, in.Body.MeetingID, in.Body.Title, in.Body.Content)
	if err != nil {
		return nil, err
	}
	return &documentOutput{Body: toDocument(d)}, nil
}
