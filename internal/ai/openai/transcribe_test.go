package openai

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestTranscribe(t *testing.T) {
	audio := []byte("RIFF\x00\x00\x00\x00WAVEfmt fake audio bytes")
	tests := []struct {
		name     string
		model    string
		response map[string]any
		want     Transcription
	}{
		{
			name:  "verbose_json segments",
			model: "",
			response: map[string]any{
				"task": "transcribe", "language": "english", "duration": 9.5,
				"text": "Welcome everyone. Let's start with the budget.",
				"segments": []any{
					map[string]any{"id": 0, "seek": 0, "start": 0.0, "end": 3.2, "text": " Welcome everyone.", "tokens": []int{1, 2},
						"temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01},
					map[string]any{"id": 1, "seek": 0, "start": 3.2, "end": 9.5, "text": " Let's start with the budget.", "tokens": []int{3},
						"temperature": 0.0, "avg_logprob": -0.3, "compression_ratio": 1.2, "no_speech_prob": 0.02},
				},
			},
			want: Transcription{
				Text: "Welcome everyone. Let's start with the budget.", Language: "english", Duration: 9.5,
				Segments: []ai.Segment{{Text: "Welcome everyone.", Start: 0, End: 3.2}, {Text: "Let's start with the budget.", Start: 3.2, End: 9.5}},
			},
		},
		{
			name:     "text only server",
			model:    "whisper-large-v3",
			response: map[string]any{"text": " Just the words. ", "duration": 4},
			want: Transcription{
				Text: "Just the words.", Duration: 4,
				Segments: []ai.Segment{{Text: "Just the words.", End: 4}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.transcribe = func(w http.ResponseWriter, req transcribeRequest) {
				wantModel := tt.model
				if wantModel == "" {
					wantModel = "test-whisper"
				}
				if req.Model != wantModel || req.ResponseFormat != "verbose_json" || req.Filename != "standup.wav" || !bytes.Equal(req.Audio, audio) {
					t.Errorf("request = model %q format %q file %q (%d bytes)", req.Model, req.ResponseFormat, req.Filename, len(req.Audio))
				}
				writeJSON(w, tt.response)
			}
			got, err := f.provider().Transcribe(context.Background(), bytes.NewReader(audio), "/uploads/standup.wav", tt.model)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTranscribeNeedsModel(t *testing.T) {
	f := newFake(t)
	p := f.provider(func(c *Config) { c.TranscribeModel = "" })
	_, err := p.Transcribe(context.Background(), strings.NewReader("x"), "a.wav", "")
	if err == nil || !strings.Contains(err.Error(), "TranscribeModel") {
		t.Errorf("err = %v", err)
	}
}

func TestTranscribeUpstreamError(t *testing.T) {
	f := newFake(t)
	f.transcribe = func(w http.ResponseWriter, _ transcribeRequest) {
		writeAPIError(w, http.StatusTooManyRequests, "Rate limit reached", "requests", "rate_limit_exceeded")
	}
	_, err := f.provider().Transcribe(context.Background(), strings.NewReader("x"), "a.wav", "")
	if !errorsIsAll(err, ErrUpstream, ErrRateLimited) {
		t.Errorf("err = %v, want ErrRateLimited", err)
	}
}
