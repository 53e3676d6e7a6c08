package transcript

import (
	"html"
	"strings"
)

// voiceSpan is a run of cue text attributed to one speaker ("" if unknown).
type voiceSpan struct {
	speaker string
	text    string
}

// splitVoices strips markup from cue text and splits it wherever a WebVTT
// voice tag (<v Name> or <v.class Name>) changes the speaker. Other tags
// (<c>, <i>, <b>, <u>, <ruby>, <lang>, timestamp tags, SRT <font>) are
// removed and character references decoded. A '<' without a closing '>' is
// kept literally: sloppy files use it as text and it cannot open a tag.
func splitVoices(s string) []voiceSpan {
	var (
		spans   []voiceSpan
		speaker string
		buf     strings.Builder
	)
	flush := func() {
		if text := strings.TrimSpace(html.UnescapeString(buf.String())); text != "" {
			spans = append(spans, voiceSpan{speaker: speaker, text: text})
		}
		buf.Reset()
	}

	for s != "" {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			buf.WriteString(s)
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			buf.WriteString(s)
			break
		}
		buf.WriteString(s[:open])
		tag := s[open+1 : open+end]
		s = s[open+end+1:]

		// Other tags are dropped without a space: they usually wrap part of
		// a word or sit next to punctuation ("<i>really</i>?").
		if name, ok := voiceName(tag); ok && name != speaker {
			flush()
			speaker = name
		}
	}
	flush()
	return spans
}

// voiceName returns the annotation of a voice start tag such as "v Alice" or
// "v.loud.fast Bob Smith".
func voiceName(tag string) (string, bool) {
	if len(tag) == 0 || tag[0] != 'v' {
		return "", false
	}
	if len(tag) > 1 && tag[1] != '.' && tag[1] != ' ' && tag[1] != '\t' {
		return "", false
	}
	_, name, _ := strings.Cut(strings.Replace(tag, "\t", " ", 1), " ")
	return strings.TrimSpace(html.UnescapeString(name)), true
}

// stripASSOverrides removes SSA/ASS override blocks such as {\an8} or
// {\i1}, which some tools leave in SRT files.
func stripASSOverrides(s string) string {
	var b strings.Builder
	for {
		open := strings.Index(s, `{\`)
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		s = s[open+end+1:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s)
	return b.String()
}
