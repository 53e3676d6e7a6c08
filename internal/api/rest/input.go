package rest

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxCheckedBody is the most of a request body ValidEncoding reads. It is
// the largest body any operation accepts (a transcript upload); a longer
// body is passed on unchecked for the operation's own limit to refuse.
const MaxCheckedBody = 16 << 20

// dataHeaders are the request headers whose values reach the database or
// the domain as data.
var dataHeaders = []string{"Authorization", "X-API-Key", "X-Client-ID", "Idempotency-Key", "X-Client-Timezone"}

// ValidEncoding answers 400 invalid_encoding to a request whose path,
// query, data headers, or JSON or form body hold invalid UTF-8 or a NUL
// character (in JSON, raw or escaped as \u0000). PostgreSQL cannot store
// either in TEXT and fails the query; SQLite stores them. Refusing them at
// the edge gives both databases the same answer and keeps such bytes out
// of every lookup. Other bodies (transcript files) are checked by the
// domain after parsing.
func ValidEncoding(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if where := badEncoding(r); where != "" {
			NewError(r.Context(), http.StatusBadRequest, "invalid_encoding",
				"the "+where+" must be UTF-8 text without NUL characters", nil).Write(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badEncoding names the part of r with invalid text, or returns "". It
// leaves r's body readable from the start.
func badEncoding(r *http.Request) string {
	if !validText(r.URL.Path) {
		return "path"
	}
	if q, _ := url.ParseQuery(r.URL.RawQuery); !validValues(q) {
		return "query string"
	}
	for _, h := range dataHeaders {
		for _, v := range r.Header.Values(h) {
			if !validText(v) {
				return h + " header"
			}
		}
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := media == "application/json" || strings.HasSuffix(media, "+json")
	isForm := media == "application/x-www-form-urlencoded"
	if r.Body == nil || r.Body == http.NoBody || !(isJSON || isForm) || r.ContentLength > MaxCheckedBody {
		return ""
	}
	body, complete := peekBody(r)
	if !complete {
		return ""
	}
	switch {
	case isJSON && !validJSONText(body):
		return "JSON body"
	case isForm && !validForm(body):
		return "form body"
	}
	return ""
}

// peekBody reads up to MaxCheckedBody bytes of r's body and puts them back
// in front of the rest. complete is false when the body is longer.
func peekBody(r *http.Request) (body []byte, complete bool) {
	buf, err := io.ReadAll(io.LimitReader(r.Body, MaxCheckedBody+1))
	rest := r.Body
	r.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: rest}
	// A read error surfaces again when the operation reads the body.
	return buf, err == nil && len(buf) <= MaxCheckedBody
}

type readCloser struct {
	io.Reader
	io.Closer
}

func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func validValues(v url.Values) bool {
	for k, vs := range v {
		if !validText(k) {
			return false
		}
		for _, s := range vs {
			if !validText(s) {
				return false
			}
		}
	}
	return true
}

func validForm(body []byte) bool {
	v, _ := url.ParseQuery(string(body))
	return validValues(v)
}

// validJSONText reports whether a JSON document is UTF-8 without NUL
// bytes and without a \u0000 escape in any string. It does not validate
// the JSON itself; the decoder does that next.
func validJSONText(b []byte) bool {
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return true
	}
	// Only an escape inside a string decodes to NUL; "\\u0000" is a
	// backslash followed by text.
	inString := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(b):
			if b[i+1] == 'u' && i+5 < len(b) && string(b[i+2:i+6]) == "0000" {
				return false
			}
			i++ // skip the escaped character
		}
	}
	return true
}
