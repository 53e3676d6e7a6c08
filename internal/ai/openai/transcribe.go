package openai

import (
	"context"
	"errors"
	"io"
	"mime"
	"path/filepath"
	"strings"

	oai "github.com/openai/openai-go/v3"

	"github.com/quorumhq/quorum/internal/ai"
)

// Transcription is the text of a recording with its timed segments.
type Transcription struct {
	Text string
	// Language is the spoken language the server detected, when it says.
	Language string
	// Duration is the recording's length in seconds, 0 when unknown.
	Duration float64
	// Segments are timed stretches of speech in order. Speaker is empty:
	// speech-to-text endpoints do not diarize in verbose_json.
	Segments []ai.Segment
}

// Transcribe sends audio to the audio transcriptions endpoint with
// response_format=verbose_json, the format that carries segment timings.
// filename tells the server the container format by its extension
// ("meeting.m4a"); model overrides Config.TranscribeModel. The audio is
// read into memory: the multipart body must be replayable for retries, and
// the endpoints cap uploads (25 MB on OpenAI) well below memory concerns.
//
// A server that answers with text but no segments gets one segment spanning
// the whole recording, so callers always have something to import.
func (p *Provider) Transcribe(ctx context.Context, audio io.Reader, filename, model string) (Transcription, error) {
	const op = "transcribe"
	if model == "" {
		model = p.cfg.TranscribeModel
	}
	if model == "" {
		return Transcription{}, errors.New("openai: transcribe: no speech-to-text model given or configured (TranscribeModel)")
	}
	if audio == nil {
		return Transcription{}, errors.New("openai: transcribe: no audio")
	}
	if filename = filepath.Base(filename); filename == "." || filename == "/" {
		filename = "audio"
	}
	res, err := p.audio.New(ctx, oai.AudioTranscriptionNewParams{
		File:           oai.File(audio, filename, audioType(filename)),
		Model:          model,
		ResponseFormat: oai.AudioResponseFormatVerboseJSON,
	})
	if err != nil {
		return Transcription{}, wrapErr(ctx, op, err)
	}
	v := res.AsTranscriptionVerbose()
	t := Transcription{Text: strings.TrimSpace(v.Text), Language: v.Language, Duration: v.Duration}
	for _, s := range v.Segments {
		txt := strings.TrimSpace(s.Text)
		if txt == "" {
			continue
		}
		t.Segments = append(t.Segments, ai.Segment{Text: txt, Start: s.Start, End: s.End})
	}
	if len(t.Segments) == 0 && t.Text != "" {
		t.Segments = []ai.Segment{{Text: t.Text, End: t.Duration}}
	}
	if t.Text == "" && len(t.Segments) > 0 {
		parts := make([]string, len(t.Segments))
		for i, s := range t.Segments {
			parts[i] = s.Text
		}
		t.Text = strings.Join(parts, " ")
	}
	return t, nil
}

// audioType is the MIME type of a recording by its extension. The SDK needs
// one for the multipart part; servers sniff the real format from the bytes
// and the filename anyway.
func audioType(filename string) string {
	if t := mime.TypeByExtension(filepath.Ext(filename)); t != "" {
		return t
	}
	return "application/octet-stream"
}
