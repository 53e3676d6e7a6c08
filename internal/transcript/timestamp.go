package transcript

import (
	"strconv"
	"strings"
)

// maxLeadingDigits bounds the first clock field so that absurd inputs cannot
// overflow; 99999 hours is far beyond any real meeting.
const maxLeadingDigits = 5

// parseClock parses "hh:mm:ss.mmm" or "mm:ss.mmm" into seconds.
//
// It is deliberately lenient about details that real-world exporters get
// wrong: the fraction may use '.' or ',' (SRT and VTT are often confused),
// may have 1–3 digits or be absent, and the leading field may have any
// number of digits up to maxLeadingDigits. Minutes and seconds after the
// leading field must be two digits below 60.
func parseClock(s string) (float64, bool) {
	var frac float64
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		digits := s[i+1:]
		if len(digits) == 0 || len(digits) > 3 || !allDigits(digits) {
			return 0, false
		}
		n, _ := strconv.Atoi(digits)
		frac = float64(n) / [...]float64{1, 10, 100, 1000}[len(digits)]
		s = s[:i]
	}

	fields := strings.Split(s, ":")
	if len(fields) < 2 || len(fields) > 3 {
		return 0, false
	}
	var total int
	for i, f := range fields {
		if i == 0 {
			if len(f) == 0 || len(f) > maxLeadingDigits || !allDigits(f) {
				return 0, false
			}
		} else if len(f) != 2 || !allDigits(f) || f[0] > '5' {
			return 0, false
		}
		n, _ := strconv.Atoi(f)
		total = total*60 + n
	}
	return float64(total) + frac, true
}

// parseTiming parses a cue timing line "start --> end [settings]". Anything
// after the end timestamp (VTT cue settings, SRT coordinates) is ignored.
func parseTiming(line string) (start, end float64, msg string) {
	left, right, ok := strings.Cut(line, "-->")
	if !ok {
		return 0, 0, `missing "-->"`
	}
	left = strings.TrimSpace(left)
	rest := strings.Fields(right)
	if len(rest) == 0 {
		return 0, 0, "missing end timestamp"
	}
	start, ok = parseClock(left)
	if !ok {
		return 0, 0, "invalid start timestamp " + strconv.Quote(left)
	}
	end, ok = parseClock(rest[0])
	if !ok {
		return 0, 0, "invalid end timestamp " + strconv.Quote(rest[0])
	}
	return start, end, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
