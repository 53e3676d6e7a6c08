package rest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidJSONText(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"a":"plain"}`, true},
		{`{"a":"\\u0000 is text after an escaped backslash"}`, true},
		{`{"a":"say \"\\u0000\""}`, true},
		{`{"a":"\u0000"}`, false},
		{`{"a":"x\"\u0000"}`, false},
		{`{"a\u0000":1}`, false},
		{`{"a":"\\\u0000"}`, false},
		{"{\"a\":\"\x00\"}", false},
		{"{\"a\":\"\xff\"}", false},
		{`{"a":"\u00e9"}`, true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, validJSONText([]byte(tt.body)), tt.body)
	}
}

// TestValidEncodingKeepsTheBody: a checked body reaches the handler whole,
// and a body past MaxCheckedBody is passed on unchecked for the operation
// to refuse.
func TestValidEncodingKeepsTheBody(t *testing.T) {
	var got int
	h := ValidEncoding(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = len(b)
	}))
	for _, n := range []int{10, MaxCheckedBody + 100} {
		body := `{"a":"` + strings.Repeat("x", n) + `"}`
		req := httptest.NewRequest(http.MethodPost, "/cloud/v1/meetings", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1 // as when chunked: the length is learnt by reading
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, len(body), got)
	}
}
