package rest

import (
	"strings"
	"time"
)

// zoneAbbreviations maps the abbreviations clients send in
// X-Client-Timezone to IANA zones, so daylight saving is applied correctly.
var zoneAbbreviations = map[string]string{
	"UTC": "UTC", "GMT": "UTC", "Z": "UTC",
	"EST": "America/New_York", "EDT": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage",
	"HST": "Pacific/Honolulu",
	"BST": "Europe/London", "WET": "Europe/Lisbon",
	"CET": "Europe/Paris", "CEST": "Europe/Paris",
	"EET": "Europe/Athens", "EEST": "Europe/Athens",
	"IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
	"AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}

// ParseTimezone resolves an IANA name or a common abbreviation. Unknown
// values fall back to UTC rather than failing the request.
func ParseTimezone(v string) *time.Location {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.UTC
	}
	if name, ok := zoneAbbreviations[strings.ToUpper(v)]; ok {
		v = name
	}
	// LoadLocation also accepts file paths; only zone names are wanted.
	if strings.Contains(v, "..") || strings.HasPrefix(v, "/") {
		return time.UTC
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return time.UTC
	}
	return loc
}
