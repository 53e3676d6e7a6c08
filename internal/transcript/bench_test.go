package transcript

import (
	"fmt"
	"strings"
	"testing"
)

// largeInputs builds roughly n-segment transcripts in every format, to catch
// accidental quadratic behaviour on big uploads.
func largeInputs(n int) map[Format][]byte {
	var vtt, srt, js, text strings.Builder
	vtt.WriteString("WEBVTT\n\n")
	js.WriteString("[\n")
	for i := range n {
		start, end := clock(i), clock(i+1)
		fmt.Fprintf(&vtt, "%d\n%s.000 --> %s.000\n<v Speaker %d>Line number %d of the meeting</v>\n\n", i, start, end, i%5, i)
		fmt.Fprintf(&srt, "%d\n%s,000 --> %s,000\nSpeaker %d: line number %d {\\an8}<i>x</i>\n\n", i+1, start, end, i%5, i)
		if i > 0 {
			js.WriteString(",\n")
		}
		fmt.Fprintf(&js, `{"speaker": "Speaker %d", "text": "Line number %d", "start": %d, "end": %d}`, i%5, i, i, i+1)
		fmt.Fprintf(&text, "[%s] Speaker %d: line number %d\n", start, i%5, i)
	}
	js.WriteString("\n]")
	return map[Format][]byte{
		FormatVTT:  []byte(vtt.String()),
		FormatSRT:  []byte(srt.String()),
		FormatJSON: []byte(js.String()),
		FormatText: []byte(text.String()),
	}
}

func clock(seconds int) string {
	return fmt.Sprintf("%02d:%02d:%02d", seconds/3600, seconds/60%60, seconds%60)
}

func BenchmarkParse(b *testing.B) {
	for format, data := range largeInputs(20000) {
		b.Run(string(format), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				segments, err := Parse(format, data)
				if err != nil || len(segments) != 20000 {
					b.Fatalf("Parse() = %d segments, %v", len(segments), err)
				}
			}
		})
	}
}
