package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// PartnerActionItem is an action item of the Partner user API;
// PartnerContext is the calling app's own.
type PartnerActionItem struct {
	ID                   string         `json:"id"`
	MeetingID            string         `json:"meeting_id"`
	Title                string         `json:"title"`
	Description          string         `json:"description"`
	Status               string         `json:"status"`
	IsCompleted          bool           `json:"is_completed"`
	DueDate              *string        `json:"due_date"`
	CompletedAt          *string        `json:"completed_at"`
	HasPartnerAssignment bool           `json:"has_partner_assignment"`
	PartnerContext       map[string]any `json:"partner_context"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
}

// ActionItemQuery filters and pages GET /action-items.
type ActionItemQuery struct {
	Limit, Offset        int
	MeetingID            string
	IsCompleted          *bool
	HasPartnerAssignment *bool
	StartDate, EndDate   string
}

// NewPartnerActionItem is the body of POST /action-items.
type NewPartnerActionItem struct {
	MeetingID      string         `json:"meeting_id"`
	Title          string         `json:"title"`
	Description    string         `json:"description,omitempty"`
	Status         string         `json:"status,omitempty"`
	DueDate        string         `json:"due_date,omitempty"`
	PartnerContext map[string]any `json:"partner_context,omitempty"`
}

// ActionItemUpdate is the body of PUT /action-items/{id}; nil fields are
// left alone.
type ActionItemUpdate struct {
	Title          *string        `json:"title,omitempty"`
	Description    *string        `json:"description,omitempty"`
	Status         *string        `json:"status,omitempty"`
	IsCompleted    *bool          `json:"is_completed,omitempty"`
	DueDate        *string        `json:"due_date,omitempty"`
	PartnerContext map[string]any `json:"partner_context,omitempty"`
}

func actionItemPath(id string) string { return partnerUser + "/action-items/" + url.PathEscape(id) }

// PartnerActionItems lists the workspace's action items.
func (c *Client) PartnerActionItems(ctx context.Context, q ActionItemQuery) (*PartnerList[PartnerActionItem], error) {
	v := url.Values{}
	setPage(v, q.Limit, q.Offset)
	setIf(v, "meeting_id", q.MeetingID)
	if q.IsCompleted != nil {
		v.Set("is_completed", strconv.FormatBool(*q.IsCompleted))
	}
	if q.HasPartnerAssignment != nil {
		v.Set("has_partner_assignment", strconv.FormatBool(*q.HasPartnerAssignment))
	}
	setIf(v, "start_date", q.StartDate)
	setIf(v, "end_date", q.EndDate)
	var out PartnerList[PartnerActionItem]
	if err := c.do(ctx, request{method: http.MethodGet, path: partnerUser + "/action-items", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllPartnerActionItems iterates over every action item q selects; it
// stops at the first error, which it yields.
func (c *Client) AllPartnerActionItems(ctx context.Context, q ActionItemQuery) iter.Seq2[PartnerActionItem, error] {
	return allPages(func(p PageParams) (*PartnerList[PartnerActionItem], error) {
		q.Limit, q.Offset = p.Limit, p.Offset
		return c.PartnerActionItems(ctx, q)
	})
}

// CreatePartnerActionItem creates an action item.
func (c *Client) CreatePartnerActionItem(ctx context.Context, a NewPartnerActionItem) (*PartnerActionItem, error) {
	var out PartnerActionItem
	if err := c.do(ctx, request{method: http.MethodPost, path: partnerUser + "/action-items", json: a}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PartnerActionItem loads an action item.
func (c *Client) PartnerActionItem(ctx context.Context, id string) (*PartnerActionItem, error) {
	var out PartnerActionItem
	if err := c.do(ctx, request{method: http.MethodGet, path: actionItemPath(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdatePartnerActionItem changes an action item.
func (c *Client) UpdatePartnerActionItem(ctx context.Context, id string, u ActionItemUpdate) (*PartnerActionItem, error) {
	var out PartnerActionItem
	if err := c.do(ctx, request{method: http.MethodPut, path: actionItemPath(id), json: u}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeletePartnerActionItem deletes an action item.
func (c *Client) DeletePartnerActionItem(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: actionItemPath(id)}, nil)
}
