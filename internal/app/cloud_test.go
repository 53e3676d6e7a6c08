package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// qmsumMeeting loads the first meeting of the QMSum validation split, real
// meeting talk with human-written questions.
type goldQuery struct {
	query string
	span  [2]int
}

func qmsumMeeting(t *testing.T) (segs []client.Segment, queries []goldQuery) {
	t.Helper()
	f, err := os.Open("../../../shared/data/qmsum/val.jsonl")
	if err != nil {
		t.Skipf("QMSum data not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 16<<20), 16<<20)
	require.True(t, sc.Scan())
	var m struct {
		Transcript []struct{ Speaker, Content string } `json:"meeting_transcripts"`
		Specific   []struct {
			Query string     `json:"query"`
			Spans [][]string `json:"relevant_text_span"`
		} `json:"specific_query_list"`
	}
	require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
	for _, s := range m.Transcript {
		segs = append(segs, client.Segment{Speaker: s.Speaker, Text: s.Content})
	}
	for _, q := range m.Specific {
		a, err := strconv.Atoi(q.Spans[0][0])
		require.NoError(t, err)
		b, err := strconv.Atoi(q.Spans[0][1])
		require.NoError(t, err)
		queries = append(queries, goldQuery{q.Query, [2]int{a, b}})
	}
	return segs, queries
}

func cloudClient(t *testing.T, e *env, f fixture, user string) *client.Client {
	t.Helper()
	tok, err := e.client().CreateCloudToken(context.Background(), f.cloudKey, user)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok.CloudToken, "ct_"))
	require.WithinDuration(t, time.Now().Add(24*time.Hour), tok.ExpiresAt, time.Minute)
	return e.client(client.WithBearer(tok.CloudToken))
}

// waitForHits polls a search until the indexing job has run.
func waitForHits(t *testing.T, c *client.Client, source string, r client.SearchRequest) []client.Hit {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		hits, err := c.Search(context.Background(), source, r)
		require.NoError(t, err)
		if len(hits) > 0 {
			return hits
		}
		if time.Now().After(deadline) {
			t.Fatalf("no hits for %q before the deadline", r.Query)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCloudMeetingsSearchAndAsk(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ops@example.com")
		c := cloudClient(t, e, f, "ops@example.com")
		segs, queries := qmsumMeeting(t)
		query := queries[0].query

		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Meeting Recorder", Segments: segs, RoomName: "icsi"})
		require.NoError(t, err)
		require.Equal(t, len(segs), m.SegmentCount)

		waitForHits(t, c, "transcriptions", client.SearchRequest{Query: query, MeetingIDs: []string{m.ID}})
		// Most of the human-written questions find their gold evidence
		// turns in the top 10.
		found := 0
		for _, q := range queries {
			hits, err := c.Search(ctx, "transcriptions", client.SearchRequest{Query: q.query, MeetingIDs: []string{m.ID}, Limit: 10})
			require.NoError(t, err)
			require.NotEmpty(t, hits)
			require.LessOrEqual(t, len(hits), 10)
			hit := false
			for _, h := range hits {
				require.Equal(t, m.ID, h.MeetingID)
				require.Equal(t, "transcript", h.Source)
				require.LessOrEqual(t, h.SegmentStart, h.SegmentEnd)
				require.Less(t, h.SegmentEnd, len(segs))
				require.NotEmpty(t, h.Text)
				require.NotEmpty(t, h.Speaker)
				hit = hit || h.SegmentEnd >= q.span[0] && h.SegmentStart <= q.span[1]
			}
			if hit {
				found++
			}
		}
		require.GreaterOrEqual(t, 2*found, len(queries), "only %d of %d queries found their evidence", found, len(queries))

		ans, err := c.Ask(ctx, client.AskRequest{Question: query, MeetingIDs: []string{m.ID}})
		require.NoError(t, err)
		require.Equal(t, "quorum-offline", ans.Model)
		require.NotEmpty(t, ans.Sources)
		// Every sentence ends with citations that point into Sources.
		marker := regexp.MustCompile(`\[(\d+)\]`)
		for _, sent := range regexp.MustCompile(`[^\]]*\]`).FindAllString(ans.Answer, -1) {
			for _, mm := range marker.FindAllStringSubmatch(sent, -1) {
				n, _ := strconv.Atoi(mm[1])
				require.True(t, n >= 1 && n <= len(ans.Sources), "citation %d of %d sources", n, len(ans.Sources))
			}
		}
		require.Regexp(t, `\[\d+\]$`, ans.Answer)

		sum, err := c.MeetingSummary(ctx, m.ID)
		require.NoError(t, err)
		require.NotEmpty(t, sum.Summary)
		require.NotEmpty(t, sum.Keywords)

		content, err := c.Query(ctx, query, "icsi")
		require.NoError(t, err)
		require.NotEqual(t, "", content)

		doc, err := c.AddDocument(ctx, "Recording plan", "The far-field microphones will be replaced with wireless lapel microphones next quarter.", m.ID)
		require.NoError(t, err)
		dh := waitForHits(t, c, "documents", client.SearchRequest{Query: "lapel microphones"})
		require.Equal(t, doc.ID, dh[0].DocumentID)
		require.Equal(t, m.ID, dh[0].MeetingID)

		// Another organization sees none of it.
		other := e.fixture("rival@example.com")
		oc := cloudClient(t, e, other, "rival@example.com")
		_, err = oc.Meeting(ctx, m.ID)
		apiErr(t, err, 404, "not_found")
		_, err = oc.Search(ctx, "", client.SearchRequest{Query: query, MeetingIDs: []string{m.ID}})
		apiErr(t, err, 404, "not_found")
		_, err = oc.MeetingSummary(ctx, m.ID)
		apiErr(t, err, 404, "not_found")
		hits, err := oc.Search(ctx, "", client.SearchRequest{Query: query})
		require.NoError(t, err)
		require.Empty(t, hits)
	})
}

