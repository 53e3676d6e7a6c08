package identity

import (
	"context"
	"regexp"
	"slices"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/netguard"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

func validateSlug(slug string) error {
	if !slugPattern.MatchString(slug) {
		return fault.Invalid("slug", "validation_error", "slug must be 3 to 63 lowercase letters, digits or hyphens")
	}
	return nil
}

func validateWebhookURL(ctx context.Context, raw string, allowPrivate bool) error {
	if raw == "" {
		return nil
	}
	if len(raw) > 2000 {
		return fault.Invalid("webhook_url", "validation_error", "webhook_url is longer than 2000 characters")
	}
	if err := netguard.CheckURL(ctx, raw, allowPrivate); err != nil {
		return fault.Invalid("webhook_url", "validation_error", "webhook_url: %v", err)
	}
	return nil
}

func validateFilter(f *WebhookFilter) error {
	bad := func(format string, args ...any) error {
		e := fault.Invalid("events", "validation_error", format, args...)
		e.Extra = map[string]any{"valid_event_types": WebhookEventTypes}
		return e
	}
	if f.Type != "include" && f.Type != "exclude" {
		return bad("type must be include or exclude")
	}
	if len(f.Events) == 0 {
		return bad("events must name at least one event type")
	}
	for _, e := range f.Events {
		if !slices.Contains(WebhookEventTypes, e) {
			return bad("unknown event type %q", e)
		}
	}
	return nil
}
