// Package participant holds the people of a meeting: workspace users and
// guests invited by email, each an EDITOR or a VIEWER.
package participant

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
)

// MaxNameRunes bounds a participant's name.
const MaxNameRunes = 255

// Participant is one person of a meeting. A participant whose email is
// that of a member of the meeting's workspace is that user; anyone else is
// a guest.
type Participant struct {
	ID          int64
	UUID        string
	MeetingID   int64
	MeetingUUID string
	UserID      int64
	UserUUID    string // empty for a guest
	Email       string
	Name        string
	Role        meeting.Role
	IsAttended  bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// New is the input for adding a participant.
type New struct {
	Email string
	Name  string
	Role  string
}

func (n *New) validate() error {
	email, err := identity.NormalizeEmail(n.Email)
	if err != nil {
		return fault.Invalid("email", "validation_error", "email must be a valid address")
	}
	n.Email = email
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || utf8.RuneCountInString(n.Name) > MaxNameRunes || !utf8.ValidString(n.Name) || strings.ContainsRune(n.Name, 0) {
		return fault.Invalid("name", "validation_error", "name must be 1 to %d characters", MaxNameRunes)
	}
	if !meeting.Role(n.Role).Valid() {
		return fault.Invalid("role", "validation_error", "role must be EDITOR or VIEWER")
	}
	return nil
}