func TestCloudListMeetings(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := cloudClient(t, e, e.fixture("lister@example.com"), "lister@example.com")
		want := map[string]bool{}
		for i := range 5 {
			m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: fmt.Sprintf("Meeting %d", i)})
			require.NoError(t, err)
			want[m.ID] = true
		}
		p, err := c.ListMeetings(ctx, 2, "")
		require.NoError(t, err)
		require.Len(t, p.Meetings, 2)
		require.Equal(t, "Meeting 4", p.Meetings[0].Title, "newest first")
		require.NotEmpty(t, p.NextCursor)
		got := map[string]bool{}
		for m, err := range c.AllMeetings(ctx) {
			require.NoError(t, err)
			require.False(t, got[m.ID], "each meeting once")
			got[m.ID] = true
		}
		require.Equal(t, want, got)

		_, err = c.ListMeetings(ctx, 101, "")
		apiErr(t, err, 400, "validation_error")
		_, err = c.ListMeetings(ctx, 0, "garbage")
		apiErr(t, err, 400, "invalid_cursor")
	})
}

func TestCloudTranscriptUpload(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("up@example.com")
		c := cloudClient(t, e, f, "up@example.com")
		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Standup"})
		require.NoError(t, err)
		require.Equal(t, 0, m.SegmentCount)

		vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Alice>We ship the beta on Friday.</v>\n\n00:00:04.500 --> 00:00:07.000\n<v Bob>I will write the release notes by Thursday.</v>\n"
		m, err = c.UploadTranscript(ctx, m.ID, "text/vtt", []byte(vtt))
		require.NoError(t, err)
		require.Equal(t, 2, m.SegmentCount)
		srt := "1\n00:00:01,000 --> 00:00:02,000\nCarol: Hello there.\n"
		m, err = c.UploadTranscript(ctx, m.ID, "application/x-subrip", []byte(srt))
		require.NoError(t, err)
		require.Equal(t, 1, m.SegmentCount)
		m, err = c.UploadTranscript(ctx, m.ID, "application/json", []byte(`[{"speaker":"Dan","text":"One."},{"speaker":"Eve","text":"Two."}]`))
		require.NoError(t, err)
		require.Equal(t, 2, m.SegmentCount)

		_, err = c.UploadTranscript(ctx, m.ID, "text/vtt", []byte("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n"))
		apiErr(t, err, 400, "malformed_transcript")
		_, err = c.UploadTranscript(ctx, m.ID, "text/plain", []byte("   \n"))
		apiErr(t, err, 400, "empty_transcript")
		_, err = c.UploadTranscript(ctx, m.ID, "text/plain", []byte(strings.Repeat("Alice: words words words\n", 17<<20/25)))
		apiErr(t, err, 413, "payload_too_large")
		_, err = c.UploadTranscript(ctx, "00000000-0000-0000-0000-000000000000", "text/plain", []byte("Alice: hi"))
		apiErr(t, err, 404, "not_found")
	})
}

