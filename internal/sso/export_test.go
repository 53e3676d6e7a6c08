package sso

import "time"

// SetNow replaces the service's clock.
func SetNow(s *Service, now func() time.Time) { s.now = now }
