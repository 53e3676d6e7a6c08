package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/blob"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

// Config builds a Service.
type Config struct {
	DB       *store.DB
	Queue    *jobs.Queue
	Blobs    blob.Store
	Meetings Meetings
	Events   event.Emitter
	// Guard checks every URL downloaded and every address connected to.
	Guard netguard.Guard
	// Speech transcribes audio; nil fails every audio or video import with
	// a message saying what to configure or install.
	Speech Speech
	// Summarize makes sure the summary of a meeting's current transcript
	// is stored (insight.Service.Summary).
	Summarize func(ctx context.Context, c caller.Caller, meetingUUID string) error
	Meter     Meter
	Tools     Tools
	Logger    *slog.Logger
	// MaxBytes and DownloadTimeout bound one download (DefaultMaxBytes and
	// DefaultDownloadTimeout when zero).
	MaxBytes        int64
	DownloadTimeout time.Duration
}

// Service runs the media pipeline.
type Service struct {
	cfg   Config
	store sqlStore
	http  *http.Client
	now   func() time.Time
}

// NewService builds the service; its workers are bound with Workers.Bind.
func NewService(cfg Config) *Service {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.DownloadTimeout <= 0 {
		cfg.DownloadTimeout = DefaultDownloadTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, store: sqlStore{cfg.DB}, http: cfg.Guard.Client(cfg.DownloadTimeout),
		now: func() time.Time { return time.Now().UTC() }}
}

// SpeechBackend names the active speech backend, or says what is missing.
func (s *Service) SpeechBackend() string {
	if s.cfg.Speech == nil {
		return "none"
	}
	return s.cfg.Speech.Name()
}

// ImportURL queues the import of the file at fileURL into a meeting of the
// caller's organization: download, storage, then transcript import or
// transcription, then summary. It replaces any earlier import of the
// meeting. The URL is checked now and every address is checked again when
// the download connects.
func (s *Service) ImportURL(ctx context.Context, c caller.Caller, meetingUUID, fileURL string) error {
	return s.ImportRecording(ctx, c, meetingUUID, fileURL, true)
}

// ImportRecording is ImportURL for a recording whose meeting may already
// have its transcript: with transcribe false, audio or video is stored
// (and served as the recording) but not transcribed.
func (s *Service) ImportRecording(ctx context.Context, c caller.Caller, meetingUUID, fileURL string, transcribe bool) error {
	if len(fileURL) > 2000 {
		return fault.Invalid("file_url", "invalid", "file_url is longer than 2000 characters")
	}
	if err := s.cfg.Guard.CheckURL(ctx, fileURL); err != nil {
		return fault.Invalid("file_url", "invalid", "%s", err)
	}
	m, err := s.cfg.Meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return err
	}
	now := s.now()
	return s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		id, err := s.store.upsert(ctx, tx, Import{OrgID: c.OrgID, MeetingID: m.ID, SourceURL: fileURL, Status: StatusQueued,
			CreatedAt: now, UpdatedAt: now}, c.AppID)
		if err != nil {
			return err
		}
		_, err = tx.Insert(ctx, DownloadArgs{OrgID: c.OrgID, ImportID: id, KeepTranscript: !transcribe}, nil)
		return err
	})
}

// Import returns the media state of a meeting of the caller's
// organization; a meeting never imported is fault.ErrNotFound.
func (s *Service) Import(ctx context.Context, c caller.Caller, meetingUUID string) (Import, error) {
	return s.store.byMeeting(ctx, c.OrgID, meetingUUID)
}

// permanent marks an error that another attempt cannot fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

func fail(format string, args ...any) error { return permanent{fmt.Errorf(format, args...)} }

// download fetches the import's URL, following at most MaxRedirects
// redirects (each checked again), and stores the body in the blob store.
func (s *Service) download(ctx context.Context, imp Import) (data []byte, contentType string, err error) {
	target := imp.SourceURL
	for hop := 0; ; hop++ {
		if err := s.cfg.Guard.CheckURL(ctx, target); err != nil {
			return nil, "", fail("download %s: %w", target, err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return nil, "", fail("download: %w", err)
		}
		resp, err := s.http.Do(req)
		if err != nil {
			if errors.Is(err, netguard.ErrPrivate) {
				return nil, "", fail("download %s: %w", target, err)
			}
			return nil, "", fmt.Errorf("download %s: %w", target, err)
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
			resp.Body.Close()
			if hop >= MaxRedirects {
				return nil, "", fail("download: more than %d redirects", MaxRedirects)
			}
			next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, "", fail("download: bad redirect: %w", err)
			}
			target = next.String()
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err := fmt.Errorf("download %s: HTTP %d", target, resp.StatusCode)
			if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
				return nil, "", err
			}
			return nil, "", permanent{err}
		}
		if resp.ContentLength > s.cfg.MaxBytes {
			return nil, "", fail("download: the file is larger than %d bytes", s.cfg.MaxBytes)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxBytes+1))
		if err != nil {
			return nil, "", fmt.Errorf("download %s: %w", target, err)
		}
		if int64(len(data)) > s.cfg.MaxBytes {
			return nil, "", fail("download: the file is larger than %d bytes", s.cfg.MaxBytes)
		}
		if len(data) == 0 {
			return nil, "", fail("download: the file is empty")
		}
		return data, resp.Header.Get("Content-Type"), nil
	}
}

