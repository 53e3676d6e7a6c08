package transcript

import "testing"

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		data        string
		want        Format
	}{
		{"vtt content type", "text/vtt; charset=utf-8", "anything", FormatVTT},
		{"srt content type", "application/x-subrip", "anything", FormatSRT},
		{"json content type", "Application/JSON", "anything", FormatJSON},
		{"json suffix", "application/vnd.quorum+json", "x", FormatJSON},
		{"vtt sniffed", "text/plain", "\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nhi", FormatVTT},
		{"vtt with title", "", "WEBVTT Meeting\n", FormatVTT},
		{"not vtt", "", "WEBVTTX\n", FormatText},
		{"srt sniffed", "application/octet-stream", "\r\n1\r\n00:00:01,000 --> 00:00:02,000\r\nhi", FormatSRT},
		{"srt without index", "", "00:00:01,000 --> 00:00:02,000\nhi", FormatSRT},
		{"json object", "text/plain", "  {\"segments\": []}", FormatJSON},
		{"json array", "", "[\n  {\"text\": \"hi\"}]", FormatJSON},
		{"empty json array", "", "[ ]", FormatJSON},
		{"timestamped text", "text/plain", "[00:00:01] Alice: hi", FormatText},
		{"bracketed text", "", "[inaudible]", FormatText},
		{"number line only", "", "1\nAlice: hi", FormatText},
		{"plain text", "text/plain", "Alice: hi", FormatText},
		{"empty", "", "", FormatText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DetectFormat(tc.contentType, []byte(tc.data)); got != tc.want {
				t.Errorf("DetectFormat(%q, %q) = %q, want %q", tc.contentType, tc.data, got, tc.want)
			}
		})
	}
}
