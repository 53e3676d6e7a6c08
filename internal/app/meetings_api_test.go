package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
	"github.com/quorumhq/quorum/internal/usage"
)

const meetingsPublicURL = "https://quorum.example"

// meetingsAPI gets a token for f's app and returns the Meetings API calls.
func meetingsAPI(t *testing.T, e *env, f fixture) (*client.MeetingsAPI, string) {
	t.Helper()
	tok, err := e.client().MeetingsAPI().Token(context.Background(), f.app.ClientID, f.app.ClientSecret)
	require.NoError(t, err)
	require.Equal(t, "Bearer", tok.TokenType)
	require.Equal(t, 10800, tok.ExpiresIn)
	require.Equal(t, "read write", tok.Scope)
	return e.client(client.WithBearer(tok.AccessToken)).MeetingsAPI(), tok.AccessToken
}

// fieldErr asserts a DRF field error: 400 {"field": ["..."]}.
func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	ce := apiErr(t, err, http.StatusBadRequest, "")
	msgs, ok := ce.Body[field].([]any)
	require.Truef(t, ok && len(msgs) == 1, "want {%q: [msg]}, got %v", field, ce.Body)
}

// detailErr asserts a DRF detail error with status.
func detailErr(t *testing.T, err error, status int) {
	t.Helper()
	ce := apiErr(t, err, status, "")
	require.NotEmpty(t, ce.Body["detail"], "body %v", ce.Body)
}

func importMeeting(t *testing.T, e *env, orgID int64, title string) meeting.Meeting {
	t.Helper()
	m, err := e.app.Meetings.Create(context.Background(), caller.ForSystem(orgID), meeting.New{Title: title, StartTime: time.Now().Add(-time.Hour),
		Segments: []transcript.Segment{
			{Speaker: "Ana", Text: "We agreed to ship the release on Friday.", Start: 0, End: 4},
			{Speaker: "Ben", Text: "I will write the release notes before then.", Start: 4, End: 9.5},
			{Speaker: "Ana", Text: "Budget review moves to next week.", Start: 9.5, End: 12},
		}})
	require.NoError(t, err)
	return m
}

func TestMeetingsAPIAuth(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("auth@a.example")
		api := e.client().MeetingsAPI()

		_, err := api.Token(ctx, f.app.ClientID, "wrong")
		apiErr(t, err, http.StatusUnauthorized, "")

		// No token, a bad token: 401 with a detail.
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{})
		detailErr(t, err, http.StatusUnauthorized)
		_, err = e.client(client.WithBearer("qma_nope")).MeetingsAPI().ListMeetings(ctx, client.APIMeetingQuery{})
		detailErr(t, err, http.StatusUnauthorized)

		authed, token := meetingsAPI(t, e, f)
		_, err = authed.ListMeetings(ctx, client.APIMeetingQuery{})
		require.NoError(t, err)

		// Another app cannot revoke it; its own app can, once.
		g := e.fixture("auth@b.example")
		require.NoError(t, api.Revoke(ctx, g.app.ClientID, g.app.ClientSecret, token))
		_, err = authed.ListMeetings(ctx, client.APIMeetingQuery{})
		require.NoError(t, err)
		require.NoError(t, api.Revoke(ctx, f.app.ClientID, f.app.ClientSecret, token))
		require.NoError(t, api.Revoke(ctx, f.app.ClientID, f.app.ClientSecret, token))
		_, err = authed.ListMeetings(ctx, client.APIMeetingQuery{})
		detailErr(t, err, http.StatusUnauthorized)
	})
}

