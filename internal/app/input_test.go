package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// rawCall sends a request as given, bytes and all, and returns the status
// and the decoded JSON body; the test fails if the body is not JSON.
func rawCall(t *testing.T, e *env, method, path, contentType, bearer string, body []byte, headers ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), "%s %s answered %d with a non-JSON body %q", method, path, resp.StatusCode, b)
	return resp.StatusCode, out
}

// errorCode reads the code of any surface's error body.
func errorCode(body map[string]any) string {
	if e, ok := body["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	s, _ := body["code"].(string)
	return s
}

func cloudToken(t *testing.T, e *env, f fixture, user string) string {
	t.Helper()
	tok, err := e.client().CreateCloudToken(context.Background(), f.cloudKey, user)
	require.NoError(t, err)
	return tok.CloudToken
}

// TestInputEncoding: NUL characters and invalid UTF-8 answer 400
// invalid_encoding wherever they arrive, on both databases (PostgreSQL
// answered 500 before, since it cannot store them).
func TestInputEncoding(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("enc@example.com")
		token := cloudToken(t, e, f, "enc@example.com")
		c := e.client(client.WithBearer(token))

		cases := []struct {
			name, method, path, contentType string
			auth                            bool
			body                            string
			headers                         []string
		}{
			{name: "NUL in a path parameter, no credentials", method: "GET", path: "/v1/partner/info/%00/public"},
			{name: "invalid UTF-8 in a path parameter", method: "GET", path: "/v1/partner/info/%FF%FE/public"},
			{name: "NUL in a query parameter", method: "GET", path: "/oauth2/authorize?client_id=%00&response_type=code"},
			{name: "NUL in a cloud path", method: "GET", path: "/cloud/v1/meetings/%00", auth: true},
			{name: "escaped NUL in a JSON string", method: "POST", path: "/cloud/v1/meetings", auth: true,
				contentType: "application/json", body: `{"title":"a\u0000b","segments":[{"speaker":"A","text":"hello there"}]}`},
			{name: "escaped NUL in a JSON key", method: "POST", path: "/cloud/v1/meetings", auth: true,
				contentType: "application/json", body: `{"title":"ok","x\u0000":1}`},
			{name: "invalid UTF-8 in a JSON string", method: "POST", path: "/cloud/v1/meetings", auth: true,
				contentType: "application/json; charset=utf-8", body: "{\"title\":\"caf\xe9\"}"},
			{name: "NUL in a form body", method: "POST", path: "/oauth2/token",
				contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&client_id=%00"},
			{name: "invalid UTF-8 in Idempotency-Key", method: "POST", path: "/cloud/v1/meetings", auth: true,
				contentType: "application/json", body: `{"title":"ok"}`, headers: []string{"Idempotency-Key", "k\xff"}},
			{name: "invalid UTF-8 in X-Client-Timezone", method: "GET", path: "/cloud/v1/meetings/x", auth: true,
				headers: []string{"X-Client-Timezone", "Europe/\xff"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				bearer := ""
				if tc.auth {
					bearer = token
				}
				status, body := rawCall(t, e, tc.method, tc.path, tc.contentType, bearer, []byte(tc.body), tc.headers...)
				require.Equal(t, http.StatusBadRequest, status, "body %v", body)
				require.Equal(t, "invalid_encoding", errorCode(body), "body %v", body)
			})
		}

		// The Go client escapes a NUL in a string as \u0000.
		_, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Budget\x00review",
			Segments: []client.Segment{{Speaker: "Ann", Text: "We ship on Friday."}}})
		apiErr(t, err, http.StatusBadRequest, "invalid_encoding")

		// A backslash followed by "u0000" is text, not a NUL.
		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: `C:\u0000 and "quotes"`,
			Segments: []client.Segment{{Speaker: "Ann", Text: `We ship on Friday \u0000.`}}})
		require.NoError(t, err)
		require.Equal(t, `C:\u0000 and "quotes"`, m.Title)

		// Transcript files are not JSON: their parsers treat control
		// characters, NUL included, as spaces, and refuse invalid UTF-8
		// naming the line; a JSON file is checked like any JSON body.
		vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann>We ship\x00on Friday.\n"
		_, err = c.UploadTranscript(ctx, m.ID, "text/vtt", []byte(vtt))
		require.NoError(t, err)
		_, err = c.UploadTranscript(ctx, m.ID, "text/plain", []byte("Ann: caf\xe9 au lait\n"))
		apiErr(t, err, http.StatusBadRequest, "malformed_transcript")
		_, err = c.UploadTranscript(ctx, m.ID, "application/json", []byte(`[{"speaker":"Ann","text":"a\u0000b"}]`))
		apiErr(t, err, http.StatusBadRequest, "invalid_encoding")
		got, err := c.Meeting(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 1, got.SegmentCount)
		var text string
		require.NoError(t, e.app.DB.R.QueryRowContext(ctx, e.app.DB.Rebind(`SELECT t.text FROM transcript_segments t
			JOIN meetings m ON m.id = t.meeting_id WHERE m.uuid = ?`), m.ID).Scan(&text))
		require.Equal(t, "We ship on Friday.", text, "the NUL became a space; the rejected uploads changed nothing")
	})
}

