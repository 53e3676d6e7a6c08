// Package meetings is the Meetings API (/api/auth and /api/v1/external): the
// contract of the meemo SDK, in Django REST framework's conventions. Ids are
// integers, lists are {count, next, previous, results} pages with absolute
// links, and an app token reaches every organization its app is linked to.
package meetings

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/apitoken"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/usage"
	"github.com/quorumhq/quorum/internal/webhook"
)

// External is the mount path of the data calls, relative to the surface.
const External = "/v1/external"

// Importer queues the download, transcription and summary of a meeting's
// media file (the media pipeline).
type Importer interface {
	ImportURL(ctx context.Context, c caller.Caller, meetingUUID, fileURL string) error
}

// BotScheduler sends a meeting bot to a call, now or at joinAt.
type BotScheduler interface {
	Schedule(ctx context.Context, c caller.Caller, meetingUUID, meetingURL string, joinAt time.Time) error
}

// Handler serves the Meetings API.
type Handler struct {
	Surface    *rest.Surface
	PublicURL  string
	Identities *identity.Service
	Tokens     *apitoken.Service
	Meetings   *meeting.Service
	Insight    *insight.Service
	Usage      *usage.Service
	Webhooks   *webhook.Service
	// Media and Bots may be nil: the meeting is still created, and the
	// import or the bot is skipped with a warning.
	Media Importer
	Bots  BotScheduler
	// AllowPrivateURLs lets webhook targets use plain http.
	AllowPrivateURLs bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Register adds every operation. Paths are registered without their
// trailing slash; the surface strips it from requests, so both spellings
// are served without a redirect.
func (h *Handler) Register(api huma.API) {
	h.registerAuth(api)
	h.registerMeetings(api)
	h.registerUsage(api)
	h.registerWebhooks(api)
}

// orgs resolves the organizations a request reaches: every linked one, or
// the one organization_id names. A value that is not an integer is invalid;
// an organization the app is not linked to is forbidden.
func (h *Handler) orgs(ctx context.Context, c caller.Caller, organizationID string) ([]int64, error) {
	linked, err := h.Tokens.Orgs(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(linked) == 0 {
		return nil, fault.Forbidden("permission_denied", "The application is not linked to any organization.")
	}
	if organizationID == "" {
		return linked, nil
	}
	id, err := strconv.ParseInt(organizationID, 10, 64)
	if err != nil {
		return nil, fault.Invalid("organization_id", "invalid", "A valid integer is required.")
	}
	if !slices.Contains(linked, id) {
		return nil, fault.Forbidden("permission_denied", "You do not have access to this organization.")
	}
	return []int64{id}, nil
}

// inOrg is the caller acting in one of its app's organizations.
func inOrg(c caller.Caller, orgID int64) caller.Caller {
	c.OrgID = orgID
	return c
}

// ExtPage is the Django REST framework page envelope.
type ExtPage[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// Paging is the page/size query of a list.
type Paging struct {
	Page string `query:"page" doc:"1-based page number"`
	Size string `query:"size" doc:"page size (default 10, at most 100)"`
}

const (
	defaultSize = 10
	maxSize     = 100
)

// offset validates page and size into an offset and limit.
func (p Paging) offset() (number, size int, err error) {
	number, size = 1, defaultSize
	if p.Page != "" {
		if number, err = strconv.Atoi(p.Page); err != nil || number < 1 {
			return 0, 0, fault.NotFound("page")
		}
	}
	if p.Size != "" {
		if size, err = strconv.Atoi(p.Size); err != nil || size < 1 {
			return 0, 0, fault.Invalid("size", "invalid", "A valid positive integer is required.")
		}
		size = min(size, maxSize)
	}
	return number, size, nil
}

// envelope wraps one page with absolute links to its neighbours; q is the
// request's query, path the list's path under the surface base. A page
// past the last one is not found, as in DRF.
func envelope[T any](publicURL, path string, q url.Values, number, size, count int, results []T) (*ExtPage[T], error) {
	if number > 1 && (number-1)*size >= count {
		return nil, &fault.Error{Kind: fault.KindNotFound, Code: "not_found", Message: "Invalid page."}
	}
	link := func(n int) *string {
		v := url.Values{}
		for k, vs := range q {
			if len(vs) > 0 && vs[0] != "" && k != "page" {
				v.Set(k, vs[0])
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		s := publicURL + "/api" + path + "/"
		if enc := v.Encode(); enc != "" {
			s += "?" + enc
		}
		return &s
	}
	out := &ExtPage[T]{Count: count, Results: results}
	if number*size < count {
		out.Next = link(number + 1)
	}
	if number > 1 {
		out.Previous = link(number - 1)
	}
	return out, nil
}

// meetingID parses an id from the path; anything but a positive integer is
// a meeting that does not exist.
func meetingID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, fault.NotFound("meeting")
	}
	return id, nil
}

func op(id, method, path, summary, tag string) rest.Op {
	return rest.Op{ID: "meetings-api-" + id, Method: method, Path: path, Summary: summary, Tag: tag}
}

func noContent(o rest.Op) rest.Op {
	o.Status = http.StatusNoContent
	return o
}

func warnSkipped(ctx context.Context, what string, m meeting.External) {
	slog.WarnContext(ctx, what+" is not configured; the meeting was created without it", "meeting_id", m.UUID,
		"request_id", rest.RequestID(ctx))
}

// sortByStart orders segments by start time, keeping spoken order on ties.
func sortByStart(segs []ExtSegment) {
	slices.SortStableFunc(segs, func(a, b ExtSegment) int { return cmp.Compare(a.StartTime, b.StartTime) })
}
