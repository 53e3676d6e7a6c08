package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
)

func TestPartnerMeetings(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)

		m, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "  Launch review ", StartTime: "2026-03-02T15:00:00+01:00",
			EndTime: "2026-03-02T16:00:00+01:00", DetailLevel: "VERBATIM"})
		require.NoError(t, err)
		require.Equal(t, "Launch review", m.Title)
		require.Equal(t, "scheduled", m.Status)
		require.Equal(t, "VERBATIM", m.DetailLevel)
		require.Equal(t, "2026-03-02T14:00:00Z", *m.StartTime)
		require.Equal(t, w.f.org.UUID, m.WorkspaceID)
		require.Equal(t, w.f.user.UUID, m.CreatedByUserID)

		ps, err := ann.MeetingParticipants(ctx, m.ID)
		require.NoError(t, err)
		require.Len(t, ps.Items, 1)
		require.Equal(t, "EDITOR", ps.Items[0].Role, "the creator is an editor")
		require.Equal(t, w.f.user.UUID, *ps.Items[0].UserID)

		instant, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Now", IsInstant: true})
		require.NoError(t, err)
		require.Equal(t, "in_progress", instant.Status)
		require.NotNil(t, instant.StartTime)
		draft, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Someday"})
		require.NoError(t, err)
		require.Equal(t, "draft", draft.Status)
		require.Nil(t, draft.StartTime)

		// The X-Client-Timezone header re-zones every timestamp.
		got, err := ann.With(client.WithTimezone("America/New_York")).PartnerMeeting(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, "2026-03-02T09:00:00-05:00", *got.StartTime)

		// Filters by start (a meeting without one by its creation).
		p, err := ann.PartnerMeetings(ctx, client.MeetingQuery{StartDate: "2026-03-02", EndDate: "2026-03-02"})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, m.ID, p.Items[0].ID)
		p, err = ann.PartnerMeetings(ctx, client.MeetingQuery{Limit: 2})
		require.NoError(t, err)
		require.Equal(t, 3, p.Total)
		require.Len(t, p.Items, 2)
		require.Equal(t, 2, p.Limit)

		// PATCH: fields change; an end in the past completes the meeting.
		title := "Launch review (final)"
		up, err := ann.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Title: &title})
		require.NoError(t, err)
		require.Equal(t, title, up.Title)
		require.Equal(t, "scheduled", up.Status)
		require.Nil(t, up.CompletedAt)
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		start := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		up, err = ann.UpdatePartnerMeeting(ctx, draft.ID, client.MeetingUpdate{StartTime: &start, EndTime: &past})
		require.NoError(t, err)
		require.Equal(t, "completed", up.Status)
		require.NotNil(t, up.CompletedAt)
		up, err = ann.UpdatePartnerMeeting(ctx, instant.ID, client.MeetingUpdate{Status: ptr("completed")})
		require.NoError(t, err)
		require.Equal(t, "completed", up.Status)
	})
}

