package client

import (
	"iter"
	"net/url"
	"strconv"
)

// PartnerList is one page of a Partner list: {items, total, limit, offset}.
type PartnerList[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// PageParams selects a page of a Partner list; zero values take the
// server's defaults.
type PageParams struct {
	Limit  int
	Offset int
}

func (p PageParams) query() url.Values {
	q := url.Values{}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset != 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	return q
}

// allPages iterates over every item of an offset-paged list, 100 at a
// time; iteration stops at the first error, which it yields.
func allPages[T any](fetch func(PageParams) (*PartnerList[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset := 0
		for {
			p, err := fetch(PageParams{Limit: 100, Offset: offset})
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(p.Items)
			if len(p.Items) == 0 || offset >= p.Total {
				return
			}
		}
	}
}
