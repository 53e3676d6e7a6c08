package insight

import (
	"context"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/usage"
)

// SetMeter makes the service record the work of its summaries through m
// (the Meetings API's /usage/). Call it once while wiring.
func (s *Service) SetMeter(m usage.Meter) { s.meter = m }

// tokens estimates a model's token count of text, at four bytes a token;
// the engine does not report counts.
func tokens(n int) int64 { return int64(n+3) / 4 }

// meterSummary records a computed summary's input and output tokens, and
// those of its keywords. Metering never fails the summary it measures.
func (s *Service) meterSummary(ctx context.Context, m meeting.Meeting, segs []ai.Segment, sum MeetingSummary) {
	if s.meter == nil {
		return
	}
	in := 0
	for _, seg := range segs {
		in += len(seg.Speaker) + len(seg.Text) + 2
	}
	kw := 0
	for _, k := range sum.Keywords {
		kw += len(k) + 1
	}
	for _, r := range []struct {
		capability string
		amount     int64
	}{{usage.SummarizationInput, tokens(in)}, {usage.SummarizationOutput, tokens(len(sum.Summary))},
		{usage.KeywordDetectionInput, tokens(in)}, {usage.KeywordDetectionOutput, tokens(kw)}} {
		if err := s.meter.Record(ctx, nil, m.OrgID, r.capability, r.amount); err != nil {
			s.logger.WarnContext(ctx, "usage not recorded", "meeting_id", m.UUID, "capability", r.capability, "error", err)
		}
	}
}
