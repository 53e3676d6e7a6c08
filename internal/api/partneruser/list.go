package partneruser

import (
	"github.com/quorumhq/quorum/internal/page"
)

// List is the Partner API's list envelope. The SDK's getAll* helpers page
// with limit=100 while offset < total, so total is always exact and items
// is never null.
type List[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// PageQuery is the Partner API's offset paging.
type PageQuery struct {
	Limit  int `query:"limit" doc:"items per page (default 25, at most 100)"`
	Offset int `query:"offset" doc:"items to skip"`
}

// Request turns the query into the domain's page request.
func (q PageQuery) Request() page.Request {
	return page.Request{Limit: q.Limit, Offset: q.Offset}
}

// ListOf renders a domain page, converting each item to its wire type.
func ListOf[D, W any](p page.Page[D], conv func(D) W) List[W] {
	out := List[W]{Items: make([]W, 0, len(p.Items)), Total: p.Total, Limit: p.Limit, Offset: p.Offset}
	for _, it := range p.Items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

// Optional is s as an optional wire field: nil when empty, so that an
// omitempty field is left out rather than sent as "". The admin API shares it.
func Optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
