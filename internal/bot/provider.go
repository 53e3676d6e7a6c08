package bot

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

	"github.com/quorumhq/quorum/internal/transcript"
)

// Provider runs meeting bots.
type Provider interface {
	// Create asks for a bot to join a meeting and returns its id at the
	// provider.
	Create(ctx context.Context, r Request) (string, error)
	// Transcript returns what the bot transcribed (empty when nothing).
	Transcript(ctx context.Context, botID string) ([]transcript.Segment, error)
	// RecordingURL returns where the bot's recording can be downloaded
	// ("" when there is none).
	RecordingURL(ctx context.Context, botID string) (string, error)
}

// Request is a bot to create.
type Request struct {
	MeetingURL string
	BotName    string
	// JoinAt is when to join; zero joins now.
	JoinAt time.Time
	// WebhookURL receives the bot's state changes.
	WebhookURL string
}

// Attendee is the Provider of an Attendee server
// (https://github.com/attendee-labs/attendee), through its REST API.
type Attendee struct {
	// BaseURL is the server, e.g. https://attendee.example.com.
	BaseURL string
	// Key is the API key, sent as "Authorization: Token <key>".
	Key  string
	HTTP *http.Client
}

func (a Attendee) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.BaseURL, "/")+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Token "+a.Key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := a.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("attendee %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("attendee %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("attendee %s %s: HTTP %d: %.300s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("attendee %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// Triggers are the webhook triggers Quorum asks for.
var Triggers = []string{"bot.state_change"}

// Create implements Provider: POST /api/v1/bots.
func (a Attendee) Create(ctx context.Context, r Request) (string, error) {
	type hook struct {
		URL      string   `json:"url"`
		Triggers []string `json:"triggers"`
	}
	body := struct {
		MeetingURL string `json:"meeting_url"`
		BotName    string `json:"bot_name"`
		JoinAt     string `json:"join_at,omitempty"`
		Webhooks   []hook `json:"webhooks,omitempty"`
	}{MeetingURL: r.MeetingURL, BotName: r.BotName}
	if !r.JoinAt.IsZero() {
		body.JoinAt = r.JoinAt.UTC().Format(time.RFC3339)
	}
	if r.WebhookURL != "" {
		body.Webhooks = []hook{{URL: r.WebhookURL, Triggers: Triggers}}
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.do(ctx, http.MethodPost, "/api/v1/bots", body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("attendee: created bot has no id")
	}
	return out.ID, nil
}

// Transcript implements Provider: GET /api/v1/bots/{id}/transcript, a list
// of utterances with their speaker and times in milliseconds.
func (a Attendee) Transcript(ctx context.Context, botID string) ([]transcript.Segment, error) {
	var out []struct {
		SpeakerName   string `json:"speaker_name"`
		TimestampMS   int64  `json:"timestamp_ms"`
		DurationMS    int64  `json:"duration_ms"`
		Transcription *struct {
			Transcript string `json:"transcript"`
		} `json:"transcription"`
	}
	if err := a.do(ctx, http.MethodGet, "/api/v1/bots/"+url.PathEscape(botID)+"/transcript", nil, &out); err != nil {
		return nil, err
	}
	segs := make([]transcript.Segment, 0, len(out))
	for _, u := range out {
		if u.Transcription == nil || strings.TrimSpace(u.Transcription.Transcript) == "" {
			continue
		}
		speaker := strings.TrimSpace(u.SpeakerName)
		if speaker == "" {
			speaker = "Speaker"
		}
		start := float64(u.TimestampMS) / 1000
		segs = append(segs, transcript.Segment{Speaker: speaker, Text: strings.TrimSpace(u.Transcription.Transcript),
			Start: start, End: start + float64(u.DurationMS)/1000})
	}
	return segs, nil
}

// RecordingURL implements Provider: GET /api/v1/bots/{id}/recording.
func (a Attendee) RecordingURL(ctx context.Context, botID string) (string, error) {
	var out struct {
		URL string `json:"url"`
	}
	if err := a.do(ctx, http.MethodGet, "/api/v1/bots/"+url.PathEscape(botID)+"/recording", nil, &out); err != nil {
		return "", err
	}
	return out.URL, nil
}
