package media_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/media"
)

const vtt = `WEBVTT

00:00:01.000 --> 00:00:04.000
<v Alice>We ship the release on Friday.

00:00:05.000 --> 00:00:08.000
<v Bob>I will write the announcement.
`

type file = struct {
	ct   string
	data []byte
}

// TestImportTranscriptFile imports a VTT served over HTTP: the transcript
// lands in the meeting, the import ends summarized, and the tenant's
// endpoint receives signed transcription and summarization events. Another
// organization cannot import into the meeting nor read its state.
func TestImportTranscriptFile(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		files := fileServer(t, map[string]file{"/call.vtt": {"text/vtt", []byte(vtt)}})
		c, other := tenant(t, a, "Acme"), tenant(t, a, "Other")
		rcv := newReceiver(t)
		rcv.subscribe(a, c, event.MeetingTranscriptionCompleted, event.MeetingSummarizationCompleted, event.MeetingTranscriptionFailed)
		m := newMeeting(t, a, c)

		if err := a.Media.ImportURL(ctx, other, m.UUID, files.URL+"/call.vtt"); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("import into another organization's meeting: %v, want not found", err)
		}
		if err := a.Media.ImportURL(ctx, c, m.UUID, files.URL+"/call.vtt"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "both events", func() bool {
			return len(rcv.got(event.MeetingTranscriptionCompleted)) == 1 && len(rcv.got(event.MeetingSummarizationCompleted)) == 1
		})
		if d := string(rcv.got(event.MeetingTranscriptionCompleted)[0]); !strings.Contains(d, m.UUID) || !strings.Contains(d, `"segments":2`) {
			t.Fatalf("transcription event data %s", d)
		}
		imp, err := a.Media.Import(ctx, c, m.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if imp.Status != media.StatusSummarized || imp.Kind != media.KindTranscript {
			t.Fatalf("import %+v, want a summarized transcript", imp)
		}
		if _, err := a.Media.Import(ctx, other, m.UUID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("another organization reads the import: %v", err)
		}
		got, err := a.Meetings.Get(ctx, c, m.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SegmentCount != 2 {
			t.Fatalf("meeting has %d segments, want 2", got.SegmentCount)
		}
		if _, err := a.Insight.Summary(ctx, c, m.UUID); err != nil {
			t.Fatalf("summary: %v", err)
		}
		if len(rcv.got(event.MeetingTranscriptionFailed)) != 0 {
			t.Fatal("a failure event for a successful import")
		}
	}, "--allow-private-urls")
}

// TestImportFailureMarksMeeting: a URL answering 404 fails the import for
// good and fires meeting.transcription_failed.
func TestImportFailureMarksMeeting(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		files := fileServer(t, nil)
		c := tenant(t, a, "Acme")
		rcv := newReceiver(t)
		rcv.subscribe(a, c, event.MeetingTranscriptionFailed)
		m := newMeeting(t, a, c)
		if err := a.Media.ImportURL(ctx, c, m.UUID, files.URL+"/missing.vtt"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the failure event", func() bool { return len(rcv.got(event.MeetingTranscriptionFailed)) == 1 })
		imp, err := a.Media.Import(ctx, c, m.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if imp.Status != media.StatusTranscriptionFailed || !strings.Contains(imp.Error, "404") {
			t.Fatalf("import %+v, want transcription_failed with the HTTP status", imp)
		}
	}, "--allow-private-urls")
}

// TestImportRefusesPrivateURLs: with private URLs off (the default), URLs
// of loopback, private and metadata addresses are refused on the spot.
func TestImportRefusesPrivateURLs(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *app.App) {
		c := tenant(t, a, "Acme")
		m := newMeeting(t, a, c)
		for _, u := range []string{"http://127.0.0.1:8080/a.vtt", "http://10.1.2.3/a.vtt", "http://169.254.169.254/latest/meta-data/",
			"http://localhost/a.vtt", "http://[::1]/a.vtt", "http://0x7f000001/a.vtt", "ftp://example.com/a.vtt", "file:///etc/passwd"} {
			err := a.Media.ImportURL(context.Background(), c, m.UUID, u)
			if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindInvalid {
				t.Errorf("ImportURL(%s) = %v, want a validation error", u, err)
			}
		}
	})
}

// TestRecordingServedWithRange imports a WAV file and reads it back
// through the recording route's service with a Range request.
func TestRecordingServedWithRange(t *testing.T) {
	tools := media.FindTools()
	if tools.FFmpeg == "" || tools.FFprobe == "" {
		t.Skip("ffmpeg/ffprobe not installed (apt-get install -y ffmpeg)")
	}
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if out, err := exec.Command(tools.FFmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-ac", "1", "-ar", "16000", wav).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	data, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	eachBackend(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		files := fileServer(t, map[string]file{"/tone.wav": {"audio/wav", data}})
		c, other := tenant(t, a, "Acme"), tenant(t, a, "Other")
		m := newMeeting(t, a, c)
		// A tone has no speech: the import stores the recording, then fails
		// transcription (no words) or, without a speech backend, fails too.
		if err := a.Media.ImportURL(ctx, c, m.UUID, files.URL+"/tone.wav"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "the import to finish", func() bool {
			imp, err := a.Media.Import(ctx, c, m.UUID)
			return err == nil && (imp.Status == media.StatusTranscriptionFailed || imp.Status == media.StatusSummarized)
		})
		rec, err := a.Media.Recording(ctx, c, m.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Format != "wav" || rec.Duration < 1.9 || rec.Duration > 2.1 || rec.Size != int64(len(data)) {
			t.Fatalf("recording %+v, want a 2 s wav of %d bytes", rec, len(data))
		}
		req := httptest.NewRequest(http.MethodGet, "/recording", nil).WithContext(ctx)
		req.Header.Set("Range", "bytes=0-99")
		w := httptest.NewRecorder()
		if err := a.Media.ServeRecording(w, req, c, m.UUID); err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(w.Result().Body)
		if w.Code != http.StatusPartialContent || len(body) != 100 || string(body) != string(data[:100]) {
			t.Fatalf("range answer %d with %d bytes", w.Code, len(body))
		}
		if err := a.Media.ServeRecording(httptest.NewRecorder(), req, other, m.UUID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("another organization reads the recording: %v", err)
		}
	}, "--allow-private-urls")
}

// TestRecordingRouteNeedsCaller: the recording route is mounted on the
// Meetings surface and answers 401 without credentials.
func TestRecordingRouteNeedsCaller(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *app.App) {
		for _, p := range []string{"/api/v1/external/meetings/1/recording/file/", "/api/v1/external/meetings/1/recording/file"} {
			w := httptest.NewRecorder()
			a.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
			if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "detail") {
				t.Fatalf("GET %s: %d %s", p, w.Code, w.Body)
			}
		}
	})
}
