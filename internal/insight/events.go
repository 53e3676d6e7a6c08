package insight

import "github.com/quorumhq/quorum/internal/event"

// SetEvents makes the service emit its events (meeting.context.created when
// a document is added to a meeting) through e. Call it once while wiring.
func (s *Service) SetEvents(e event.Emitter) { s.events = e }