func TestMeetingsAPIWire(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--public-url", meetingsPublicURL)
	f := e.fixture("wire@a.example")
	_, token := meetingsAPI(t, e, f)
	get := func(path string, headers map[string]string) (int, map[string]any) {
		req, err := http.NewRequest("GET", e.srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}
	// With and without the trailing slash, no redirect; unknown headers are fine.
	for _, p := range []string{"/api/v1/external/meeting/", "/api/v1/external/meeting"} {
		status, body := get(p, map[string]string{"X-Anything": "1", "X-Client-Version": "meemo/0.0.10"})
		require.Equal(t, http.StatusOK, status, p)
		require.Contains(t, body, "count")
		require.Contains(t, body, "results")
	}
	// Ids are integers: anything else is a meeting that does not exist.
	status, body := get("/api/v1/external/meeting/abc/", nil)
	require.Equal(t, http.StatusNotFound, status)
	require.NotEmpty(t, body["detail"])
	status, _ = get("/api/v1/external/meeting/1/nonsense/", nil)
	require.Equal(t, http.StatusNotFound, status)
}

func TestMeetingsAPIMeetings(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("owner@a.example")
		api, _ := meetingsAPI(t, e, f)
		org := strconv.FormatInt(f.org.ID, 10)

		topic, err := e.app.Meetings.AddTopic(ctx, caller.ForSystem(f.org.ID), "Weekly sync", "", "id")
		require.NoError(t, err)
		pt, err := e.app.Tokens.IssuePersonal(ctx, f.user.ID)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(pt, "pt_"))

		// The errors table.
		for _, tc := range []struct {
			name  string
			in    client.APICreateMeeting
			field string
		}{
			{"organization required", client.APICreateMeeting{Title: "x"}, "organization_id"},
			{"organization not an integer", client.APICreateMeeting{OrganizationID: "abc"}, "organization_id"},
			{"organization not positive", client.APICreateMeeting{OrganizationID: -1}, "organization_id"},
			{"speaker_count below 1", client.APICreateMeeting{OrganizationID: f.org.ID, SpeakerCount: 0.0}, "speaker_count"},
			{"bot and file", client.APICreateMeeting{OrganizationID: f.org.ID, BotMeetingURL: "https://meet.example/a",
				FileURL: "https://files.example/a.mp3"}, "non_field_errors"},
			{"bot_join_at in the past", client.APICreateMeeting{OrganizationID: f.org.ID, BotMeetingURL: "https://meet.example/a",
				BotJoinAt: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}, "bot_join_at"},
			{"unknown topic", client.APICreateMeeting{OrganizationID: f.org.ID, TopicID: 999999}, "topic_id"},
			{"bad user token", client.APICreateMeeting{OrganizationID: f.org.ID, UserToken: "pt_nope"}, "user_token"},
			{"calendar event without id", client.APICreateMeeting{OrganizationID: f.org.ID, CalendarEvent: &client.APICalendarEvent{Summary: "s"}}, "calendar_event"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := api.CreateMeeting(ctx, tc.in)
				fieldErr(t, err, tc.field)
			})
		}
		other := e.fixture("owner@b.example")
		_, err = api.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: other.org.ID, Title: "x"})
		detailErr(t, err, http.StatusForbidden)

		// A plain meeting: default title, an admin of the organization as host.
		admin, err := e.app.Identities.CreateUser(ctx, identity.NewUser{OrgID: f.org.ID, Email: "admin@a.example", Name: "Admin",
			Role: identity.RoleAdmin})
		require.NoError(t, err)
		plain, err := api.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: f.org.ID,
			Participants: []string{"guest@x.example"}})
		require.NoError(t, err)
		require.Equal(t, meeting.DefaultExternalTitle, plain.Title)
		require.NotNil(t, plain.Host)
		require.Equal(t, admin.Email, plain.Host.Email)
		require.Equal(t, 2, plain.ParticipantCount)

		// A scheduled bot meeting attributed by a personal token, with a topic and a calendar snapshot.
		joinAt := time.Now().Add(3 * time.Minute).UTC().Format(time.RFC3339)
		bot, err := api.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: f.org.ID, Title: "Standup", UserToken: pt,
			TopicID: topic.ID, BotMeetingURL: "https://meet.example/abc", BotJoinAt: joinAt, SpeakerCount: 3,
			StartTime:     time.Now().Add(3 * time.Minute).UTC().Format(time.RFC3339),
			CalendarEvent: &client.APICalendarEvent{EventID: "evt-1", Summary: "Standup", OrganizerEmail: f.user.Email}})
		require.NoError(t, err)
		require.Equal(t, "scheduled", bot.Status)
		require.Equal(t, "id", bot.Language)
		require.Equal(t, f.user.ID, bot.Host.ID)
		require.JSONEq(t, `{"event_id":"evt-1","summary":"Standup","organizer_email":"owner@a.example"}`, string(bot.CalendarEvent))

		// A file import is stored even though no media pipeline is wired here.
		file, err := api.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: f.org.ID, Title: "Imported call",
			FileURL: "https://files.example/call.mp3", SpeakerCount: 2})
		require.NoError(t, err)
		require.Equal(t, "Imported call", file.Title)

		imported := importMeeting(t, e, f.org.ID, "Release planning")

		// Detail, transcript, summary, participants, recording.
		d, err := api.GetMeeting(ctx, imported.ID)
		require.NoError(t, err)
		require.Equal(t, 2, d.NumCluster)
		require.InDelta(t, 12.0, d.DurationSeconds, 1e-9)
		require.Equal(t, "past", d.Status)
		tr, err := api.Transcript(ctx, imported.ID)
		require.NoError(t, err)
		require.Equal(t, 3, tr.TotalSegments)
		require.Equal(t, "Ben", tr.Transcripts[1].Speaker)
		require.InDelta(t, 4.0, tr.Transcripts[1].StartTime, 1e-9)
		sum, err := api.Summary(ctx, imported.ID)
		require.NoError(t, err)
		require.NotNil(t, sum.Summary)
		require.NotEmpty(t, *sum.Summary)
		require.NotNil(t, sum.Keywords)
		d, err = api.GetMeeting(ctx, imported.ID)
		require.NoError(t, err)
		require.True(t, d.SummaryComplete)
		empty, err := api.Summary(ctx, plain.ID)
		require.NoError(t, err)
		require.Nil(t, empty.Summary)
		ps, err := api.Participants(ctx, plain.ID)
		require.NoError(t, err)
		require.Equal(t, 2, ps.TotalParticipants)
		require.Equal(t, admin.ID, *ps.Participants[0].ID)
		require.Nil(t, ps.Participants[1].ID)
		rec, err := api.Recording(ctx, plain.ID)
		require.NoError(t, err)
		require.Nil(t, rec.RecordingURL)
		require.NoError(t, e.app.Meetings.SetRecording(ctx, caller.ForSystem(f.org.ID), file.ID, "mp3", 61.5))
		rec, err = api.Recording(ctx, file.ID)
		require.NoError(t, err)
		require.Equal(t, e.app.Config.PublicURL+"/api/v1/external/meetings/"+strconv.FormatInt(file.ID, 10)+"/recording/file/", *rec.RecordingURL)
		require.Equal(t, "mp3", *rec.Format)
		require.InDelta(t, 61.5, *rec.Duration, 1e-9)

		// Filters.
		ids := func(q client.APIMeetingQuery) []int64 {
			t.Helper()
			var out []int64
			for m, err := range api.AllMeetings(ctx, q) {
				require.NoError(t, err)
				out = append(out, m.ID)
			}
			return out
		}
		require.Len(t, ids(client.APIMeetingQuery{}), 4)
		require.Equal(t, []int64{bot.ID}, ids(client.APIMeetingQuery{Title: "STAND"}))
		require.Equal(t, []int64{bot.ID}, ids(client.APIMeetingQuery{FromCalendar: "true"}))
		require.Len(t, ids(client.APIMeetingQuery{FromCalendar: "false"}), 3)
		require.Equal(t, []int64{imported.ID}, ids(client.APIMeetingQuery{SummaryComplete: "true"}))
		require.Len(t, ids(client.APIMeetingQuery{SummaryComplete: "false"}), 3)
		require.ElementsMatch(t, []int64{plain.ID, file.ID},
			ids(client.APIMeetingQuery{Participants: "999999," + strconv.FormatInt(admin.ID, 10)}))
		require.Equal(t, []int64{bot.ID}, ids(client.APIMeetingQuery{Participants: strconv.FormatInt(f.user.ID, 10)}))
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		require.Len(t, ids(client.APIMeetingQuery{CreatedAfter: today, CreatedBefore: today}), 4)
		require.Empty(t, ids(client.APIMeetingQuery{CreatedAfter: tomorrow}))
		require.Equal(t, bot.ID, ids(client.APIMeetingQuery{OrganizationID: org})[0], "newest start_time first")
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: "abc"})
		fieldErr(t, err, "organization_id")
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: strconv.FormatInt(other.org.ID, 10)})
		detailErr(t, err, http.StatusForbidden)
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{CreatedAfter: "yesterday"})
		fieldErr(t, err, "created_after")
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{SummaryComplete: "maybe"})
		fieldErr(t, err, "summary_complete")

		// Pagination: absolute links that keep the filters.
		p1, err := api.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: org, Size: 3})
		require.NoError(t, err)
		require.Equal(t, 4, p1.Count)
		require.Len(t, p1.Results, 3)
		require.Nil(t, p1.Previous)
		require.NotNil(t, p1.Next)
		require.Equal(t, e.app.Config.PublicURL+"/api/v1/external/meeting/?organization_id="+org+"&page=2&size=3", *p1.Next)
		p2, err := api.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: org, Size: 3, Page: 2})
		require.NoError(t, err)
		require.Len(t, p2.Results, 1)
		require.Nil(t, p2.Next)
		require.Equal(t, e.app.Config.PublicURL+"/api/v1/external/meeting/?organization_id="+org+"&size=3", *p2.Previous)
		_, err = api.ListMeetings(ctx, client.APIMeetingQuery{Size: 3, Page: 3})
		detailErr(t, err, http.StatusNotFound)

		// Topics: a plain array of the organization's topics.
		topics, err := api.Topics(ctx, "")
		require.NoError(t, err)
		require.Len(t, topics, 1)
		require.Equal(t, "weekly-sync", topics[0].Alias)
		_, err = api.Topics(ctx, "x")
		fieldErr(t, err, "organization_id")

		// Usage: every capability, with the summary's tokens and a quota.
		require.NoError(t, e.app.Usage.SetQuota(ctx, f.org.ID, usage.SpeechToText, 3600))
		require.NoError(t, e.app.Usage.Record(ctx, nil, f.org.ID, usage.SpeechToText, 90))
		// The summary's job or request meters it just after storing it.
		var u client.APIUsage
		for deadline := time.Now().Add(10 * time.Second); ; {
			u, err = api.Usage(ctx, "", today, today)
			require.NoError(t, err)
			if summarized(u) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		require.Len(t, u.Results, len(usage.Capabilities))
		for _, l := range u.Results {
			require.Equal(t, f.org.ID, l.OrganizationID)
			switch l.CapabilityName {
			case usage.SpeechToText:
				require.InDelta(t, 90.0, l.Usage, 1e-9)
				require.InDelta(t, 3600.0, *l.Quota, 1e-9)
			case usage.SummarizationInput:
				require.Positive(t, l.Usage)
				require.Nil(t, l.Quota)
			}
		}
		_, err = api.Usage(ctx, "", "2026-13-01", "")
		fieldErr(t, err, "start_date")
	})
}

