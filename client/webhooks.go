package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WebhookDelivery is one event's delivery to the app's webhook.
type WebhookDelivery struct {
	ID             string  `json:"id"`
	PartnerAppID   string  `json:"partner_app_id"`
	EventType      string  `json:"event_type"`
	EventID        string  `json:"event_id"`
	DeliveryStatus string  `json:"delivery_status"`
	HTTPStatusCode *int    `json:"http_status_code"`
	RetryCount     int     `json:"retry_count"`
	NextRetryAt    *string `json:"next_retry_at"`
	DeliveredAt    *string `json:"delivered_at"`
	ErrorMessage   string  `json:"error_message"`
	CreatedAt      string  `json:"created_at"`
}

// WebhookDeliveryPage is one page of deliveries.
type WebhookDeliveryPage struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	Total      int               `json:"total"`
	Limit      int               `json:"limit"`
	Offset     int               `json:"offset"`
}

// WebhookDeliveryQuery filters and pages a delivery list; zero fields are
// left out.
type WebhookDeliveryQuery struct {
	Limit     int
	Offset    int
	Status    string // pending, delivered, failed or abandoned
	EventType string
}

// WebhookDeliveries lists the app's webhook deliveries, newest first
// (admin API).
func (c *Client) WebhookDeliveries(ctx context.Context, q WebhookDeliveryQuery) (*WebhookDeliveryPage, error) {
	v := url.Values{}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset != 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.EventType != "" {
		v.Set("event_type", q.EventType)
	}
	var out WebhookDeliveryPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/admin/webhook-deliveries", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WebhookDelivery returns one delivery.
func (c *Client) WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error) {
	var out WebhookDelivery
	if err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/admin/webhook-deliveries/" + url.PathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WebhookRetry is the answer to a manual retry.
type WebhookRetry struct {
	Message        string  `json:"message"`
	RetryScheduled bool    `json:"retry_scheduled"`
	DeliveryID     string  `json:"delivery_id"`
	RetryCount     int     `json:"retry_count"`
	NextRetryAt    *string `json:"next_retry_at"`
}

// RetryWebhookDelivery asks for one more attempt of a delivery now.
func (c *Client) RetryWebhookDelivery(ctx context.Context, id string) (*WebhookRetry, error) {
	var out WebhookRetry
	err := c.do(ctx, request{method: http.MethodPost, path: "/v1/partner/admin/webhook-deliveries/" + url.PathEscape(id) + "/retry"}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Errors of the verification helpers.
var (
	ErrNoSignature  = errors.New("webhook: signature header missing")
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrStale        = errors.New("webhook: timestamp outside the tolerance")
)

// VerifyContioSignature checks an X-Contio-Signature header ("sha256=" and
// the hex HMAC-SHA256 of body keyed with secret) against the exact body
// received, in constant time.
func VerifyContioSignature(secret string, body []byte, header string) error {
	if header == "" {
		return ErrNoSignature
	}
	algo, sig, ok := strings.Cut(header, "=")
	if !ok || algo != "sha256" || strings.Contains(sig, "=") {
		return fmt.Errorf("%w: want sha256=<hex>", ErrBadSignature)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: want 64 hex digits", ErrBadSignature)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// VerifyStandardWebhook checks a Standard Webhooks delivery: the
// webhook-signature header must hold a v1 signature of
// "webhook-id.webhook-timestamp.body" under the whsec_ secret, and the
// timestamp must be within tolerance of now (0 means 5 minutes).
func VerifyStandardWebhook(secret string, header http.Header, body []byte, tolerance time.Duration) error {
	id, ts, sigs := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return ErrNoSignature
	}
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: webhook-timestamp is not a number", ErrBadSignature)
	}
	if d := time.Since(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("webhook: secret is not whsec_<base64>: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	// The header may carry several space-separated signatures (during a
	// rotation); one valid v1 signature is enough.
	for _, s := range strings.Fields(sigs) {
		version, value, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(value); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}
