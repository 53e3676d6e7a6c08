package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/quorumhq/quorum/internal/fault"
)

// occurrence is one expanded event of a feed, keyed so that a refresh
// finds it again.
type occurrence struct {
	Key         string    `json:"-"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Location    string    `json:"location"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	AllDay      bool      `json:"all_day"`
	Organizer   Person    `json:"organizer"`
	Attendees   []Person  `json:"attendees"`
}

// hash fingerprints an occurrence's content, so a refresh rewrites (and
// announces) only what changed.
func (o occurrence) hash() string {
	b, _ := json.Marshal(o)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// parseICS reads an iCalendar document and expands it into the
// occurrences that fall in [from, to): recurring events through their
// RRULE, RDATE and EXDATE, with modified occurrences (RECURRENCE-ID)
// replacing the ones they override and cancelled ones left out.
func parseICS(data []byte, from, to time.Time) ([]occurrence, error) {
	if !utf8.Valid(data) {
		return nil, invalidICS("the file is not UTF-8 text")
	}
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, invalidICS("%v", err)
	}
	type override struct {
		ev  ical.Event
		at  time.Time
		uid string
	}
	var masters []ical.Event
	overrides := map[string]map[time.Time]ical.Event{}
	var moved []override
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ical.PropUID)
		rid := ev.Props.Get(ical.PropRecurrenceID)
		if rid == nil {
			masters = append(masters, ev)
			continue
		}
		at, err := rid.DateTime(time.UTC)
		if err != nil {
			return nil, invalidICS("event %q: RECURRENCE-ID: %v", uid, err)
		}
		if overrides[uid] == nil {
			overrides[uid] = map[time.Time]ical.Event{}
		}
		overrides[uid][at.UTC()] = ev
		moved = append(moved, override{ev: ev, at: at.UTC(), uid: uid})
	}
	var out []occurrence
	seen := map[string]bool{}
	add := func(uid string, at time.Time, ev ical.Event) error {
		key := uid + "|" + at.UTC().Format(time.RFC3339)
		if seen[key] {
			return nil
		}
		seen[key] = true
		if status, _ := ev.Props.Text(ical.PropStatus); strings.EqualFold(status, "CANCELLED") {
			return nil
		}
		o, err := occurrenceOf(ev, at)
		if err != nil {
			return err
		}
		if (o.Start.Before(from) && !o.End.After(from)) || !o.Start.Before(to) {
			return nil
		}
		if len(out) >= MaxOccurrences {
			return &fault.Error{Kind: fault.KindTooLarge, Code: "calendar_too_large", Field: "file",
				Message: fmt.Sprintf("a calendar may expand to at most %d events in the window Quorum keeps", MaxOccurrences)}
		}
		o.Key = key
		out = append(out, o)
		return nil
	}
	for _, ev := range masters {
		uid, _ := ev.Props.Text(ical.PropUID)
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil {
			return nil, invalidICS("event %q: DTSTART: %v", uid, err)
		}
		if uid == "" {
			summary, _ := ev.Props.Text(ical.PropSummary)
			sum := sha256.Sum256([]byte(summary + start.String()))
			uid = hex.EncodeToString(sum[:8])
		}
		starts, err := occurrenceStarts(ev, start, from, to)
		if err != nil {
			return nil, invalidICS("event %q: %v", uid, err)
		}
		for _, at := range starts {
			src := ev
			if o, ok := overrides[uid][at.UTC()]; ok {
				src = o
			}
			if err := add(uid, at, src); err != nil {
				return nil, err
			}
		}
	}
	// An override may move an occurrence from outside the window into it.
	for _, o := range moved {
		if err := add(o.uid, o.at, o.ev); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// occurrenceStarts lists the starts of an event's occurrences that may
// overlap [from, to).
func occurrenceStarts(ev ical.Event, start, from, to time.Time) ([]time.Time, error) {
	opt, err := ev.Props.RecurrenceRule()
	if err != nil {
		return nil, fmt.Errorf("RRULE: %w", err)
	}
	rdates, err := dateList(ev, ical.PropRecurrenceDates, start.Location())
	if err != nil {
		return nil, err
	}
	if opt == nil && len(rdates) == 0 {
		return []time.Time{start}, nil
	}
	set := &rrule.Set{}
	set.DTStart(start)
	if opt != nil {
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, fmt.Errorf("RRULE: %w", err)
		}
		set.RRule(r)
	}
	for _, d := range rdates {
		set.RDate(d)
	}
	exdates, err := dateList(ev, ical.PropExceptionDates, start.Location())
	if err != nil {
		return nil, err
	}
	for _, d := range exdates {
		set.ExDate(d)
	}
	end, err := ev.DateTimeEnd(time.UTC)
	if err != nil {
		return nil, fmt.Errorf("DTEND: %w", err)
	}
	// Occurrences that started before from may still be running.
	length := end.Sub(start)
	if length < 0 {
		length = 0
	}
	var out []time.Time
	it := set.Iterator()
	for at, ok := it(); ok; at, ok = it() {
		if !at.Before(to) {
			break
		}
		if at.Add(length).After(from) || at.Equal(from) {
			out = append(out, at)
		}
		if len(out) > MaxOccurrences {
			break
		}
	}
	return out, nil
}