// kindOf tells a transcript file from audio or video: a media type says
// so, else binary content (a NUL byte or invalid UTF-8 early on) is media.
func kindOf(contentType string, data []byte) Kind {
	ct := strings.ToLower(contentType)
	if strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/") {
		return KindMedia
	}
	head := data[:min(len(data), 1024)]
	if len(head) < len(data) {
		head = head[:len(head)-utf8.UTFMax] // a rune cut at the end is not binary
	}
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head) {
		return KindMedia
	}
	return KindTranscript
}

func blobKey(orgID, meetingID int64, sourceURL string) string {
	ext := ""
	if u, err := url.Parse(sourceURL); err == nil {
		if e := strings.ToLower(path.Ext(u.Path)); len(e) >= 2 && len(e) <= 6 && strings.Trim(e[1:], "abcdefghijklmnopqrstuvwxyz0123456789") == "" {
			ext = e
		}
	}
	return fmt.Sprintf("media/%d/%d/source%s", orgID, meetingID, ext)
}

func (s *Service) runDownload(ctx context.Context, a DownloadArgs) error {
	imp, err := s.store.byID(ctx, a.OrgID, a.ImportID)
	if err != nil {
		return err
	}
	data, ct, err := s.download(ctx, imp)
	if err != nil {
		return err
	}
	key := blobKey(imp.OrgID, imp.MeetingID, imp.SourceURL)
	if err := s.cfg.Blobs.Put(ctx, key, data, ct); err != nil {
		return err
	}
	kind := kindOf(ct, data)
	var p Probe
	if kind == KindMedia {
		p, err = s.probeBytes(ctx, data)
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "Cannot probe imported media", slog.Int64("import", imp.ID), slog.Any("error", err))
		}
	}
	err = s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.stored(ctx, tx, imp, key, ct, int64(len(data)), kind, p, s.now()); err != nil {
			return err
		}
		_, err := tx.Insert(ctx, TranscribeArgs(a), nil)
		return err
	})
	if err != nil || kind != KindMedia {
		return err
	}
	// The recording is stored and served already; a failure to note it on
	// the meeting only hides its link, so it is logged rather than retried
	// with another download.
	if err := s.cfg.Meetings.SetRecording(ctx, caller.ForSystem(imp.OrgID), imp.MeetingID, p.Format, p.Duration); err != nil {
		s.cfg.Logger.WarnContext(ctx, "Cannot note the recording on its meeting", slog.Int64("import", imp.ID), slog.Any("error", err))
	}
	return nil
}

func (s *Service) probeBytes(ctx context.Context, data []byte) (Probe, error) {
	dir, err := os.MkdirTemp("", "quorum-media-")
	if err != nil {
		return Probe{}, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "source")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return Probe{}, err
	}
	return probe(ctx, s.cfg.Tools.FFprobe, in)
}

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	r, _, err := s.cfg.Blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// segmentsOf parses a transcript file or transcribes a recording.
func (s *Service) segmentsOf(ctx context.Context, imp Import) ([]transcript.Segment, error) {
	data, err := s.readBlob(ctx, imp.BlobKey)
	if err != nil {
		return nil, err
	}
	if imp.Kind == KindTranscript {
		segs, err := transcript.Parse(transcript.DetectFormat(imp.ContentType, data), data)
		if err != nil {
			return nil, fail("parse transcript: %w", err)
		}
		return segs, nil
	}
	if s.cfg.Speech == nil {
		return nil, permanent{errNoSpeech}
	}
	dir, err := os.MkdirTemp("", "quorum-media-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, wav := filepath.Join(dir, "source"), filepath.Join(dir, "audio.wav")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	if err := decode(ctx, s.cfg.Tools.FFmpeg, in, wav); err != nil {
		return nil, permanent{err}
	}
	segs, err := s.cfg.Speech.Transcribe(ctx, wav)
	if err != nil {
		return nil, fmt.Errorf("transcribe with %s: %w", s.cfg.Speech.Name(), err)
	}
	if len(segs) == 0 {
		return nil, fail("no speech recognized")
	}
	if s.cfg.Meter != nil {
		secs := imp.Duration
		if p, err := probe(ctx, s.cfg.Tools.FFprobe, wav); err == nil && p.Duration > 0 {
			secs = p.Duration
		}
		if err := s.cfg.Meter.Record(ctx, imp.OrgID, CapabilitySpeechSeconds, int64(secs+0.999)); err != nil {
			s.cfg.Logger.WarnContext(ctx, "Cannot record speech usage", slog.Int64("org", imp.OrgID), slog.Any("error", err))
		}
	}
	return segs, nil
}

