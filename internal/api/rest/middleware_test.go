package rest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPanicsBecomeOpaque500s(t *testing.T) {
	var logs bytes.Buffer
	h := Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("database password is hunter2")
	}), RequestIDs, AccessLog(slog.New(slog.NewTextHandler(&logs, nil))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/partner/user/profile", nil))

	require.Equal(t, 500, rec.Code)
	require.NotContains(t, rec.Body.String(), "hunter2")
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, "internal_error", body["code"])
	require.Equal(t, rec.Header().Get("X-Request-Id"), body["request_id"])
	require.Contains(t, logs.String(), "hunter2", "the log keeps the detail")
}

func TestEmptyJSONBodyAndCleanPath(t *testing.T) {
	var gotPath, gotBody string
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotPath, gotBody = r.URL.Path, string(b)
	}), CleanPath, EmptyJSONBody)
	req := httptest.NewRequest("POST", "//v1//partner/x", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	require.Equal(t, "/v1/partner/x", gotPath)
	require.Equal(t, "{}", gotBody)
}

func TestParseTimezone(t *testing.T) {
	tests := map[string]string{
		"":                 "UTC",
		"America/New_York": "America/New_York",
		"EST":              "America/New_York",
		"pst":              "America/Los_Angeles",
		"Not/AZone":        "UTC",
		"../../etc/passwd": "UTC",
	}
	for in, want := range tests {
		require.Equal(t, want, ParseTimezone(in).String(), in)
	}
}