// dateList reads every value of a multi-valued date property (EXDATE,
// RDATE), which may repeat and may list several dates separated by commas.
func dateList(ev ical.Event, name string, loc *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, p := range ev.Props.Values(name) {
		for _, v := range strings.Split(p.Value, ",") {
			one := p
			one.Value = strings.TrimSpace(v)
			t, err := one.DateTime(loc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

func occurrenceOf(ev ical.Event, at time.Time) (occurrence, error) {
	var o occurrence
	start, err := ev.DateTimeStart(time.UTC)
	if err != nil {
		return o, invalidICS("DTSTART: %v", err)
	}
	end, err := ev.DateTimeEnd(time.UTC)
	if err != nil {
		return o, invalidICS("DTEND: %v", err)
	}
	if end.Before(start) {
		end = start
	}
	if ev.Props.Get(ical.PropRecurrenceID) == nil {
		// A generated occurrence keeps the master's length.
		end, start = at.Add(end.Sub(start)), at
	}
	o.Start, o.End = start.UTC(), end.UTC()
	if p := ev.Props.Get(ical.PropDateTimeStart); p != nil && (p.ValueType() == ical.ValueDate || len(p.Value) == 8) {
		o.AllDay = true
	}
	o.Title = clip(text(ev, ical.PropSummary), maxTitleRunes)
	o.Description = clip(text(ev, ical.PropDescription), maxTextRunes)
	o.Location = clip(text(ev, ical.PropLocation), maxTitleRunes)
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		o.Organizer = person(*p)
		o.Organizer.Status, o.Organizer.Type = "accepted", "required"
	}
	o.Attendees = []Person{}
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		if len(o.Attendees) >= MaxAttendees {
			break
		}
		o.Attendees = append(o.Attendees, person(p))
	}
	return o, nil
}

func text(ev ical.Event, name string) string {
	s, _ := ev.Props.Text(name)
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// person reads an ORGANIZER or ATTENDEE property.
func person(p ical.Prop) Person {
	email := p.Value
	if i := strings.Index(strings.ToLower(email), "mailto:"); i >= 0 {
		email = email[i+len("mailto:"):]
	}
	out := Person{Email: clip(strings.ToLower(strings.TrimSpace(email)), 254), Name: clip(p.Params.Get(ical.ParamCommonName), 255),
		Status: "needs_action", Type: "required"}
	switch strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus)) {
	case "ACCEPTED":
		out.Status = "accepted"
	case "DECLINED":
		out.Status = "declined"
	case "TENTATIVE":
		out.Status = "tentative"
	}
	switch {
	case strings.EqualFold(p.Params.Get(ical.ParamCalendarUserType), "RESOURCE"),
		strings.EqualFold(p.Params.Get(ical.ParamCalendarUserType), "ROOM"):
		out.Type = "resource"
	case strings.EqualFold(p.Params.Get(ical.ParamRole), "OPT-PARTICIPANT"),
		strings.EqualFold(p.Params.Get(ical.ParamRole), "NON-PARTICIPANT"):
		out.Type = "optional"
	}
	return out
}

func invalidICS(format string, args ...any) error {
	return fault.Invalid("file", "invalid_calendar", "not a valid iCalendar file: "+format, args...)
}
