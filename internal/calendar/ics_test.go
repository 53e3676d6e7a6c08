package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/fault"
)

func ics(events ...string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + strings.Join(events, "") + "END:VCALENDAR\r\n")
}

func vevent(lines ...string) string {
	return "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\n"
}

func TestParseICS(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	tests := []struct {
		name   string
		data   []byte
		starts []string // RFC 3339, UTC
		check  func(t *testing.T, occ []occurrence)
	}{
		{"single event", ics(vevent("UID:a", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "SUMMARY:One")),
			[]string{"2026-01-05T09:00:00Z"}, func(t *testing.T, occ []occurrence) {
				require.Equal(t, time.Hour, occ[0].End.Sub(occ[0].Start))
				require.Equal(t, "One", occ[0].Title)
			}},
		{"daily with EXDATE list and RDATE", ics(vevent("UID:d", "DTSTART:20260105T090000Z", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=4",
			"EXDATE:20260106T090000Z,20260107T090000Z", "RDATE:20260110T120000Z")),
			[]string{"2026-01-05T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-10T12:00:00Z"}, nil},
		{"local time across DST keeps the wall clock", ics(vevent("UID:w", "DTSTART;TZID=Europe/Berlin:20260323T090000",
			"DTEND;TZID=Europe/Berlin:20260323T093000", "RRULE:FREQ=WEEKLY;COUNT=2")),
			[]string{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"}, nil},
		{"override moves one occurrence", ics(
			vevent("UID:o", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=WEEKLY;COUNT=2", "SUMMARY:Sync"),
			vevent("UID:o", "RECURRENCE-ID:20260112T090000Z", "DTSTART:20260113T150000Z", "DTEND:20260113T160000Z", "SUMMARY:Sync (moved)")),
			[]string{"2026-01-05T09:00:00Z", "2026-01-13T15:00:00Z"}, func(t *testing.T, occ []occurrence) {
				require.Equal(t, "Sync (moved)", occ[1].Title)
				require.Equal(t, "o|2026-01-12T09:00:00Z", occ[1].Key, "keyed by the occurrence it replaces")
			}},
		{"all day and cancelled", ics(vevent("UID:ad", "DTSTART;VALUE=DATE:20260201", "SUMMARY:Holiday"),
			vevent("UID:c", "DTSTART:20260202T090000Z", "STATUS:CANCELLED")),
			[]string{"2026-02-01T00:00:00Z"}, func(t *testing.T, occ []occurrence) {
				require.True(t, occ[0].AllDay)
				require.Equal(t, 24*time.Hour, occ[0].End.Sub(occ[0].Start))
			}},
		{"only the window is kept", ics(vevent("UID:y", "DTSTART:20250601T090000Z", "RRULE:FREQ=MONTHLY;UNTIL=20260401T000000Z")),
			[]string{"2026-01-01T09:00:00Z", "2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z"}, nil},
		{"people", ics(vevent("UID:p", "DTSTART:20260105T090000Z", "ORGANIZER;CN=Ann:MAILTO:Ann@X.test",
			"ATTENDEE;CN=Bob;PARTSTAT=DECLINED:mailto:bob@x.test")),
			[]string{"2026-01-05T09:00:00Z"}, func(t *testing.T, occ []occurrence) {
				require.Equal(t, Person{Email: "ann@x.test", Name: "Ann", Status: "accepted", Type: "required"}, occ[0].Organizer)
				require.Equal(t, []Person{{Email: "bob@x.test", Name: "Bob", Status: "declined", Type: "required"}}, occ[0].Attendees)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			occ, err := parseICS(tt.data, from, to)
			require.NoError(t, err)
			var starts []string
			for _, o := range occ {
				starts = append(starts, o.Start.Format(time.RFC3339))
			}
			require.Equal(t, tt.starts, starts)
			if tt.check != nil {
				tt.check(t, occ)
			}
		})
	}
}

func TestParseICSRefuses(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	_, err := parseICS([]byte("not a calendar"), from, to)
	require.ErrorIs(t, err, fault.ErrInvalid)
	_, err = parseICS(ics(vevent("UID:x", "DTSTART:garbage")), from, to)
	require.ErrorIs(t, err, fault.ErrInvalid)
	_, err = parseICS([]byte{0xff, 0xfe}, from, to)
	require.ErrorIs(t, err, fault.ErrInvalid)
	// An endless rule is cut at the window; a huge one is refused whole.
	occ, err := parseICS(ics(vevent("UID:e", "DTSTART:20260101T000000Z", "RRULE:FREQ=DAILY")), from, to)
	require.NoError(t, err)
	require.Equal(t, 365, len(occ))
	_, err = parseICS(ics(vevent("UID:h", "DTSTART:20260101T000000Z", "RRULE:FREQ=MINUTELY")), from, to)
	fe, ok := fault.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, fault.KindTooLarge, fe.Kind)
}
