package analysis

import (
	"strings"
)

// fillerWords are always fillers when spoken on their own.
var fillerWords = wordSet(`um umm uhm uh er erm basically actually literally`)

// determiners before "kind of" / "sort of" make the phrase literal ("what
// kind of data"), not a hedge.
var determiners = wordSet(`what this that the a an some any which same different one every each no other these those all`)

// knowBlockers before "you know" make it a real question or statement ("do
// you know", "as you know").
var knowBlockers = wordSet(`do did don t if would will should could can as whether`)

// likeFollowers after a comma-led "like" mark the filler use (", like, I
// mean", ", like you know"), as opposed to "such as" (", like phones").
var likeFollowers = wordSet(`i you it we they he she um uh so just really totally literally`)

// fillerCounts counts filler words and phrases in s, keyed by the filler as
// written in lower case ("um", "you know"). The rules are deliberately
// conservative so that meaning-bearing uses ("what kind of", "I like it",
// "do you know") are not counted.
func fillerCounts(s string) map[string]int {
	words := fillerTokens(s)
	out := map[string]int{}
	prev := func(i int) string {
		if i > 0 {
			return words[i-1]
		}
		return ""
	}
	next := func(i int) string {
		if i+1 < len(words) {
			return words[i+1]
		}
		return ""
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "uh" && (next(i) == "huh" || (next(i) == "-" && i+2 < len(words) && words[i+2] == "huh")):
			// "uh-huh" is a backchannel, not a filler.
			i++
		case fillerWords[w]:
			out[w]++
		case w == "like":
			afterComma := prev(i) == "," || prev(i) == ""
			if next(i) == "," || (afterComma && likeFollowers[next(i)]) {
				out["like"]++
			}
		case (w == "kind" || w == "sort") && next(i) == "of":
			if !determiners[prev(i)] {
				out[w+" of"]++
			}
			i++
		case w == "you" && next(i) == "know":
			if !knowBlockers[prev(i)] && next(i+1) != "what" && next(i+1) != "how" && next(i+1) != "that" {
				out["you know"]++
			}
			i++
		case w == "i" && next(i) == "mean":
			if prev(i) != "what" {
				out["i mean"]++
			}
			i++
		}
	}
	return out
}

// fillerTokens lowercases s into words, keeping commas and dashes as their
// own tokens because they decide whether "like" is a filler.
func fillerTokens(s string) []string {
	s = strings.ToLower(s)
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == ',' || r == '-' || r == ';' || r == '.' || r == '?' || r == '!':
			flush()
			if r == '.' || r == '?' || r == '!' || r == ';' {
				// A sentence boundary acts like a comma for "like".
				out = append(out, ",")
			} else {
				out = append(out, string(r))
			}
		case r == '\'' || r == '’' || isLetterOrDigit(r):
			if r == '\'' || r == '’' {
				// Contractions split as the sentiment tokenizer does ("don't" -> "don", "t").
				flush()
				continue
			}
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func isLetterOrDigit(r rune) bool {
	return ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r >= 0x80
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
