// Package client is the Go client for Quorum's APIs: the OAuth host, the
// Partner API (user and admin) and the Cloud API. Every call takes a
// context first and returns *Error for HTTP failures.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to one Quorum server. Its zero value is not usable; call New.
type Client struct {
	base     string
	http     *http.Client
	bearer   string
	apiKey   string
	clientID string
	timezone string
	headers  map[string]string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the default HTTP client (30 s timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithBearer sets the access token (Partner user API) or cloud token
// (Cloud API) sent as Authorization: Bearer.
func WithBearer(token string) Option { return func(c *Client) { c.bearer = token } }

// WithAPIKey sets the admin API key sent as X-API-Key, and optionally the
// app's client id sent as X-Client-ID.
func WithAPIKey(key, clientID string) Option {
	return func(c *Client) { c.apiKey, c.clientID = key, clientID }
}

// WithTimezone asks the Partner API to render timestamps in zone.
func WithTimezone(zone string) Option { return func(c *Client) { c.timezone = zone } }

// WithHeader sends an extra header on every request (for example
// Idempotency-Key).
func WithHeader(name, value string) Option {
	return func(c *Client) {
		h := make(map[string]string, len(c.headers)+1)
		for k, v := range c.headers {
			h[k] = v
		}
		h[name] = value
		c.headers = h
	}
}

// New returns a client for the server at baseURL (e.g. http://127.0.0.1:8080).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// With returns a copy of c with more options applied.
func (c *Client) With(opts ...Option) *Client {
	cp := *c
	for _, o := range opts {
		o(&cp)
	}
	return &cp
}

// Error is an HTTP error answered by the server.
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	// Body is the decoded error body, for surface-specific fields.
	Body map[string]any
	// RetryAfter is the Retry-After header, if any.
	RetryAfter string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("quorum: %d %s: %s", e.Status, e.Code, e.Message)
}

// StatusOf returns the HTTP status of an *Error, or 0.
func StatusOf(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return 0
}

// request is one call.
type request struct {
	method  string
	path    string
	query   url.Values
	json    any
	form    url.Values
	raw     []byte
	rawType string
	basic   [2]string
	headers map[string]string
	noAuth  bool
}

// do sends r and decodes a 2xx JSON body into out (when out is not nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read %s %s: %w", r.method, r.path, err)
	}
	if resp.StatusCode >= 300 {
		return decodeError(resp, body)
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", r.method, r.path, err)
	}
	return nil
}

func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	contentType := ""
	switch {
	case r.form != nil:
		body, contentType = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.raw != nil:
		body, contentType = bytes.NewReader(r.raw), r.rawType
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case r.basic[0] != "":
		req.SetBasicAuth(r.basic[0], r.basic[1])
	case r.noAuth:
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.apiKey != "" && !r.noAuth {
		req.Header.Set("X-API-Key", c.apiKey)
		if c.clientID != "" {
			req.Header.Set("X-Client-ID", c.clientID)
		}
	}
	if c.timezone != "" {
		req.Header.Set("X-Client-Timezone", c.timezone)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	return resp, nil
}

// decodeError understands the error bodies of every surface: Partner
// {code, error}, OAuth {error, error_description} and Cloud {error:{code, message}}.
func decodeError(resp *http.Response, body []byte) error {
	e := &Error{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), RequestID: resp.Header.Get("X-Request-Id")}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		e.Body = m
		str := func(v any) string { s, _ := v.(string); return s }
		switch errField := m["error"].(type) {
		case map[string]any:
			e.Code, e.Message = str(errField["code"]), str(errField["message"])
		case string:
			e.Code, e.Message = str(m["code"]), str(m["message"])
			if e.Code == "" {
				e.Code = errField
			}
			if e.Message == "" {
				e.Message = str(m["error_description"])
			}
			if e.Message == "" {
				e.Message = errField
			}
		default:
			e.Code, e.Message = str(m["code"]), str(m["message"])
			if e.Message == "" {
				e.Message = str(m["detail"])
			}
		}
		if rid := str(m["request_id"]); rid != "" {
			e.RequestID = rid
		}
	} else {
		e.Message = strings.TrimSpace(string(body))
	}
	if e.Code == "" {
		e.Code = "unknown_error"
	}
	return e
}