func TestCloudAIAndLiveContext(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ai@example.com")
		c := cloudClient(t, e, f, "ai@example.com")

		transcript := "Alice: Bob, can you send the budget report by Friday?\nBob: Sure, I will send it by Friday.\nAlice: We decided to move the launch to March."
		items, err := c.ActionItems(ctx, transcript)
		require.NoError(t, err)
		require.NotEmpty(t, items)
		require.Contains(t, strings.ToLower(items[0].Text), "report")
		require.Equal(t, "Friday", strings.TrimPrefix(items[0].Due, "by "))
		sum, err := c.Summarize(ctx, []client.Segment{{Speaker: "Alice", Text: "We reviewed the roadmap and agreed to hire two engineers."}}, 50)
		require.NoError(t, err)
		require.Contains(t, sum, "engineers")

		_, err = c.ActionItems(ctx, "")
		apiErr(t, err, 400, "empty_transcript")
		_, err = c.Search(ctx, "", client.SearchRequest{Query: "  "})
		apiErr(t, err, 400, "validation_error")
		_, err = c.Search(ctx, "", client.SearchRequest{Query: "x", Limit: 1000})
		apiErr(t, err, 400, "validation_error")
		_, err = c.Ask(ctx, client.AskRequest{Question: ""})
		apiErr(t, err, 400, "validation_error")

		conf := 0.9
		n, err := c.PushMood(ctx, "resp-1", []client.MoodSample{
			{ParticipantID: "ann", Mood: "happy", Sentiment: 0.8, Confidence: &conf, Timestamp: time.Now()},
			{ParticipantID: "ben", Mood: "frustrated", Sentiment: -0.6, Timestamp: time.Now()},
		})
		require.NoError(t, err)
		require.Equal(t, 2, n)
		a, err := c.QueryResponse(ctx, "resp-1", "", "attention")
		require.NoError(t, err)
		require.Contains(t, a.Content, "ben")
		require.NotContains(t, a.Content, "ann")
		require.Equal(t, "resp-1", a.ResponseID)
		_, err = c.QueryResponse(ctx, "resp-unknown", "", "")
		apiErr(t, err, 404, "not_found")
		_, err = c.QueryResponse(ctx, "resp-1", "", "no-such-prompt")
		apiErr(t, err, 400, "unknown_prompt_key")
		_, err = c.PushMood(ctx, "resp-1", []client.MoodSample{{ParticipantID: "ann", Mood: "happy", Sentiment: 3}})
		apiErr(t, err, 400, "validation_error")
	})
}

func TestCloudAuth(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db")
	f := e.fixture("auth@example.com")
	ctx := context.Background()
	_, err := e.client().CreateCloudToken(ctx, "sk_live_wrong", "a@example.com")
	ce := apiErr(t, err, 401, "unauthorized")
	require.NotNil(t, ce.Body["error"], "cloud errors are {error:{code,message}}")
	_, err = e.client().CreateCloudToken(ctx, f.apiKey, "a@example.com")
	apiErr(t, err, 401, "unauthorized") // the admin key is not a cloud key
	_, err = e.client().CreateCloudToken(ctx, f.cloudKey, "")
	apiErr(t, err, 400, "validation_error")
	_, err = e.client(client.WithBearer("ct_forged")).Search(ctx, "", client.SearchRequest{Query: "x"})
	apiErr(t, err, 401, "unauthorized")
}

