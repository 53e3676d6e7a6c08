package cloud

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/transcript"
)

// Transcript is a transcript given inline: either plain text ("Speaker:
// text" lines) or an array of segments.
type Transcript struct {
	Text     string
	Segments []Segment
	set      bool
}

// UnmarshalJSON accepts a string or an array of segments.
func (t *Transcript) UnmarshalJSON(b []byte) error {
	t.set = true
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Text)
	}
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, &t.Segments)
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	return errors.New("transcript must be a string or an array of segments")
}

// Schema documents the two accepted shapes.
func (Transcript) Schema(r huma.Registry) *huma.Schema {
	return &huma.Schema{OneOf: []*huma.Schema{
		{Type: huma.TypeString, Description: "plain text, one turn per line as \"Speaker: text\""},
		{Type: huma.TypeArray, Items: r.Schema(reflectSegment, true, "Segment")},
	}}
}

// segments converts the transcript, parsing text as a plain-text file.
func (t Transcript) segments() ([]transcript.Segment, error) {
	if t.Text != "" {
		segs, err := transcript.Parse(transcript.FormatText, []byte(t.Text))
		if errors.Is(err, transcript.ErrEmpty) {
			return nil, nil
		}
		return segs, err
	}
	return toSegments(t.Segments), nil
}