func TestPartnerMeetingBadInputs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		m, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Ours", StartTime: "2026-03-02T15:00:00Z"})
		require.NoError(t, err)
		other := e.workspace("eve@example.com").owner(t)
		theirs, err := other.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Theirs"})
		require.NoError(t, err)

		creates := []struct {
			name   string
			in     client.NewPartnerMeeting
			status int
			code   string
		}{
			{"empty title", client.NewPartnerMeeting{Title: "  "}, 400, "invalid_request"},
			{"long title", client.NewPartnerMeeting{Title: strings.Repeat("x", 256)}, 400, "invalid_request"},
			{"bad start", client.NewPartnerMeeting{Title: "t", StartTime: "tomorrow"}, 400, "invalid_start_time"},
			{"bad end", client.NewPartnerMeeting{Title: "t", StartTime: "2026-03-02T15:00:00Z", EndTime: "later"}, 400, "invalid_end_time"},
			{"end before start", client.NewPartnerMeeting{Title: "t", StartTime: "2026-03-02T15:00:00Z", EndTime: "2026-03-02T14:00:00Z"}, 400, "invalid_time_range"},
			{"end without start", client.NewPartnerMeeting{Title: "t", EndTime: "2026-03-02T14:00:00Z"}, 400, "invalid_time_range"},
			{"start out of range", client.NewPartnerMeeting{Title: "t", StartTime: "1900-01-01T00:00:00Z"}, 400, "invalid_start_date"},
			{"bad detail level", client.NewPartnerMeeting{Title: "t", DetailLevel: "LOUD"}, 400, "invalid_request"},
			{"unknown template", client.NewPartnerMeeting{Title: "t", TemplateID: "8a0d9f3c-4b1e-4f5e-9c2a-0f6f1a2b3c4d"}, 404, "not_found"},
		}
		for _, tt := range creates {
			_, err := ann.CreatePartnerMeeting(ctx, tt.in)
			apiErr(t, err, tt.status, tt.code)
		}
		for _, q := range []struct {
			q    client.MeetingQuery
			code string
		}{
			{client.MeetingQuery{StartDate: "yesterday"}, "invalid_start_date"},
			{client.MeetingQuery{EndDate: "2026-13-45"}, "invalid_end_date"},
			{client.MeetingQuery{StartDate: "2026-03-02", EndDate: "2026-03-01"}, "invalid_end_date"},
			{client.MeetingQuery{Limit: 101}, "validation_error"},
		} {
			_, err := ann.PartnerMeetings(ctx, q.q)
			apiErr(t, err, 400, q.code)
		}
		_, err = ann.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Status: ptr("exploded")})
		apiErr(t, err, 400, "invalid_status")
		_, err = ann.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{EndTime: ptr("2026-03-01T00:00:00Z")})
		apiErr(t, err, 400, "invalid_time_range")

		// Unknown, malformed and foreign ids are all not found.
		for _, id := range []string{"nonexistent", "8a0d9f3c-4b1e-4f5e-9c2a-0f6f1a2b3c4d", theirs.ID} {
			_, err := ann.PartnerMeeting(ctx, id)
			apiErr(t, err, 404, "not_found")
			_, err = ann.UpdatePartnerMeeting(ctx, id, client.MeetingUpdate{Title: ptr("x")})
			apiErr(t, err, 404, "not_found")
			_, _, err = ann.ExportTranscript(ctx, id, "")
			apiErr(t, err, 404, "")
		}
		p, err := other.PartnerMeetings(ctx, client.MeetingQuery{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total, "lists hold the caller's workspace only")

		// A member who is a VIEWER reads but may not write; a token without
		// meetings:write may not write at all.
		bob := w.member(t, "bob@example.com", identity.RoleMember)
		_, err = ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: bob.Email, Name: "Bob", Role: "VIEWER"})
		require.NoError(t, err)
		asBob := w.as(t, bob, "")
		_, err = asBob.PartnerMeeting(ctx, m.ID)
		require.NoError(t, err)
		_, err = asBob.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Title: ptr("mine now")})
		apiErr(t, err, 403, "forbidden")
		readOnly := w.as(t, w.f.user, "openid meetings:read")
		_, err = readOnly.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "t"})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = readOnly.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Title: ptr("t")})
		apiErr(t, err, 403, "insufficient_scope")
		// An app token acts for no user: it reads, and creates nothing.
		appOnly := w.appClient(t)
		_, err = appOnly.PartnerMeeting(ctx, m.ID)
		require.NoError(t, err)
		_, err = appOnly.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "t"})
		apiErr(t, err, 403, "forbidden")
		// An owner or admin edits every meeting of the workspace.
		admin := w.as(t, w.member(t, "ada@example.com", identity.RoleAdmin), "")
		_, err = admin.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{DetailLevel: ptr("BULLET_POINTS")})
		require.NoError(t, err)

		// Bodies over the limit are refused before any work.
		resp, body := raw(t, "POST", e.srv.URL+"/v1/partner/user/meetings", "application/json",
			`{"title":"`+strings.Repeat("a", 2<<20)+`"}`, map[string]string{"Authorization": "Bearer " + userBearer(t, w, w.f.user)})
		require.Equal(t, 413, resp.StatusCode, "body: %v", body)
	})
}

// userBearer issues a raw access token for u with every core scope.
func userBearer(t *testing.T, w workspace, u identity.User) string {
	t.Helper()
	tok, err := w.e.app.OAuth.IssueForUser(context.Background(), w.app, u, coreScopes)
	require.NoError(t, err)
	return tok.AccessToken
}

