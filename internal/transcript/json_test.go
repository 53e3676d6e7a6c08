package transcript

import (
	"math"
	"testing"
)

func TestParseJSON(t *testing.T) {
	runParseCases(t, FormatJSON, []parseCase{
		{
			name: "array",
			in:   `[{"speaker": "Alice", "text": "Hello", "start": 0.5, "end": 2}, {"speaker": "Bob", "text": " Hi  there ", "start": 2, "end": 3.25}]`,
			want: []Segment{
				{Speaker: "Alice", Text: "Hello", Start: 0.5, End: 2},
				{Speaker: "Bob", Text: "Hi there", Start: 2, End: 3.25},
			},
		},
		{
			name: "object with aliases and extra members",
			in: `{"title": "Sync", "meta": {"segments": 3}, "Segments": [
				{"speaker": "Alice", "content": "Hello", "start_time": 1, "end_time": 2},
				{"speaker": 1, "text": "Numbered speaker"}
			], "duration": 10}`,
			want: []Segment{
				{Speaker: "Alice", Text: "Hello", Start: 1, End: 2},
				{Speaker: "1", Text: "Numbered speaker"},
			},
		},
		{
			name: "missing times",
			in:   `[{"text": "start only", "start": 5}, {"text": "end only", "end": 7}, {"text": "neither"}]`,
			want: []Segment{
				{Text: "start only", Start: 5, End: 5},
				{Text: "end only", End: 7},
				{Text: "neither"},
			},
		},
		{
			name: "empty and null segments skipped",
			in:   `[null, {"speaker": "Alice", "text": "   "}, {"text": "kept", "speaker": null}, {}]`,
			want: []Segment{{Text: "kept"}},
		},
		{name: "negative zero", in: `[{"text": "a", "start": -0, "end": -0.0}]`, want: []Segment{{Text: "a"}}},
		{name: "empty array", in: `[]`, err: ErrEmpty},
		{name: "null segments", in: `{"segments": null}`, err: ErrEmpty},
		{name: "only blank text", in: `{"segments": [{"text": "\n\t"}]}`, err: ErrEmpty},
		{name: "object without segments", in: "{\n\"items\": []}", err: syntaxErr(1, `missing "segments"`)},
		{name: "segments not an array", in: "{\n\"segments\": {}}", err: syntaxErr(2, `must be an array`)},
		{name: "duplicate segments", in: "{\"segments\": [],\n\"segments\": []}", err: syntaxErr(2, "duplicate")},
		{name: "scalar top level", in: `"hello"`, err: syntaxErr(1, "expected an array")},
		{name: "truncated", in: "[\n{\"text\": \"a\"}", err: syntaxErr(2, "unexpected end")},
		{name: "trailing comma", in: "[\n{\"text\": \"a\"},\n]", err: syntaxErr(3, "invalid character")},
		{name: "trailing data", in: "[{\"text\": \"a\"}]\n[]", err: syntaxErr(2, "after the top-level value")},
		{name: "wrong type", in: "[\n{\"text\": \"a\"},\n  {\"text\": \"b\", \"start\": \"1.5\"}]", err: syntaxErr(3, `"start": expected a number, found string`)},
		{name: "text not a string", in: `[{"text": 5}]`, err: syntaxErr(1, "expected a string")},
		{name: "speaker object", in: `[{"text": "a", "speaker": {}}]`, err: syntaxErr(1, `"speaker" must be a string or a number`)},
		{name: "segment not an object", in: `[{"text": "a"}, 5]`, err: syntaxErr(1, "expected an object")},
		{name: "negative start", in: "[\n{\"text\": \"a\", \"start\": -1, \"end\": 2}]", err: syntaxErr(2, "segment 0: negative time")},
		{name: "end before start", in: "{\"segments\": [{\"text\": \"a\"},\n{\"text\": \"b\", \"start\": 3, \"end\": 2}]}", err: syntaxErr(2, "segment 1: end 2.000s is before start 3.000s")},
		{name: "number too large", in: `[{"text": "a", "start": 1e400}]`, err: syntaxErr(1, "expected a number")},
	})
}

func TestParseJSONNegativeZero(t *testing.T) {
	segments, err := Parse(FormatJSON, []byte(`[{"text": "a", "start": -0, "end": -0.0}]`))
	if err != nil {
		t.Fatal(err)
	}
	if s := segments[0]; math.Signbit(s.Start) || math.Signbit(s.End) {
		t.Errorf("Parse() kept negative zero: %+v", s)
	}
}