// TestMeetingsAPITenants checks that an app of one organization reaches
// nothing of another through any route.
func TestMeetingsAPITenants(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.fixture("tenant@a.example")
		b := e.fixture("tenant@b.example")
		apiA, _ := meetingsAPI(t, e, a)
		apiB, _ := meetingsAPI(t, e, b)
		m := importMeeting(t, e, a.org.ID, "Secret plans")
		_, err := e.app.Meetings.AddTopic(ctx, caller.ForSystem(a.org.ID), "A topic", "", "en")
		require.NoError(t, err)
		require.NoError(t, e.app.Usage.Record(ctx, nil, a.org.ID, usage.SpeechToText, 5))

		_, err = apiA.GetMeeting(ctx, m.ID)
		require.NoError(t, err)
		pa, err := apiB.ListMeetings(ctx, client.APIMeetingQuery{})
		require.NoError(t, err)
		require.Zero(t, pa.Count)
		_, err = apiB.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: strconv.FormatInt(a.org.ID, 10)})
		detailErr(t, err, http.StatusForbidden)
		for name, call := range map[string]func() error{
			"detail":       func() error { _, err := apiB.GetMeeting(ctx, m.ID); return err },
			"transcript":   func() error { _, err := apiB.Transcript(ctx, m.ID); return err },
			"summary":      func() error { _, err := apiB.Summary(ctx, m.ID); return err },
			"participants": func() error { _, err := apiB.Participants(ctx, m.ID); return err },
			"recording":    func() error { _, err := apiB.Recording(ctx, m.ID); return err },
		} {
			t.Run(name, func(t *testing.T) { detailErr(t, call(), http.StatusNotFound) })
		}
		topics, err := apiB.Topics(ctx, "")
		require.NoError(t, err)
		require.Empty(t, topics)
		_, err = apiB.Topics(ctx, strconv.FormatInt(a.org.ID, 10))
		detailErr(t, err, http.StatusForbidden)
		u, err := apiB.Usage(ctx, "", "", "")
		require.NoError(t, err)
		for _, l := range u.Results {
			require.Equal(t, b.org.ID, l.OrganizationID)
			require.Zero(t, l.Usage)
		}
		_, err = apiB.Usage(ctx, strconv.FormatInt(a.org.ID, 10), "", "")
		detailErr(t, err, http.StatusForbidden)
		_, err = apiB.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: a.org.ID})
		detailErr(t, err, http.StatusForbidden)

		// Linking the app to org A opens it, and organization_id narrows.
		appB, err := e.app.Identities.AppByClientID(ctx, b.app.ClientID)
		require.NoError(t, err)
		require.NoError(t, e.app.Identities.LinkApp(ctx, appB.ID, a.org.ID))
		_, err = apiB.GetMeeting(ctx, m.ID)
		require.NoError(t, err)
		pb, err := apiB.ListMeetings(ctx, client.APIMeetingQuery{OrganizationID: strconv.FormatInt(b.org.ID, 10)})
		require.NoError(t, err)
		require.Zero(t, pb.Count)
	})
}

