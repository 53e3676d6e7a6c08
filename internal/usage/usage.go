// Package usage meters work per organization and capability (speech-to-text
// seconds, model tokens) as it happens, and holds each organization's quotas.
package usage

import (
	"context"
	"slices"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
)

// The metered capabilities: speech-to-text in seconds, the rest in tokens.
const (
	SpeechToText           = "speech-to-text"
	SummarizationInput     = "summarization:input"
	SummarizationOutput    = "summarization:output"
	KeywordDetectionInput  = "keyword-detection:input"
	KeywordDetectionOutput = "keyword-detection:output"
	AIChatInput            = "ai-chat:input"
	AIChatOutput           = "ai-chat:output"
)

// Capabilities lists every metered capability in report order.
var Capabilities = []string{SpeechToText, SummarizationInput, SummarizationOutput, KeywordDetectionInput,
	KeywordDetectionOutput, AIChatInput, AIChatOutput}

// Meter records metered work. Work running in a transaction passes it so
// the record commits with the work; nil records on its own.
type Meter interface {
	Record(ctx context.Context, tx *jobs.Tx, orgID int64, capability string, amount int64) error
}

// Line is one organization's use of one capability in a period.
type Line struct {
	OrgID      int64
	OrgName    string
	Capability string
	Usage      int64
	// Quota is nil when the organization has none for the capability.
	Quota *int64
}

// Service is the Meter on the database, with reports and quotas.
type Service struct {
	store sqlStore
	now   func() time.Time
}

// NewService returns a Service on db.
func NewService(db *store.DB) *Service {
	return &Service{store: sqlStore{db: db}, now: store.Now}
}

func validCapability(c string) error {
	if !slices.Contains(Capabilities, c) {
		return fault.Invalid("capability", "invalid", "unknown capability %q", c)
	}
	return nil
}

// Record implements Meter; amounts that are not positive record nothing.
func (s *Service) Record(ctx context.Context, tx *jobs.Tx, orgID int64, capability string, amount int64) error {
	if err := validCapability(capability); err != nil {
		return err
	}
	if amount <= 0 {
		return nil
	}
	return s.store.insert(ctx, tx, orgID, capability, amount, s.now())
}

// SetQuota sets an organization's quota for a capability; a negative limit
// removes it.
func (s *Service) SetQuota(ctx context.Context, orgID int64, capability string, limit int64) error {
	if err := validCapability(capability); err != nil {
		return err
	}
	if limit < 0 {
		return s.store.deleteQuota(ctx, orgID, capability)
	}
	return s.store.upsertQuota(ctx, orgID, capability, limit)
}

// Report sums the use of each capability by each organization in orgIDs
// between from (inclusive) and to (exclusive); zero times are unbounded.
// Every capability of every organization is listed, used or not.
func (s *Service) Report(ctx context.Context, orgIDs []int64, from, to time.Time) ([]Line, error) {
	if len(orgIDs) == 0 {
		return []Line{}, nil
	}
	return s.store.report(ctx, orgIDs, from, to)
}
