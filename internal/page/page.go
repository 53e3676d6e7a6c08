// Package page is the domain's one pagination type. A list call takes a
// Request and returns a Page; each API surface turns them into its own
// envelope: offset/limit with an exact total (Partner), page/size with
// absolute next/previous links (Meetings API), or opaque cursors (Cloud).
package page

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

// Limits every list shares unless it declares its own.
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

// Request selects one page of a list. Offset paging and cursor paging are
// alternatives: a list that supports cursors reads After and ignores Offset.
type Request struct {
	Offset int
	Limit  int
	// After is an opaque cursor from a previous Page.Next.
	After string
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// Total is the exact number of items in the whole list; lists that page
	// by cursor may leave it at -1 when counting would cost a scan.
	Total int
	// Next is the cursor of the following page, empty on the last one.
	Next string
	// Limit and Offset are the request's, after defaults were applied.
	Limit, Offset int
}

// Normalize applies the default limit and checks the bounds, naming the
// offending field the way every surface reports it.
func (r Request) Normalize(maxLimit int) (Request, error) {
	if maxLimit <= 0 {
		maxLimit = MaxLimit
	}
	if r.Limit == 0 {
		r.Limit = min(DefaultLimit, maxLimit)
	}
	if r.Limit < 1 || r.Limit > maxLimit {
		return r, fault.Invalid("limit", "validation_error", "limit must be between 1 and %d", maxLimit)
	}
	if r.Offset < 0 {
		return r, fault.Invalid("offset", "validation_error", "offset must not be negative")
	}
	return r, nil
}

// Cursor encodes a position (for example the sort key and id of the last
// item) as an opaque string.
func Cursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x1f")))
}

// ParseCursor decodes a Cursor into exactly n parts.
func ParseCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(b), "\x1f")
	if err != nil || len(parts) != n {
		return nil, fault.Invalid("cursor", "invalid_cursor", "cursor is not one this server issued")
	}
	return parts, nil
}

// Of builds a page from items fetched with one extra row beyond the limit:
// the extra row, if present, only tells that another page exists.
func Of[T any](items []T, r Request, total int, next func(last T) string) Page[T] {
	p := Page[T]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset}
	if len(items) > r.Limit {
		p.Items = items[:r.Limit]
		if next != nil {
			p.Next = next(p.Items[len(p.Items)-1])
		}
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

// OffsetNext is the cursor-free "next" of an offset page: the next offset
// as a string, or empty when this page is the last.
func OffsetNext(r Request, total int) string {
	if r.Offset+r.Limit >= total {
		return ""
	}
	return strconv.Itoa(r.Offset + r.Limit)
}

// KeyCursor is the cursor of a list ordered by (time, id): the position of
// the last item of a page.
func KeyCursor(at time.Time, id int64) string {
	return Cursor(at.UTC().Format(time.RFC3339Nano), strconv.FormatInt(id, 10))
}

// ParseKeyCursor decodes a KeyCursor.
func ParseKeyCursor(c string) (time.Time, int64, error) {
	parts, err := ParseCursor(c, 2)
	if err != nil {
		return time.Time{}, 0, err
	}
	at, err1 := time.Parse(time.RFC3339Nano, parts[0])
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, fault.Invalid("cursor", "invalid_cursor", "cursor is not one this server issued")
	}
	return at, id, nil
}