func summarized(u client.APIUsage) bool {
	for _, l := range u.Results {
		if l.CapabilityName == usage.SummarizationInput && l.Usage > 0 {
			return true
		}
	}
	return false
}

// TestMeetingsAPIFileImportEndToEnd speaks plain HTTP as the Python SDK
// does: a token, an organization webhook, a meeting created with a
// file_url that a local server answers with a VTT file; the transcription
// and summarization webhooks arrive signed the Standard Webhooks way, and
// the transcript, summary, participants and recording have their shapes.
func TestMeetingsAPIFileImportEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("import@a.example")
		api, _ := meetingsAPI(t, e, f)

		type delivery struct {
			header http.Header
			body   []byte
		}
		got := make(chan delivery, 16)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- delivery{r.Header.Clone(), b}
		}))
		t.Cleanup(receiver.Close)
		const vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Ana>We agreed to ship the release on Friday.\n\n" +
			"00:00:04.000 --> 00:00:09.500\n<v Ben>I will write the release notes before then.\n\n" +
			"00:00:09.500 --> 00:00:12.000\n<v Ana>The budget review moves to next week.\n"
		files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/vtt")
			_, _ = io.WriteString(w, vtt)
		}))
		t.Cleanup(files.Close)

		hooks, err := api.CreateWebhooks(ctx, client.APICreateWebhook{TargetURL: receiver.URL + "/hook", OrganizationIDs: []any{f.org.ID},
			Events: []string{"meeting.transcription_completed", "meeting.summarization_completed"}})
		require.NoError(t, err)
		require.Len(t, hooks, 1)
		secret := hooks[0].SecretKey
		require.True(t, strings.HasPrefix(secret, "whsec_"))

		m, err := api.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: f.org.ID, Title: "Release sync", FileURL: files.URL + "/call.vtt"})
		require.NoError(t, err)

		seen := map[string]bool{}
		deadline := time.After(90 * time.Second)
		for !seen["meeting.transcription_completed"] || !seen["meeting.summarization_completed"] {
			select {
			case d := <-got:
				require.NoError(t, client.VerifyStandardWebhook(secret, d.header, d.body, 5*time.Minute), "signed with the endpoint's secret")
				var ev struct {
					Type string `json:"type"`
				}
				require.NoError(t, json.Unmarshal(d.body, &ev))
				seen[ev.Type] = true
			case <-deadline:
				t.Fatalf("webhooks seen so far: %v", seen)
			}
		}

		tr, err := api.Transcript(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 3, tr.TotalSegments)
		require.Equal(t, "Ben", tr.Transcripts[1].Speaker)
		require.InDelta(t, 9.5, tr.Transcripts[1].EndTime, 0.001)
		sum, err := api.Summary(ctx, m.ID)
		require.NoError(t, err)
		require.NotNil(t, sum.Summary)
		require.NotEmpty(t, *sum.Summary)
		require.NotNil(t, sum.Keywords)
		parts, err := api.Participants(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, m.ID, parts.MeetingID)
		rec, err := api.Recording(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, m.ID, rec.MeetingID)
		require.Nil(t, rec.RecordingURL, "a transcript file is no recording")
	}, "--allow-private-urls")
}
