package meeting

import (
	"context"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// Role is a caller's role on one meeting, in the Partner API's words.
type Role string

// The roles. The meeting's creator is an editor.
const (
	RoleEditor Role = "EDITOR"
	RoleViewer Role = "VIEWER"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleEditor || r == RoleViewer }

// Access is one meeting as the rules about it need it: its ids and what
// the caller may do with it.
type Access struct {
	ID      int64
	UUID    string
	OrgID   int64
	OrgUUID string
	Title   string
	Role    Role
}

// CanEdit reports whether the caller may change the meeting and what
// hangs off it.
func (a Access) CanEdit() bool { return a.Role == RoleEditor }

// RequireEditor refuses a caller who may only read the meeting.
func (a Access) RequireEditor() error {
	if !a.CanEdit() {
		return fault.Forbidden("forbidden", "only an editor of this meeting may change it")
	}
	return nil
}

// Access loads a meeting of the caller's organization with the caller's
// role on it. Every member of a workspace reads its meetings; a user edits
// one as its creator, as an EDITOR participant, or as the workspace's owner
// or admin, and otherwise views it. A client-credentials token (an app with
// no user) views; Quorum itself and the other surfaces' credentials edit.
func (s *Service) Access(ctx context.Context, c caller.Caller, id string) (Access, error) {
	a, ref, err := s.store.access(ctx, c.OrgID, c.UserID, id)
	if err != nil {
		return Access{}, err
	}
	a.Role = roleOf(c, ref)
	return a, nil
}

// roleRefs are the rows a role is decided from.
type roleRefs struct {
	creator     bool
	participant string
	orgRole     string
}

func roleOf(c caller.Caller, r roleRefs) Role {
	switch c.Credential {
	case caller.AppToken:
		return RoleViewer
	case caller.UserToken:
	default:
		return RoleEditor
	}
	switch {
	case r.creator, r.orgRole == "owner", r.orgRole == "admin":
		return RoleEditor
	case r.participant != "":
		return Role(r.participant)
	}
	return RoleViewer
}

// RequireUser refuses a caller that is no Quorum user (a client-credentials
// token) an operation that acts for a person.
func RequireUser(c caller.Caller) error {
	if c.Credential == caller.AppToken {
		return fault.Forbidden("forbidden", "this operation needs a user's token; client-credentials tokens act for no user")
	}
	return nil
}

// Viewable returns the meeting when the caller may read it; another
// organization's meeting is not found.
func (s *Service) Viewable(ctx context.Context, c caller.Caller, id string) (Meeting, error) {
	return s.Get(ctx, c, id)
}

// Editable returns the meeting when the caller may change what hangs off
// it (documents, sessions); a caller who may only read it is refused.
func (s *Service) Editable(ctx context.Context, c caller.Caller, id string) (Meeting, error) {
	a, err := s.Access(ctx, c, id)
	if err != nil {
		return Meeting{}, err
	}
	if err := a.RequireEditor(); err != nil {
		return Meeting{}, err
	}
	return s.Get(ctx, c, id)
}
