// Package media imports meeting recordings and transcript files from URLs:
// it downloads them through the outbound guard, stores them in the blob
// store, imports transcript files directly and transcribes audio and video
// (ffmpeg to 16 kHz mono, then an OpenAI-compatible endpoint or the offline
// PocketSphinx engine), and serves the stored media back with HTTP Range
// support. Every step is a durable job; the import's status is the
// meeting's media status.
package media

import (
	"context"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
	"github.com/quorumhq/quorum/internal/usage"
)

// Meter records usage as work happens. It may be nil.
type Meter interface {
	Record(ctx context.Context, orgID int64, capability string, amount int64) error
}

// CapabilitySpeechSeconds is the metered capability of speech-to-text, in
// seconds of audio: the usage ledger's own name for it.
const CapabilitySpeechSeconds = usage.SpeechToText

// Meetings is what the pipeline needs of the meeting service.
type Meetings interface {
	Get(ctx context.Context, c caller.Caller, id string) (meeting.Meeting, error)
	GetByID(ctx context.Context, c caller.Caller, id int64) (meeting.Meeting, error)
	ReplaceTranscript(ctx context.Context, c caller.Caller, id string, segs []transcript.Segment) (meeting.Meeting, error)
	// SetRecording records that a meeting has a recording, with its probed
	// format and length, so the Meetings API shows its recording_url.
	SetRecording(ctx context.Context, c caller.Caller, id int64, format string, seconds float64) error
}

// Status is how far a meeting's media import got.
type Status string

// The statuses, in pipeline order; the two failures are final.
const (
	StatusQueued              Status = "queued"
	StatusTranscribing        Status = "transcribing"
	StatusTranscribed         Status = "transcribed"
	StatusSummarized          Status = "summarized"
	StatusTranscriptionFailed Status = "transcription_failed"
	StatusSummarizationFailed Status = "summarization_failed"
)

// Kind is what a downloaded file turned out to be.
type Kind string

// The kinds.
const (
	KindTranscript Kind = "transcript"
	KindMedia      Kind = "media"
)

// Import is the media state of one meeting.
type Import struct {
	ID          int64
	OrgID       int64
	MeetingID   int64
	MeetingUUID string
	SourceURL   string
	BlobKey     string
	ContentType string
	Size        int64
	Kind        Kind
	// Format and Duration are probed from a stored recording (ffprobe).
	Format    string
	Duration  float64
	Status    Status
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Defaults of Config.
const (
	DefaultMaxBytes        = 200 << 20
	DefaultDownloadTimeout = 10 * time.Minute
	// MaxRedirects is how many redirects a download follows; each hop is
	// checked by the guard again, both by URL and at connect time.
	MaxRedirects = 3
	// maxAttempts is how many times each step runs before the import fails.
	maxAttempts = 3
)
