package text

import "strings"

// IsStopword reports whether the lowercase token w carries too little meaning
// to index or score: English function words, contraction fragments
// ("don't" tokenizes to "don" and "t") and spoken fillers.
func IsStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

var stopwords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(stopwordList) {
		m[w] = struct{}{}
	}
	return m
}()

const stopwordList = `
a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during
each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other ought our ours ourselves out over own
same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours
yourself yourselves also may might must shall us let lets
s t d ll m re ve don doesn didn isn aren wasn weren haven hasn hadn won wouldn
shouldn couldn can cannot ain
um uh umm uhm hmm mm mmm hm huh ah oh eh er erm yeah yep yes ok okay
gonna wanna gotta
disfmarker vocalsound nonvocalsound pause gap comment
`
