package offline

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dueRE finds a stated deadline: relative days ("tomorrow", "by Friday",
// "next week", "end of the month") and dates ("March 3", "3rd of March",
// "2026-03-03", "3/14").
var dueRE = regexp.MustCompile(`(?i)\b(` +
	`(?:by |before |on |until |due )?(?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)` +
	`|tomorrow|today|tonight|next week|next month|this week` +
	`|(?:by )?(?:the )?end of (?:the |this |next )?(?:day|week|month)` +
	`|(?:by |on |before )?(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}(?:st|nd|rd|th)?` +
	`|(?:by |on |before )?(?:the )?\d{1,2}(?:st|nd|rd|th)? of (?:january|february|march|april|may|june|july|august|september|october|november|december)` +
	`|\d{4}-\d{2}-\d{2}` +
	`|(?:by |on |before )\d{1,2}/\d{1,2}` +
	`)\b`)

// findDue returns the deadline stated in s, or "".
func findDue(s string) string {
	return dueRE.FindString(s)
}

var (
	weekdays = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	}
	monthDayRE = regexp.MustCompile(`(?i)(january|february|march|april|may|june|july|august|september|october|november|december) (\d{1,2})`)
	dayMonthRE = regexp.MustCompile(`(?i)(\d{1,2})(?:st|nd|rd|th)? of (january|february|march|april|may|june|july|august|september|october|november|december)`)
	slashRE    = regexp.MustCompile(`(\d{1,2})/(\d{1,2})`)
	isoRE      = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
)

// resolveDue turns a deadline found by findDue into a date (midnight in
// ref's location) relative to ref: weekdays are the next such day after ref
// ("next Friday" one week later), "next week" is the Monday after ref's week,
// "end of the week" its Friday, dates without a year the next occurrence,
// and n/m is month/day.
func resolveDue(due string, ref time.Time) (time.Time, bool) {
	d := strings.ToLower(due)
	day := time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, ref.Location())
	switch {
	case isoRE.MatchString(d):
		t, err := time.ParseInLocation("2006-01-02", isoRE.FindString(d), ref.Location())
		return t, err == nil
	case strings.Contains(d, "tomorrow"):
		return day.AddDate(0, 0, 1), true
	case strings.Contains(d, "today"), strings.Contains(d, "tonight"), strings.Contains(d, "end of the day"), strings.Contains(d, "end of day"):
		return day, true
	case strings.Contains(d, "end of") && strings.Contains(d, "month"):
		first := time.Date(ref.Year(), ref.Month(), 1, 0, 0, 0, 0, ref.Location())
		if strings.Contains(d, "next") {
			first = first.AddDate(0, 1, 0)
		}
		return first.AddDate(0, 1, -1), true
	case strings.Contains(d, "next month"):
		return time.Date(ref.Year(), ref.Month()+1, 1, 0, 0, 0, 0, ref.Location()), true
	case strings.Contains(d, "end of") && strings.Contains(d, "week"), strings.Contains(d, "this week"):
		friday := nextWeekday(day, time.Friday, true)
		if strings.Contains(d, "next") {
			friday = friday.AddDate(0, 0, 7)
		}
		return friday, true
	case strings.Contains(d, "next week"):
		return nextWeekday(day, time.Monday, false), true
	}
	for name, wd := range weekdays {
		if strings.Contains(d, name) {
			t := nextWeekday(day, wd, false)
			if strings.Contains(d, "next") {
				t = t.AddDate(0, 0, 7)
			}
			return t, true
		}
	}
	if m := monthDayRE.FindStringSubmatch(d); m != nil {
		return nextDate(day, m[1], m[2])
	}
	if m := dayMonthRE.FindStringSubmatch(d); m != nil {
		return nextDate(day, m[2], m[1])
	}
	if m := slashRE.FindStringSubmatch(d); m != nil {
		mon, _ := strconv.Atoi(m[1])
		dd, _ := strconv.Atoi(m[2])
		if mon < 1 || mon > 12 || dd < 1 || dd > 31 {
			return time.Time{}, false
		}
		return nextDate(day, time.Month(mon).String(), m[2])
	}
	return time.Time{}, false
}

// nextWeekday returns the first wd after day, or day itself when
// includeToday and it is wd.
func nextWeekday(day time.Time, wd time.Weekday, includeToday bool) time.Time {
	n := (int(wd) - int(day.Weekday()) + 7) % 7
	if n == 0 && !includeToday {
		n = 7
	}
	return day.AddDate(0, 0, n)
}

// nextDate returns the month and day on or after day, this year or next.
func nextDate(day time.Time, month, dom string) (time.Time, bool) {
	mt, err := time.Parse("January", strings.ToUpper(month[:1])+strings.ToLower(month[1:]))
	n, err2 := strconv.Atoi(dom)
	if err != nil || err2 != nil || n < 1 || n > 31 {
		return time.Time{}, false
	}
	t := time.Date(day.Year(), mt.Month(), n, 0, 0, 0, 0, day.Location())
	if t.Before(day) {
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}
