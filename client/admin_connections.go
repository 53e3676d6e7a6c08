package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// UserConnection is one user's authorization of the app (admin API).
type UserConnection struct {
	ID                 string   `json:"id"`
	UserID             string   `json:"user_id"`
	UserName           string   `json:"user_name"`
	UserEmail          string   `json:"user_email"`
	OAuthScopes        []string `json:"oauth_scopes"`
	OAuthExpiresAt     *string  `json:"oauth_expires_at"`
	FeatureActivatedAt *string  `json:"feature_activated_at"`
	RevokedAt          *string  `json:"revoked_at"`
	Status             string   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
}

// UserConnectionPage is one page of connections.
type UserConnectionPage struct {
	Items  []UserConnection `json:"items"`
	Total  int              `json:"total"`
	Limit  int              `json:"limit"`
	Offset int              `json:"offset"`
}

// UserConnectionQuery filters and pages connections; zero fields are left
// out.
type UserConnectionQuery struct {
	Limit  int
	Offset int
	UserID string
	Status string // active, revoked or expired
}

// UserConnections lists one page of the app's connections, newest first.
func (c *Client) UserConnections(ctx context.Context, q UserConnectionQuery) (*UserConnectionPage, error) {
	v := offsetQuery(q.Limit, q.Offset)
	if q.UserID != "" {
		v.Set("user_id", q.UserID)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	var out UserConnectionPage
	if err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/connections", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllUserConnections iterates over every connection matching q (its Limit
// and Offset are ignored).
func (c *Client) AllUserConnections(ctx context.Context, q UserConnectionQuery) iter.Seq2[UserConnection, error] {
	return adminPages(func(offset int) ([]UserConnection, int, error) {
		q.Limit, q.Offset = 100, offset
		p, err := c.UserConnections(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		return p.Items, p.Total, nil
	})
}

// UserConnection returns one connection.
func (c *Client) UserConnection(ctx context.Context, id string) (*UserConnection, error) {
	var out UserConnection
	if err := c.do(ctx, request{method: http.MethodGet, path: adminBase + "/connections/" + url.PathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeUserConnection revokes a connection: every token of its user for
// the app stops working on the next request.
func (c *Client) RevokeUserConnection(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/connections/" + url.PathEscape(id)}, nil)
}
