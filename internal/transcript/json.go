package transcript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// jsonSegment accepts the field names used by common exporters: "content"
// for "text" and "start_time"/"end_time" for "start"/"end". Times are in
// seconds.
type jsonSegment struct {
	Speaker   jsonSpeaker `json:"speaker"`
	Text      string      `json:"text"`
	Content   string      `json:"content"`
	Start     *float64    `json:"start"`
	StartTime *float64    `json:"start_time"`
	End       *float64    `json:"end"`
	EndTime   *float64    `json:"end_time"`
}

// jsonSpeaker is a speaker label given as a string or as a number:
// diarisation tools often number speakers 0, 1, 2.
type jsonSpeaker string

// UnmarshalJSON implements json.Unmarshaler.
func (s *jsonSpeaker) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, (*string)(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*s = jsonSpeaker(b)
		return nil
	}
	return errors.New(`"speaker" must be a string or a number`)
}

// parseJSON parses either an array of segments or an object holding them in
// "segments". It streams the array so that errors can name the line and
// index of the offending segment.
func parseJSON(data []byte) ([]Segment, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(data, 0, err)
	}

	var segments []Segment
	switch tok {
	case json.Delim('['):
		segments, err = decodeJSONSegments(data, dec)
	case json.Delim('{'):
		segments, err = decodeJSONObject(data, dec)
	default:
		err = &SyntaxError{Format: FormatJSON, Line: lineAt(data, 0), Msg: `expected an array of segments or an object with a "segments" array`}
	}
	if err != nil {
		return nil, err
	}

	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Format: FormatJSON, Line: lineAt(data, dec.InputOffset()), Msg: "unexpected data after the top-level value"}
	}
	return segments, nil
}

// decodeJSONObject reads an object, whose opening brace has been consumed,
// and returns the segments of its "segments" member. Other members are
// ignored so that exports with extra metadata are accepted.
func decodeJSONObject(data []byte, dec *json.Decoder) ([]Segment, error) {
	var (
		segments []Segment
		found    bool
	)
	for dec.More() {
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, offset, err)
		}
		// Match keys case-insensitively, as encoding/json does for fields.
		if key, _ := tok.(string); !strings.EqualFold(key, "segments") {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, jsonError(data, offset, err)
			}
			continue
		}
		if found {
			return nil, &SyntaxError{Format: FormatJSON, Line: lineAt(data, offset), Msg: `duplicate "segments" member`}
		}
		found = true

		tok, err = dec.Token()
		if err != nil {
			return nil, jsonError(data, offset, err)
		}
		switch tok {
		case nil: // "segments": null is an empty transcript.
		case json.Delim('['):
			if segments, err = decodeJSONSegments(data, dec); err != nil {
				return nil, err
			}
		default:
			return nil, &SyntaxError{Format: FormatJSON, Line: lineAt(data, offset), Msg: `"segments" must be an array`}
		}
	}
	if _, err := dec.Token(); err != nil { // closing brace
		return nil, jsonError(data, dec.InputOffset(), err)
	}
	if !found {
		return nil, &SyntaxError{Format: FormatJSON, Line: 1, Msg: `missing "segments" array`}
	}
	return segments, nil
}

// decodeJSONSegments reads array elements up to and including the closing
// bracket; the opening bracket has been consumed.
func decodeJSONSegments(data []byte, dec *json.Decoder) ([]Segment, error) {
	var segments []Segment
	for index := 0; dec.More(); index++ {
		offset := dec.InputOffset()
		var js jsonSegment
		if err := dec.Decode(&js); err != nil {
			return nil, jsonError(data, offset, err)
		}
		seg, msg := js.segment()
		if msg != "" {
			// Lines are only counted on error: counting per segment would
			// make large uploads quadratic.
			return nil, &SyntaxError{Format: FormatJSON, Line: lineAt(data, offset), Msg: fmt.Sprintf("segment %d: %s", index, msg)}
		}
		segments = append(segments, seg)
	}
	if _, err := dec.Token(); err != nil { // closing bracket
		return nil, jsonError(data, dec.InputOffset(), err)
	}
	return segments, nil
}

// segment resolves aliases and defaults. It returns a description of the
// problem instead if the timing is invalid.
func (js *jsonSegment) segment() (Segment, string) {
	text := js.Text
	if strings.TrimSpace(text) == "" {
		text = js.Content
	}
	start, end := firstOf(js.Start, js.StartTime), firstOf(js.End, js.EndTime)
	switch {
	case start == nil && end == nil:
		start, end = new(float64), new(float64)
	case start == nil:
		start = new(float64)
	case end == nil:
		// An instant rather than an interval; keep End >= Start.
		end = start
	}
	if msg := timingProblem(*start, *end); msg != "" {
		return Segment{}, msg
	}
	return Segment{Speaker: string(js.Speaker), Text: text, Start: *start, End: *end}, ""
}

func firstOf(values ...*float64) *float64 {
	for _, v := range values {
		if v != nil {
			return v
		}
	}
	return nil
}

// jsonError converts an encoding/json error into a *SyntaxError. offset is
// where the value being decoded starts; it locates errors that carry no
// position of their own. Messages avoid Go type names, which mean nothing to
// whoever uploaded the file.
func jsonError(data []byte, offset int64, err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntaxErr):
		return &SyntaxError{Format: FormatJSON, Line: lineAt(data, syntaxErr.Offset), Msg: syntaxErr.Error()}
	case errors.As(err, &typeErr):
		msg := fmt.Sprintf("expected %s, found %s", jsonKind(typeErr.Type), typeErr.Value)
		if typeErr.Field != "" {
			msg = fmt.Sprintf("%q: %s", typeErr.Field, msg)
		}
		return &SyntaxError{Format: FormatJSON, Line: lineAt(data, offset), Msg: msg}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &SyntaxError{Format: FormatJSON, Line: lineAt(data, int64(len(data))), Msg: "unexpected end of input"}
	}
	return &SyntaxError{Format: FormatJSON, Line: lineAt(data, offset), Msg: err.Error()}
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.Kind().String()
}

// lineAt returns the 1-based line of the first significant byte at or after
// offset, skipping the whitespace and commas that a json.Decoder leaves
// before the next value.
func lineAt(data []byte, offset int64) int {
	n := int(min(max(offset, 0), int64(len(data))))
	for n < len(data) && strings.IndexByte(" \t\r\n,:", data[n]) >= 0 {
		n++
	}
	return bytes.Count(data[:n], []byte("\n")) + 1
}
