package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
)

// weeklyICS is a calendar with a weekly meeting from a week ago (one
// occurrence excluded, one moved), a one-off all-day event and a cancelled
// event.
func weeklyICS(now time.Time, title string) string {
	start := now.Add(-7 * 24 * time.Hour).Truncate(24 * time.Hour).Add(15 * time.Hour)
	f := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	third := start.Add(2 * 7 * 24 * time.Hour)
	fourth := start.Add(3 * 7 * 24 * time.Hour)
	return strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Quorum tests//EN",
		"BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:" + f(now), "DTSTART:" + f(start), "DTEND:" + f(start.Add(time.Hour)),
		"SUMMARY:" + title, "DESCRIPTION:Status and blockers", "LOCATION:Room 4",
		"RRULE:FREQ=WEEKLY;COUNT=6", "EXDATE:" + f(third),
		"ORGANIZER;CN=Ann:mailto:ann@example.com",
		"ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:bob@example.com",
		"ATTENDEE;CN=Gus;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:gus@elsewhere.test",
		"ATTENDEE;CN=Room 4;CUTYPE=RESOURCE:mailto:room4@example.com",
		"END:VEVENT",
		"BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:" + f(now), "RECURRENCE-ID:" + f(fourth),
		"DTSTART:" + f(fourth.Add(2*time.Hour)), "DTEND:" + f(fourth.Add(3*time.Hour)), "SUMMARY:" + title + " (moved)", "END:VEVENT",
		"BEGIN:VEVENT", "UID:offsite", "DTSTAMP:" + f(now), "DTSTART;VALUE=DATE:" + now.Add(48*time.Hour).Format("20060102"),
		"SUMMARY:Offsite", "END:VEVENT",
		"BEGIN:VEVENT", "UID:gone", "DTSTAMP:" + f(now), "DTSTART:" + f(now.Add(time.Hour)), "SUMMARY:Cancelled", "STATUS:CANCELLED", "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\r\n")
}