func TestCloudAnalysis(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("coach@example.com")
		c := cloudClient(t, e, f, "coach@example.com")
		call := []client.Segment{
			{Speaker: "Dana", Text: "Thanks for joining. What problems are you trying to solve with call recording today?", Start: 0, End: 6},
			{Speaker: "Lee", Text: "Honestly our current tool is too expensive and the transcripts are poor.", Start: 6, End: 12},
			{Speaker: "Dana", Text: "Understood. Our pricing starts at ten dollars per seat.", Start: 12, End: 16},
			{Speaker: "Lee", Text: "How much would it cost for fifty seats, and when can we start a trial?", Start: 16, End: 21},
			{Speaker: "Dana", Text: "I will send you a quote by Friday and set up the trial.", Start: 21, End: 25},
		}

		var rubric struct {
			Scores []struct {
				Key      string  `json:"key"`
				Score    float64 `json:"score"`
				Evidence []struct {
					SegmentIndex int    `json:"segmentIndex"`
					Text         string `json:"text"`
				} `json:"evidence"`
			} `json:"scores"`
			Overall float64 `json:"overall"`
		}
		err := c.Analyze(ctx, "custom", map[string]any{"transcript": call, "rubric": map[string]any{"name": "Discovery",
			"criteria": []map[string]any{{"key": "pricing", "description": "explains pricing per seat", "weight": 2}, {"key": "asks", "description": "asks about the customer's problems"}}}}, &rubric)
		require.NoError(t, err)
		require.Len(t, rubric.Scores, 2)
		require.Equal(t, 2, rubric.Scores[0].Evidence[0].SegmentIndex)
		require.Greater(t, rubric.Overall, 0.0)

		err = c.Analyze(ctx, "custom", map[string]any{"transcript": call, "rubric": map[string]any{"name": "Empty", "criteria": []any{}}}, &rubric)
		apiErr(t, err, 400, "validation_error")

		var sales struct {
			Analysis struct {
				Rep        string `json:"rep"`
				Objections []struct {
					SegmentIndex int `json:"segmentIndex"`
				} `json:"objections"`
			} `json:"analysis"`
		}
		require.NoError(t, c.Analyze(ctx, "sales-call", map[string]any{"transcript": call}, &sales))
		require.Equal(t, "Dana", sales.Analysis.Rep)
		require.NotEmpty(t, sales.Analysis.Objections)
		require.Equal(t, 1, sales.Analysis.Objections[0].SegmentIndex)

		var session struct {
			Analysis struct {
				Speakers []struct {
					Speaker   string  `json:"speaker"`
					TalkShare float64 `json:"talkShare"`
				} `json:"speakers"`
			} `json:"analysis"`
		}
		require.NoError(t, c.Analyze(ctx, "session", map[string]any{"transcript": call}, &session))
		var share float64
		for _, s := range session.Analysis.Speakers {
			share += s.TalkShare
		}
		require.InDelta(t, 1.0, share, 1e-9)

		var coaching struct {
			Moments []map[string]any `json:"moments"`
		}
		require.NoError(t, c.Analyze(ctx, "coaching", map[string]any{"transcript": "Ann: I think, um, basically we, uh, you know, sort of need to, um, like, decide."}, &coaching))
		require.NotNil(t, coaching.Moments)
		var interview map[string]any
		require.NoError(t, c.Analyze(ctx, "interview", map[string]any{"transcript": call, "context": "backend engineer"}, &interview))
		require.Contains(t, interview, "analysis")
		err = c.Analyze(ctx, "interview", map[string]any{"transcript": []client.Segment{}}, &interview)
		apiErr(t, err, 400, "empty_transcript")
	})
}

