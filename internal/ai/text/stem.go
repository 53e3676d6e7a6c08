package text

// Stem reduces a lowercase English word to its Porter (1980) stem, the
// stemmer ROUGE-1.5.5 uses, so that "meetings", "meeting" and "meet" share a
// term. Words of one or two letters and words with non-ASCII letters are
// returned unchanged.
func Stem(word string) string {
	if len(word) <= 2 {
		return word
	}
	for i := 0; i < len(word); i++ {
		if word[i] < 'a' || word[i] > 'z' {
			return word
		}
	}
	s := &stemmer{b: []byte(word)}
	s.step1ab()
	s.step1c()
	s.step2()
	s.step3()
	s.step4()
	s.step5()
	return string(s.b)
}

// stemmer holds the word being stemmed; k is the offset where the suffix
// under test starts, set by ends.
type stemmer struct {
	b []byte
	k int
}

// cons reports whether b[i] is a consonant; 'y' is a consonant at the start
// or after a vowel.
func (s *stemmer) cons(i int) bool {
	switch s.b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !s.cons(i-1)
	}
	return true
}

// m counts the vowel-consonant sequences in b[:end], Porter's "measure".
func (s *stemmer) m(end int) int {
	n, i := 0, 0
	for i < end && s.cons(i) {
		i++
	}
	for i < end {
		for i < end && !s.cons(i) {
			i++
		}
		if i >= end {
			break
		}
		n++
		for i < end && s.cons(i) {
			i++
		}
	}
	return n
}

// vowelIn reports whether b[:end] contains a vowel.
func (s *stemmer) vowelIn(end int) bool {
	for i := 0; i < end; i++ {
		if !s.cons(i) {
			return true
		}
	}
	return false
}

// doubleCons reports whether b[j-1:j+1] is a double consonant.
func (s *stemmer) doubleCons(j int) bool {
	return j >= 1 && s.b[j] == s.b[j-1] && s.cons(j)
}

// cvc reports whether b[i-2:i+1] is consonant-vowel-consonant and the last
// consonant is not w, x or y (so "hop" -> "hope" but not "snow").
func (s *stemmer) cvc(i int) bool {
	if i < 2 || !s.cons(i) || s.cons(i-1) || !s.cons(i-2) {
		return false
	}
	switch s.b[i] {
	case 'w', 'x', 'y':
		return false
	}
	return true
}

// ends reports whether the word ends with suffix and sets k to where it starts.
func (s *stemmer) ends(suffix string) bool {
	n := len(suffix)
	if n > len(s.b) || string(s.b[len(s.b)-n:]) != suffix {
		return false
	}
	s.k = len(s.b) - n
	return true
}

// setTo replaces the suffix found by ends with repl.
func (s *stemmer) setTo(repl string) {
	s.b = append(s.b[:s.k], repl...)
}

// replaceIf replaces the suffix found by ends when the stem's measure is > 0.
func (s *stemmer) replaceIf(repl string) {
	if s.m(s.k) > 0 {
		s.setTo(repl)
	}
}

func (s *stemmer) step1ab() {
	if s.b[len(s.b)-1] == 's' {
		switch {
		case s.ends("sses"):
			s.setTo("ss")
		case s.ends("ies"):
			s.setTo("i")
		case s.ends("ss"):
		case s.ends("s"):
			s.setTo("")
		}
	}
	if s.ends("eed") {
		if s.m(s.k) > 0 {
			s.setTo("ee")
		}
		return
	}
	if !(s.ends("ed") || s.ends("ing")) || !s.vowelIn(s.k) {
		return
	}
	s.setTo("")
	switch {
	case s.ends("at"):
		s.setTo("ate")
	case s.ends("bl"):
		s.setTo("ble")
	case s.ends("iz"):
		s.setTo("ize")
	case s.doubleCons(len(s.b) - 1):
		switch s.b[len(s.b)-1] {
		case 'l', 's', 'z':
		default:
			s.b = s.b[:len(s.b)-1]
		}
	case s.m(len(s.b)) == 1 && s.cvc(len(s.b)-1):
		s.b = append(s.b, 'e')
	}
}

func (s *stemmer) step1c() {
	if s.ends("y") && s.vowelIn(s.k) {
		s.b[len(s.b)-1] = 'i'
	}
}

// step2 maps double suffixes to single ones: "-ization" -> "-ize".
func (s *stemmer) step2() {
	if len(s.b) < 3 {
		return
	}
	for _, r := range step2Rules[s.b[len(s.b)-2]] {
		if s.ends(r[0]) {
			s.replaceIf(r[1])
			return
		}
	}
}

var step2Rules = map[byte][][2]string{
	'a': {{"ational", "ate"}, {"tional", "tion"}},
	'c': {{"enci", "ence"}, {"anci", "ance"}},
	'e': {{"izer", "ize"}},
	'l': {{"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"}},
	'o': {{"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"}},
	's': {{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"}},
	't': {{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}},
	'g': {{"logi", "log"}},
}

// step3 handles -ic-, -full, -ness and similar.
func (s *stemmer) step3() {
	for _, r := range step3Rules {
		if s.ends(r[0]) {
			s.replaceIf(r[1])
			return
		}
	}
}

var step3Rules = [][2]string{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	{"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

// step4 removes -ant, -ence and similar when the measure of the stem is > 1.
func (s *stemmer) step4() {
	for _, suf := range step4Suffixes {
		if !s.ends(suf) {
			continue
		}
		if suf == "ion" && (s.k == 0 || (s.b[s.k-1] != 's' && s.b[s.k-1] != 't')) {
			return
		}
		if s.m(s.k) > 1 {
			s.setTo("")
		}
		return
	}
}

var step4Suffixes = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment",
	"ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
}

// step5 removes a final -e and reduces -ll to -l when the measure allows.
func (s *stemmer) step5() {
	n := len(s.b)
	if s.b[n-1] == 'e' {
		m := s.m(n - 1)
		if m > 1 || (m == 1 && !s.cvc(n-2)) {
			s.b = s.b[:n-1]
		}
	}
	n = len(s.b)
	if s.b[n-1] == 'l' && s.doubleCons(n-1) && s.m(n) > 1 {
		s.b = s.b[:n-1]
	}
}