func (s *Service) runTranscribe(ctx context.Context, a TranscribeArgs) error {
	imp, err := s.store.byID(ctx, a.OrgID, a.ImportID)
	if err != nil {
		return err
	}
	if err := s.store.setStatus(ctx, nil, imp, StatusTranscribing, "", s.now()); err != nil {
		return err
	}
	var segs []transcript.Segment
	if !a.KeepTranscript || imp.Kind == KindTranscript {
		if segs, err = s.segmentsOf(ctx, imp); err != nil {
			return err
		}
		c := caller.ForSystem(imp.OrgID)
		if _, err := s.cfg.Meetings.ReplaceTranscript(ctx, c, imp.MeetingUUID, segs); err != nil {
			if fe, ok := fault.As(err); ok && fe.Kind == fault.KindInvalid {
				return permanent{err}
			}
			return err
		}
	}
	now := s.now()
	return s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.setStatus(ctx, tx, imp, StatusTranscribed, "", now); err != nil {
			return err
		}
		if _, err := tx.Insert(ctx, SummarizeArgs(a), nil); err != nil {
			return err
		}
		return event.Emit(ctx, s.cfg.Events, tx, event.Event{Type: event.MeetingTranscriptionCompleted, OrgID: imp.OrgID,
			OccurredAt: now, Data: &event.Transcription{MeetingID: imp.MeetingUUID, Status: string(StatusTranscribed),
				Segments: len(segs), OccurredAt: now}})
	})
}

func (s *Service) runSummarize(ctx context.Context, a SummarizeArgs) error {
	imp, err := s.store.byID(ctx, a.OrgID, a.ImportID)
	if err != nil {
		return err
	}
	if s.cfg.Summarize != nil {
		if err := s.cfg.Summarize(ctx, caller.ForSystem(imp.OrgID), imp.MeetingUUID); err != nil {
			return fmt.Errorf("summarize meeting %s: %w", imp.MeetingUUID, err)
		}
	}
	now := s.now()
	return s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.setStatus(ctx, tx, imp, StatusSummarized, "", now); err != nil {
			return err
		}
		return event.Emit(ctx, s.cfg.Events, tx, event.Event{Type: event.MeetingSummarizationCompleted, OrgID: imp.OrgID,
			OccurredAt: now, Data: &event.Summarization{MeetingID: imp.MeetingUUID, Status: "completed", OccurredAt: now}})
	})
}

// failed marks an import failed for good and tells the organization.
func (s *Service) failed(ctx context.Context, orgID, importID int64, status Status, cause error) error {
	imp, err := s.store.byID(ctx, orgID, importID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	msg := tail(cause.Error())
	s.cfg.Logger.WarnContext(ctx, "Media import failed", slog.String("meeting", imp.MeetingUUID), slog.String("status", string(status)),
		slog.String("error", msg))
	return s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.setStatus(ctx, tx, imp, status, msg, now); err != nil {
			return err
		}
		if status != StatusTranscriptionFailed {
			return nil
		}
		return event.Emit(ctx, s.cfg.Events, tx, event.Event{Type: event.MeetingTranscriptionFailed, OrgID: imp.OrgID,
			OccurredAt: now, Data: &event.Transcription{MeetingID: imp.MeetingUUID, Status: string(status), Error: msg, OccurredAt: now}})
	})
}

// finish turns a step's error into the job's outcome: a permanent error,
// or the last attempt's, fails the import and cancels the job; a meeting
// or import deleted meanwhile ends the job quietly.
func (s *Service) finish(ctx context.Context, a stepArgs, attempt int, status Status, err error) error {
	if err == nil || errors.Is(err, fault.ErrNotFound) && !isPermanent(err) {
		return nil
	}
	if !isPermanent(err) && attempt < maxAttempts {
		return err
	}
	if ferr := s.failed(ctx, a.OrgID, a.ImportID, status, err); ferr != nil {
		return errors.Join(err, ferr)
	}
	return river.JobCancel(err)
}

func isPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}
