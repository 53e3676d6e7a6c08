// Package calendar holds each user's calendar events, read from ICS feeds
// (a URL refreshed periodically) or uploaded ICS files, with recurring
// events expanded into their occurrences, and links events to meetings.
package calendar

import (
	"time"
	// Feeds name IANA zones (TZID); the binary must know them all even on a
	// host without a zone database.
	_ "time/tzdata"
)

// Person is an event's organizer or attendee.
type Person struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Status string `json:"status"` // accepted, declined, tentative, needs_action
	Type   string `json:"type"`   // required, optional, resource
}

// Event is one occurrence of a calendar event of one user.
type Event struct {
	ID          int64
	UUID        string
	OrgID       int64
	UserID      int64
	FeedID      int64
	Title       string
	Description string
	Location    string
	StartTime   time.Time
	EndTime     time.Time
	IsAllDay    bool
	Organizer   Person
	Attendees   []Person
	// MeetingID is the public id of the meeting linked to the event, or
	// empty.
	MeetingID string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Feed is one calendar of a user: an ICS URL, or an uploaded file (URL
// empty).
type Feed struct {
	ID           int64
	UUID         string
	OrgID        int64
	UserID       int64
	Name         string
	URL          string
	LastSyncedAt time.Time
	LastError    string
	EventCount   int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Limits of what a feed may hold and how far recurrences are expanded.
const (
	MaxFeedBytes      = 5 << 20
	MaxOccurrences    = 5000
	MaxFeedsPerUser   = 20
	MaxAttendees      = 500
	ExpandPast        = 90 * 24 * time.Hour
	ExpandFuture      = 400 * 24 * time.Hour
	RefreshEvery      = 15 * time.Minute
	FetchTimeout      = 20 * time.Second
	maxTitleRunes     = 500
	maxTextRunes      = 10000
	maxFeedNameRunes  = 255
	maxFeedURLBytes   = 2048
	refreshBatchLimit = 200
)