// TestMeetingRedirects: a meeting merged into another, or copied into the
// caller's workspace, answers GET with the redirect hint; the client (like
// the SDK) follows it.
func TestMeetingRedirects(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		a, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Part one"})
		require.NoError(t, err)
		b, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Part two"})
		require.NoError(t, err)
		_, err = ann.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: a.ID, Title: "carry over"})
		require.NoError(t, err)

		sys := caller.ForSystem(w.f.org.ID)
		_, err = e.app.Meetings.Merge(ctx, sys, a.ID, b.ID)
		require.NoError(t, err)
		hint, err := ann.PartnerMeetingHint(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, b.ID, hint.RedirectToMeetingID)
		require.Empty(t, hint.ID, "the hint carries nothing else")
		got, err := ann.PartnerMeeting(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, b.ID, got.ID)
		items, err := ann.PartnerActionItems(ctx, client.ActionItemQuery{MeetingID: b.ID})
		require.NoError(t, err)
		require.Equal(t, 1, items.Total, "the merged meeting's action items moved")
		p, err := ann.PartnerMeetings(ctx, client.MeetingQuery{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total, "a merged meeting leaves the list")
		_, err = e.app.Meetings.Merge(ctx, sys, a.ID, b.ID)
		apiErrKind(t, err, "meeting_merged")

		// A copy into another workspace: that workspace's users asking for
		// the original's id are sent to their copy; nobody else is.
		imported, err := e.app.Meetings.Create(ctx, caller.Caller{Credential: caller.CloudToken, OrgID: w.f.org.ID, UserRef: "ann"},
			meeting.New{Title: "Imported", Segments: []transcript.Segment{{Speaker: "Ann", Text: "Hello there.", Start: 0, End: 2}}})
		require.NoError(t, err)
		v := e.workspace("vic@example.com")
		cp, err := e.app.Meetings.Copy(ctx, sys, imported.UUID, v.f.org.ID)
		require.NoError(t, err)
		vic := v.owner(t)
		got, err = vic.PartnerMeeting(ctx, imported.UUID)
		require.NoError(t, err)
		require.Equal(t, cp.UUID, got.ID)
		require.Equal(t, "completed", got.Status)
		srt, _, err := vic.ExportTranscript(ctx, cp.UUID, "srt")
		require.NoError(t, err)
		require.Contains(t, string(srt), "Ann: Hello there.", "the transcript came along")
		_, err = e.workspace("zed@example.com").owner(t).PartnerMeeting(ctx, imported.UUID)
		apiErr(t, err, 404, "not_found")
	})
}

func apiErrKind(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	require.Contains(t, err.Error(), code)
}

// TestTranscriptExport: the SRT export covers Cloud-imported transcripts,
// has the exact content type, and is 404 without a transcript.
func TestTranscriptExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		cloud := cloudClient(t, e, w.f, "ann@example.com")
		m, err := cloud.ImportMeeting(ctx, client.NewMeeting{Title: "Sync", Segments: []client.Segment{
			{Speaker: "Ann", Text: "We ship Monday.", Start: 1.5, End: 3.25},
			{Speaker: "Raj", Text: "I will update the docs.", Start: 3.25, End: 3725.5},
		}})
		require.NoError(t, err)
		body, ctype, err := ann.ExportTranscript(ctx, m.ID, "")
		require.NoError(t, err)
		require.Equal(t, "text/plain; charset=utf-8", ctype)
		require.Equal(t, "1\n00:00:01,500 --> 00:00:03,250\nAnn: We ship Monday.\n\n"+
			"2\n00:00:03,250 --> 01:02:05,500\nRaj: I will update the docs.\n\n", string(body))
		_, _, err = ann.ExportTranscript(ctx, m.ID, "vtt")
		apiErr(t, err, 400, "unsupported_format")
		empty, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "No words yet"})
		require.NoError(t, err)
		_, _, err = ann.ExportTranscript(ctx, empty.ID, "srt")
		apiErr(t, err, 404, "not_found")
		readOnly := w.as(t, w.f.user, "openid profile")
		_, _, err = readOnly.ExportTranscript(ctx, m.ID, "")
		apiErr(t, err, 403, "insufficient_scope")
	})
}
