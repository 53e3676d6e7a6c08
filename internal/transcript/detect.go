package transcript

import (
	"bytes"
	"strings"
)

// sniffLen bounds how much of the upload DetectFormat inspects.
const sniffLen = 1024

// DetectFormat guesses the format of an upload. A specific Content-Type
// (text/vtt, application/x-subrip, application/json or any +json type) is
// trusted; generic ones (text/plain, application/octet-stream, empty) are
// common for subtitle files, so for those the content is sniffed: a WEBVTT
// header, an SRT cue (numeric index followed by a "-->" timing line), or a
// leading '{' or '[' that opens JSON. Anything else is plain text.
func DetectFormat(contentType string, data []byte) Format {
	mediaType, _, _ := strings.Cut(contentType, ";")
	switch mediaType = strings.ToLower(strings.TrimSpace(mediaType)); mediaType {
	case "text/vtt":
		return FormatVTT
	case "application/x-subrip", "application/srt", "text/srt", "text/x-srt":
		return FormatSRT
	case "application/json", "text/json":
		return FormatJSON
	}
	if strings.HasSuffix(mediaType, "+json") {
		return FormatJSON
	}
	return sniff(data)
}

func sniff(data []byte) Format {
	if len(data) > sniffLen {
		data = data[:sniffLen]
	}
	data = bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	if len(data) == 0 {
		return FormatText
	}

	switch data[0] {
	case '{':
		return FormatJSON
	case '[':
		// "[00:01:02] Alice: hi" is a timestamped text line, not JSON; a
		// segment array starts with an object (or is empty).
		if rest := bytes.TrimLeft(data[1:], " \t\r\n"); len(rest) > 0 && (rest[0] == '{' || rest[0] == ']') {
			return FormatJSON
		}
	}

	lines := splitLines(string(data))
	if isVTTHeader(lines[0]) {
		return FormatVTT
	}
	if strings.Contains(lines[0], "-->") {
		return FormatSRT
	}
	if len(lines) > 1 && allDigits(strings.TrimSpace(lines[0])) && strings.Contains(lines[1], "-->") {
		return FormatSRT
	}
	return FormatText
}