func TestPartnerCalendar(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		w.member(t, "bob@example.com", identity.RoleMember)
		now := time.Now().UTC()

		feed, err := ann.AddCalendarFeed(ctx, client.NewCalendarFeed{Name: "Work", ICS: weeklyICS(now, "Weekly sync")})
		require.NoError(t, err)
		require.Equal(t, 6, feed.EventCount, "5 weekly occurrences (6 less the excluded one) and the offsite")
		require.Empty(t, feed.URL)

		all, err := ann.CalendarEvents(ctx, client.CalendarQuery{})
		require.NoError(t, err)
		require.Equal(t, 6, all.Total)
		var titles []string
		for _, ev := range all.Items {
			titles = append(titles, ev.Title)
		}
		require.Contains(t, titles, "Weekly sync (moved)")
		require.NotContains(t, titles, "Cancelled")
		desc, err := ann.CalendarEvents(ctx, client.CalendarQuery{Direction: "desc", Limit: 2})
		require.NoError(t, err)
		require.Equal(t, 6, desc.Total)
		require.Len(t, desc.Items, 2)
		require.Greater(t, desc.Items[0].StartTime, desc.Items[1].StartTime)

		// Both spellings of the range select the same events.
		from, to := now.Format(time.RFC3339), now.Add(10*24*time.Hour).Format(time.RFC3339)
		a, err := ann.CalendarEvents(ctx, client.CalendarQuery{StartDate: from, EndDate: to})
		require.NoError(t, err)
		resp, body := raw(t, "GET", e.srv.URL+"/v1/partner/user/calendar/events?start="+from+"&end="+to, "", "",
			map[string]string{"Authorization": "Bearer " + userBearer(t, w, w.f.user)})
		require.Equal(t, 200, resp.StatusCode)
		require.EqualValues(t, a.Total, body["total"])
		require.Less(t, a.Total, 6)

		var weekly client.CalendarEvent
		for _, ev := range all.Items {
			if ev.Title == "Weekly sync" {
				weekly = ev
				break
			}
		}
		detail, err := ann.CalendarEvent(ctx, weekly.ID)
		require.NoError(t, err)
		require.Equal(t, "ann@example.com", detail.Organizer.Email)
		require.Equal(t, 3, detail.AttendeeCount)
		require.Equal(t, "Room 4", detail.Location)
		require.Equal(t, client.CalendarPerson{Email: "gus@elsewhere.test", Name: "Gus", Status: "tentative", Type: "optional"}, detail.Attendees[1])
		require.Equal(t, "resource", detail.Attendees[2].Type)
		require.False(t, detail.IsAllDay)

		// A meeting from an event: once (201), then the same one (200).
		made, err := ann.CreateMeetingFromCalendarEvent(ctx, weekly.ID)
		require.NoError(t, err)
		require.True(t, made.Created)
		require.Equal(t, made.Meeting.ID, made.MeetingID)
		require.Equal(t, "Weekly sync", made.Meeting.Title)
		require.Equal(t, weekly.StartTime, *made.Meeting.StartTime)
		require.Equal(t, weekly.ID, *made.Meeting.CalendarEventID)
		again, err := ann.CreateMeetingFromCalendarEvent(ctx, weekly.ID)
		require.NoError(t, err)
		require.False(t, again.Created)
		require.Equal(t, made.MeetingID, again.MeetingID)
		resp, body = raw(t, "POST", e.srv.URL+"/v1/partner/user/calendar/events/"+weekly.ID+"/meeting", "application/json", "",
			map[string]string{"Authorization": "Bearer " + userBearer(t, w, w.f.user)})
		require.Equal(t, 200, resp.StatusCode, "%v", body)
		ps, err := ann.MeetingParticipants(ctx, made.MeetingID)
		require.NoError(t, err)
		emails := map[string]string{}
		for _, p := range ps.Items {
			emails[p.Email] = p.Role
		}
		require.Equal(t, map[string]string{"ann@example.com": "EDITOR", "bob@example.com": "VIEWER", "gus@elsewhere.test": "VIEWER"}, emails,
			"attendees (not rooms) join; the organizer is the creator")
		detail, err = ann.CalendarEvent(ctx, weekly.ID)
		require.NoError(t, err)
		require.Equal(t, made.MeetingID, *detail.MeetingID)
		require.Equal(t, []string{made.MeetingID}, detail.LinkedMeetings)

		// Link and unlink, with the spec's codes.
		other, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Other"})
		require.NoError(t, err)
		_, err = ann.LinkCalendarEvent(ctx, other.ID, weekly.ID)
		apiErr(t, err, 409, "conflict")
		_, err = ann.LinkCalendarEvent(ctx, made.MeetingID, weekly.ID)
		apiErr(t, err, 400, "calendar_event_already_linked")
		var offsite client.CalendarEvent
		for _, ev := range all.Items {
			if ev.Title == "Offsite" {
				offsite = ev
			}
		}
		require.True(t, offsite.IsAllDay)
		_, err = ann.LinkCalendarEvent(ctx, made.MeetingID, offsite.ID)
		apiErr(t, err, 400, "meeting_already_linked")
		_, err = ann.LinkCalendarEvent(ctx, other.ID, "")
		apiErr(t, err, 400, "invalid_request_body")
		res, err := ann.LinkCalendarEvent(ctx, other.ID, offsite.ID)
		require.NoError(t, err)
		require.True(t, res.Success)
		m, err := ann.PartnerMeeting(ctx, other.ID)
		require.NoError(t, err)
		require.Equal(t, offsite.ID, *m.CalendarEventID)
		_, err = ann.UnlinkCalendarEvent(ctx, other.ID)
		require.NoError(t, err)
		_, err = ann.UnlinkCalendarEvent(ctx, other.ID)
		apiErr(t, err, 404, "not_found")

		// Events belong to their user: a colleague, another workspace and
		// an app token see none of them.
		bob := w.as(t, w.member(t, "cy@example.com", identity.RoleMember), "")
		for _, c := range []*client.Client{bob, e.workspace("eve@example.com").owner(t)} {
			_, err := c.CalendarEvent(ctx, weekly.ID)
			apiErr(t, err, 404, "not_found")
			_, err = c.CreateMeetingFromCalendarEvent(ctx, offsite.ID)
			apiErr(t, err, 404, "not_found")
			p, err := c.CalendarEvents(ctx, client.CalendarQuery{})
			require.NoError(t, err)
			require.Zero(t, p.Total)
		}
		_, err = bob.LinkCalendarEvent(ctx, other.ID, offsite.ID)
		apiErr(t, err, 403, "forbidden") // a viewer of the meeting
		_, err = w.appClient(t).CalendarEvents(ctx, client.CalendarQuery{})
		apiErr(t, err, 403, "forbidden")
		_, err = w.as(t, w.f.user, "openid meetings:read").CalendarEvents(ctx, client.CalendarQuery{})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = w.as(t, w.f.user, "calendar:read").CreateMeetingFromCalendarEvent(ctx, offsite.ID)
		apiErr(t, err, 403, "insufficient_scope")

		for _, q := range []struct {
			q    client.CalendarQuery
			code string
		}{
			{client.CalendarQuery{StartDate: "now"}, "invalid_start_date"},
			{client.CalendarQuery{EndDate: "later"}, "invalid_end_date"},
			{client.CalendarQuery{Direction: "sideways"}, "invalid_query_parameters"},
			{client.CalendarQuery{Limit: 101}, "invalid_query_parameters"},
		} {
			_, err := ann.CalendarEvents(ctx, q.q)
			apiErr(t, err, 400, q.code)
		}
		_, err = ann.AddCalendarFeed(ctx, client.NewCalendarFeed{ICS: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"})
		apiErr(t, err, 400, "invalid_calendar")
		_, err = ann.AddCalendarFeed(ctx, client.NewCalendarFeed{URL: "http://127.0.0.1:9/private.ics"})
		apiErr(t, err, 400, "validation_error")
		_, err = ann.AddCalendarFeed(ctx, client.NewCalendarFeed{})
		apiErr(t, err, 400, "validation_error")

		// Removing the calendar removes its events and unlinks meetings.
		require.NoError(t, ann.DeleteCalendarFeed(ctx, feed.ID))
		p, err := ann.CalendarEvents(ctx, client.CalendarQuery{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		m, err = ann.PartnerMeeting(ctx, made.MeetingID)
		require.NoError(t, err)
		require.Nil(t, m.CalendarEventID)
	})
}

// TestCalendarFeedRefresh: a feed URL is fetched at once and again by the
// periodic refresh, which applies changes (updated and removed events).
func TestCalendarFeedRefresh(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--allow-private-urls")
	ctx := context.Background()
	w := e.workspace("ann@example.com")
	ann := w.owner(t)
	now := time.Now().UTC()
	var title atomic.Value
	title.Store("Weekly sync")
	var hits atomic.Int32
	feedSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		rw.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(rw, weeklyICS(now, title.Load().(string)))
	}))
	t.Cleanup(feedSrv.Close)

	feed, err := ann.AddCalendarFeed(ctx, client.NewCalendarFeed{URL: feedSrv.URL + "/cal.ics"})
	require.NoError(t, err)
	require.Empty(t, feed.LastError)
	require.Equal(t, 6, feed.EventCount)
	first, err := ann.CalendarEvents(ctx, client.CalendarQuery{})
	require.NoError(t, err)

	title.Store("Weekly planning")
	n, err := e.app.Calendar.RefreshDue(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a feed just read is not due")
	feed, err = ann.RefreshCalendarFeed(ctx, feed.ID)
	require.NoError(t, err)
	require.Equal(t, int32(2), hits.Load())
	second, err := ann.CalendarEvents(ctx, client.CalendarQuery{})
	require.NoError(t, err)
	require.Equal(t, first.Total, second.Total)
	for i := range first.Items {
		require.Equal(t, first.Items[i].ID, second.Items[i].ID, "an occurrence keeps its id across refreshes")
	}
	require.Contains(t, []string{second.Items[0].Title, second.Items[1].Title}, "Weekly planning")

	feedSrv.Close()
	feed, err = ann.RefreshCalendarFeed(ctx, feed.ID)
	require.NoError(t, err)
	require.NotEmpty(t, feed.LastError, "a failed fetch is recorded, and the events stay")
	kept, err := ann.CalendarEvents(ctx, client.CalendarQuery{})
	require.NoError(t, err)
	require.Equal(t, second.Total, kept.Total)
}