// TestHugeNumbers: numbers that overflowed the analyses (and made them
// answer 200 with a non-JSON body) are refused with 400.
func TestHugeNumbers(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("num@example.com")
		c := cloudClient(t, e, f, "num@example.com")
		huge := []map[string]any{
			{"speaker": "Rep", "text": "What budget do you have for this?", "start": 0, "end": 1e308},
			{"speaker": "Prospect", "text": "About fifty thousand dollars.", "start": 1e308, "end": 1e308},
		}
		for _, kind := range []string{"session", "sales-call", "interview", "coaching"} {
			err := c.Analyze(ctx, kind, map[string]any{"transcript": huge}, &map[string]any{})
			apiErr(t, err, http.StatusBadRequest, "validation_error")
		}
		sane := []map[string]any{
			{"speaker": "Rep", "text": "What budget do you have for this?", "start": 0, "end": 2},
			{"speaker": "Prospect", "text": "About fifty thousand dollars.", "start": 2, "end": 1e7},
		}
		err := c.Analyze(ctx, "custom", map[string]any{"transcript": sane, "rubric": map[string]any{
			"name": "r", "criteria": []map[string]any{{"key": "budget", "description": "asks about budget", "weight": 1e308}},
		}}, &map[string]any{})
		apiErr(t, err, http.StatusBadRequest, "validation_error")

		// The largest allowed values work and give finite figures.
		var report map[string]any
		require.NoError(t, c.Analyze(ctx, "session", map[string]any{"transcript": sane}, &report))
		require.NoError(t, c.Analyze(ctx, "custom", map[string]any{"transcript": sane, "rubric": map[string]any{
			"name": "r", "criteria": []map[string]any{{"key": "budget", "description": "asks about budget", "weight": 1000}},
		}}, &report))

		_, err = c.ImportMeeting(ctx, client.NewMeeting{Title: "Long", Segments: []client.Segment{
			{Speaker: "Ann", Text: "We ship on Friday.", Start: 0, End: 1e308},
		}})
		apiErr(t, err, http.StatusBadRequest, "validation_error")
	})
}

// largeTranscript is n turns of varied talk: enough work that no engine
// finishes it within a millisecond.
func largeTranscript(n int) []client.Segment {
	speakers := []string{"Ann", "Bob", "Cy"}
	segs := make([]client.Segment, n)
	for i := range segs {
		segs[i] = client.Segment{Speaker: speakers[i%3], Start: float64(i), End: float64(i) + 1,
			Text: fmt.Sprintf("I will review item %d of the budget with topic%d and topic%d by Friday.", i, i%97, i%89)}
	}
	return segs
}

// TestAITimeout: past QUORUM_AI_TIMEOUT a synchronous AI request answers
// 503 timeout with Retry-After. With no workers the summary job never
// runs, so the summary must be computed on request.
func TestAITimeout(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("slow@example.com")
		c := cloudClient(t, e, f, "slow@example.com")
		segs := largeTranscript(5000)
		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Long review", Segments: segs})
		require.NoError(t, err)

		_, err = c.MeetingSummary(ctx, m.ID)
		ce := apiErr(t, err, http.StatusServiceUnavailable, "timeout")
		require.NotEmpty(t, ce.RetryAfter)

		_, err = c.Ask(ctx, client.AskRequest{Question: "What about the budget on Friday?", MeetingIDs: []string{m.ID}})
		ce = apiErr(t, err, http.StatusServiceUnavailable, "timeout")
		require.NotEmpty(t, ce.RetryAfter)

		_, err = c.Summarize(ctx, segs, 0)
		apiErr(t, err, http.StatusServiceUnavailable, "timeout")

		_, err = c.AskAgent(ctx, m.ID, "What did they say about the budget?")
		apiErr(t, err, http.StatusServiceUnavailable, "timeout")
	}, "--ai-timeout", "1ms", "--workers", "0")
}

// TestSummaryComputedOnImport: the import's background job stores the
// summary of each transcript version, without anyone asking for it.
func TestSummaryComputedOnImport(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("sum@example.com")
		c := cloudClient(t, e, f, "sum@example.com")
		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Launch", Segments: largeTranscript(200)})
		require.NoError(t, err)
		waitForSummary(t, e, m.ID, 1)

		_, err = c.UploadTranscript(ctx, m.ID, "text/plain", []byte("Ann: We decided to launch the remote control in yellow.\nBob: I will book the venue by Friday.\n"))
		require.NoError(t, err)
		body := waitForSummary(t, e, m.ID, 2)
		require.Contains(t, body, "venue")

		// The request reads the stored summary.
		sum, err := c.MeetingSummary(ctx, m.ID)
		require.NoError(t, err)
		require.Contains(t, sum.SummaryText+strings.Join(sum.Keywords, " ")+fmt.Sprint(sum.ActionItems), "venue")
	})
}

// waitForSummary polls the database until the summary of the meeting's
// given transcript version is stored, and returns its body.
func waitForSummary(t *testing.T, e *env, meetingUUID string, version int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body string
		err := e.app.DB.R.QueryRowContext(context.Background(), e.app.DB.Rebind(`SELECT s.body FROM meeting_summaries s
			JOIN meetings m ON m.id = s.meeting_id WHERE m.uuid = ? AND s.transcript_version = ?`), meetingUUID, version).Scan(&body)
		if err == nil {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stored summary of version %d before the deadline (last error: %v)", version, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