func TestCloudAgentOffline(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("agent@example.com")
		c := cloudClient(t, e, f, "agent@example.com")
		start := time.Date(2026, 11, 16, 15, 0, 0, 0, time.UTC) // a Monday
		m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Launch sync", StartTime: &start, Segments: []client.Segment{
			{Speaker: "Ann", Text: "The launch moves to March because the billing migration is late."},
			{Speaker: "Raj", Text: "I will finish the billing migration by Friday."},
			{Speaker: "Ann", Text: "Great, then marketing can start the campaign in February."},
		}})
		require.NoError(t, err)
		waitForHits(t, c, "", client.SearchRequest{Query: "billing", MeetingIDs: []string{m.ID}})

		run, err := c.AskAgent(ctx, m.ID, "Why did the launch move?")
		require.NoError(t, err)
		require.Contains(t, run.Reply, "billing migration")
		require.Equal(t, "search_meeting", run.ToolCalls[0].Name)
		require.Equal(t, "success", run.ToolCalls[0].Status)

		run, err = c.AskAgent(ctx, m.ID, "Add an action item for Raj to send the migration report by Friday")
		require.NoError(t, err)
		require.Len(t, run.ToolCalls, 1)
		require.Equal(t, "create_action_item", run.ToolCalls[0].Name)
		items, err := c.MeetingActionItems(ctx, m.ID)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, "Raj", items[0].Owner)
		require.Equal(t, "2026-11-20", items[0].DueDate)
		require.Equal(t, "agent", items[0].Source)
		require.Contains(t, items[0].Title, "migration report")

		// Every exchange is recorded with its tool calls.
		got, err := c.AgentRun(ctx, m.ID, run.ID)
		require.NoError(t, err)
		require.Equal(t, run.Reply, got.Reply)
		require.Equal(t, "create_action_item", got.ToolCalls[0].Name)
		require.JSONEq(t, string(run.ToolCalls[0].Arguments), string(got.ToolCalls[0].Arguments))

		run, err = c.AskAgent(ctx, m.ID, "What are the action items?")
		require.NoError(t, err)
		require.Contains(t, run.Reply, "migration report")

		_, err = c.AskAgent(ctx, m.ID, "")
		apiErr(t, err, 400, "validation_error")
		other := cloudClient(t, e, e.fixture("spy@example.com"), "spy@example.com")
		_, err = other.AskAgent(ctx, m.ID, "Why did the launch move?")
		apiErr(t, err, 404, "not_found")
		_, err = other.AgentRun(ctx, m.ID, run.ID)
		apiErr(t, err, 404, "not_found")
	})
}

func TestCloudIdempotentImport(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db")
	f := e.fixture("retry@example.com")
	c := cloudClient(t, e, f, "retry@example.com").With(client.WithHeader("Idempotency-Key", "import-42"))
	ctx := context.Background()
	big := make([]client.Segment, 20000) // a body far over the 1 MiB JSON default
	for i := range big {
		big[i] = client.Segment{Speaker: "Ann", Text: "A long meeting keeps going with many more words to say."}
	}
	first, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Retry me", Segments: big})
	require.NoError(t, err)
	require.Equal(t, len(big), first.SegmentCount)
	again, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Retry me", Segments: big})
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID, "a retried import must not create a second meeting")
}

func TestCloudLimits(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db")
	f := e.fixture("limits@example.com")
	c := cloudClient(t, e, f, "limits@example.com")
	ctx := context.Background()
	m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Limits", Segments: []client.Segment{{Speaker: "A", Text: "Hello."}}})
	require.NoError(t, err)
	long := strings.Repeat("why ", 501) // 2004 characters

	_, err = c.Search(ctx, "", client.SearchRequest{Query: long})
	apiErr(t, err, 400, "validation_error")
	_, err = c.Ask(ctx, client.AskRequest{Question: long})
	apiErr(t, err, 400, "validation_error")
	_, err = c.AskAgent(ctx, m.ID, strings.Repeat("x", 4001))
	apiErr(t, err, 400, "validation_error")
	_, err = c.Search(ctx, "", client.SearchRequest{Query: "x", MeetingIDs: make([]string, 101)})
	apiErr(t, err, 400, "validation_error")
	samples := make([]client.MoodSample, 1001)
	for i := range samples {
		samples[i] = client.MoodSample{ParticipantID: "p", Mood: "ok", Sentiment: 0}
	}
	_, err = c.PushMood(ctx, "r", samples)
	apiErr(t, err, 400, "validation_error")
	_, err = c.AddDocument(ctx, "Big", strings.Repeat("word ", (2<<20)/5+10), "")
	apiErr(t, err, 413, "payload_too_large")
	_, err = c.ImportMeeting(ctx, client.NewMeeting{Title: strings.Repeat("t", 501)})
	apiErr(t, err, 400, "validation_error")
}
