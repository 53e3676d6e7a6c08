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
	out = dropRepeats(dropFragments(out))
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

// dropFragments removes the broken-off starts of words that speech
// transcripts keep: a short lowercase word that begins one of the next two
// words ("th think", "th I think", "co could") and stray lowercase letters
// other than "a" and "i".
func dropFragments(words []string) []string {
	out := words[:0:0]
	for i, w := range words {
		if isFragment(w) || isRestart(w, words[i+1:min(i+3, len(words))]) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// isRestart reports whether w is a short lowercase prefix of a longer word
// in next; function words ("the there") are real words, never restarts.
func isRestart(w string, next []string) bool {
	if len(w) > 3 || !isLowerWord(w) || IsStopword(w) {
		return false
	}
	for _, n := range next {
		if len(n) > len(w) && strings.HasPrefix(strings.ToLower(n), w) {
			return true
		}
	}
	return false
}

func isFragment(w string) bool {
	return len(w) == 1 && w[0] >= 'b' && w[0] <= 'z' && w != "i"
}

func isLowerWord(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return w != ""
}

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
