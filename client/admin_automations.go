package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// AutomationAction is one step of an automation: webhook {url},
// phrase_match {phrases}, assign_action_item {title, owner, description}.
type AutomationAction struct {
	Type   string         `json:"type"`
	Config map[string]any `json:"config,omitempty"`
}

// Automation is an app's automation (admin API).
type Automation struct {
	ID           string             `json:"id"`
	PartnerAppID string             `json:"partner_app_id"`
	Name         string             `json:"name"`
	Description  string             `json:"description"`
	TriggerType  string             `json:"trigger_type"`
	Actions      []AutomationAction `json:"actions"`
	Status       string             `json:"status"`
	IsActive     bool               `json:"is_active"`
	CreatedAt    string             `json:"created_at"`
	UpdatedAt    string             `json:"updated_at"`
}

// NewAutomation is the input of CreateAutomation.
type NewAutomation struct {
	Name        string             `json:"name"`
	Description string             `json:"description,omitempty"`
	TriggerType string             `json:"trigger_type"`
	Actions     []AutomationAction `json:"actions"`
}

// AutomationUpdate changes an automation; nil fields are left out.
type AutomationUpdate struct {
	Name        *string            `json:"name,omitempty"`
	Description *string            `json:"description,omitempty"`
	TriggerType *string            `json:"trigger_type,omitempty"`
	Actions     []AutomationAction `json:"actions,omitempty"`
	Status      *string            `json:"status,omitempty"`
	IsActive    *bool              `json:"is_active,omitempty"`
}

// AutomationPage is one page of automations.
type AutomationPage struct {
	Items  []Automation `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

// offsetQuery is limit and offset, each left out when zero.
func offsetQuery(limit, offset int) url.Values {
	v := url.Values{}
	if limit != 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if offset != 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return v
}

// adminPages iterates over an offset-paged admin list, fetching pages of
// 100 while offset < total; iteration stops at the first error, which it
// yields.
func adminPages[T any](fetch func(offset int) ([]T, int, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset := 0
		for {
			items, total, err := fetch(offset)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(items)
			if len(items) == 0 || offset >= total {
				return
			}
		}
	}
}

// CreateAutomation adds an automation to the app (admin API).
func (c *Client) CreateAutomation(ctx context.Context, n NewAutomation) (*Automation, error) {
	var out Automation
	if err := c.do(ctx, request{method: http.MethodPost, path: adminBase + "/automations", json: n}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Automations lists one page of the app's automations, newest first.
func (c *Client) Automations(ctx context.Context, limit, offset int) (*AutomationPage, error) {
	var out AutomationPage
	err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/automations", query: offsetQuery(limit, offset)}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AllAutomations iterates over every automation of the app.
func (c *Client) AllAutomations(ctx context.Context) iter.Seq2[Automation, error] {
	return adminPages(func(offset int) ([]Automation, int, error) {
		p, err := c.Automations(ctx, 100, offset)
		if err != nil {
			return nil, 0, err
		}
		return p.Items, p.Total, nil
	})
}

// Automation returns one automation.
func (c *Client) Automation(ctx context.Context, id string) (*Automation, error) {
	var out Automation
	if err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/automations/" + url.PathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAutomation changes an automation.
func (c *Client) UpdateAutomation(ctx context.Context, id string, u AutomationUpdate) (*Automation, error) {
	var out Automation
	err := c.do(ctx, request{method: http.MethodPut, path: adminBase + "/automations/" + url.PathEscape(id), json: u}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAutomation removes an automation.
func (c *Client) DeleteAutomation(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/automations/" + url.PathEscape(id)}, nil)
}
