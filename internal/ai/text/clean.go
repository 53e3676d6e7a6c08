package text

import (
	"regexp"
	"strings"
	"unicode"
)

// Clean removes speech disfluencies from a transcript turn so it reads as
// written text: annotation markers ("{disfmarker}"), fillers ("um", "uh"),
// hedges set off by commas ("you know", "I mean"), stuttered repetitions
// ("the the", "it 's it 's") and the detached punctuation of ASR output
// ("that 's great ." -> "that's great."). Meaning-bearing words are kept.
func Clean(s string) string {
	s = markerRE.ReplaceAllString(s, " ")
	words := strings.Fields(s)
	out := make([]string, 0, len(words))
	for _, w := range words {
		core := strings.ToLower(strings.TrimRight(w, ",."))
		if _, ok := fillers[core]; ok {
			// Keep a sentence terminator the filler carried ("um." -> ".").
			if strings.HasSuffix(w, ".") && core != "" {
				out = append(out, ".")
			}
			continue
		}
		out = append(out, w)
	}
	out = dropRepeats(out)
	s = strings.Join(out, " ")
	s = hedgeRE.ReplaceAllString(s, "$1")
	s = punctSpacing.Replace(s)
	s = commaEndRE.ReplaceAllString(s, "$1")
	s = repeatedPunctRE.ReplaceAllString(s, "$1")
	s = leadingPunctRE.ReplaceAllString(s, "")
	s = strings.TrimSpace(s)
	return capitalize(s)
}

var (
	markerRE = regexp.MustCompile(`\{[a-z_ ]+\}`)
	// hedgeRE matches a hedge set off by punctuation or starting the text.
	hedgeRE         = regexp.MustCompile(`(?i)(^|[,.?!] )(?:you know|i mean|sort of|kind of)(?: ,)?( |$)`)
	commaEndRE      = regexp.MustCompile(`,\s*([.?!])`)
	repeatedPunctRE = regexp.MustCompile(`([,.?!])(?:\s*[,.]+)+`)
	leadingPunctRE  = regexp.MustCompile(`^[\s,.]+`)
	punctSpacing    = strings.NewReplacer(
		" ,", ",", " .", ".", " ?", "?", " !", "!", " ;", ";", " :", ":",
		" 's", "'s", " n't", "n't", " 're", "'re", " 've", "'ve", " 'll", "'ll",
		" 'm", "'m", " 'd", "'d",
	)
	fillers = map[string]struct{}{
		"um": {}, "uh": {}, "umm": {}, "uhm": {}, "er": {}, "erm": {}, "hmm": {},
		"mm": {}, "mmm": {}, "mm-hmm": {}, "uh-huh": {}, "uh-oh": {}, "ah": {}, "eh": {},
	}
)

// dropRepeats removes immediately repeated words and two- or three-word
// phrases, comparing case-insensitively.
func dropRepeats(words []string) []string {
	for n := 3; n >= 1; n-- {
		out := words[:0:0]
		for i := 0; i < len(words); i++ {
			if len(out) >= n && i+n <= len(words) && samePhrase(out[len(out)-n:], words[i:i+n]) && isWordy(words[i]) {
				i += n - 1
				continue
			}
			out = append(out, words[i])
		}
		words = out
	}
	return words
}

func samePhrase(a, b []string) bool {
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func isWordy(w string) bool {
	return strings.IndexFunc(w, unicode.IsLetter) >= 0
}

func capitalize(s string) string {
	for i, r := range s {
		if unicode.IsLower(r) {
			return s[:i] + string(unicode.ToUpper(r)) + s[i+len(string(r)):]
		}
		return s
	}
	return s
}
