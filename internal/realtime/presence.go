package realtime

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// Presence records which users of an organization are online: a heartbeat
// sets a per-user TTL, Clear ends it at once.
type Presence interface {
	Set(ctx context.Context, orgID int64, user string) error
	Clear(ctx context.Context, orgID int64, user string) error
	// Online lists the organization's online users, in no order.
	Online(ctx context.Context, orgID int64) ([]string, error)
	Close() error
}

// localPresence is the in-process Presence.
type localPresence struct {
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	users map[int64]map[string]time.Time // expiry per user
}

func newLocalPresence(ttl time.Duration) *localPresence {
	return &localPresence{ttl: ttl, now: time.Now, users: map[int64]map[string]time.Time{}}
}

func (p *localPresence) Set(_ context.Context, orgID int64, user string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.users[orgID]
	if m == nil {
		m = map[string]time.Time{}
		p.users[orgID] = m
	}
	m[user] = p.now().Add(p.ttl)
	return nil
}

func (p *localPresence) Clear(_ context.Context, orgID int64, user string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.users[orgID], user)
	return nil
}

func (p *localPresence) Online(_ context.Context, orgID int64) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var out []string
	for u, exp := range p.users[orgID] {
		if now.Before(exp) {
			out = append(out, u)
		} else {
			delete(p.users[orgID], u)
		}
	}
	return out, nil
}

func (*localPresence) Close() error { return nil }

// actingUser is the end user a request acts for: the caller's own. The SDK
// repeats it as userId in bodies; a different one is refused, so a user can
// neither speak nor appear online as someone else.
func actingUser(c caller.Caller, userID string) (string, error) {
	userID = strings.TrimSpace(userID)
	if c.UserRef == "" {
		return "", fault.Forbidden("forbidden", "this credential does not act for a user")
	}
	if userID != "" && userID != c.UserRef {
		return "", fault.Forbidden("user_mismatch", "userId must be the user the cloud token was issued for")
	}
	return c.UserRef, nil
}

// Heartbeat marks the caller's user online for the presence TTL.
func (s *Service) Heartbeat(ctx context.Context, c caller.Caller, userID string) error {
	u, err := actingUser(c, userID)
	if err != nil {
		return err
	}
	return s.presence.Set(ctx, c.OrgID, u)
}

// Offline marks the caller's user offline at once.
func (s *Service) Offline(ctx context.Context, c caller.Caller, userID string) error {
	u, err := actingUser(c, userID)
	if err != nil {
		return err
	}
	return s.presence.Clear(ctx, c.OrgID, u)
}

// Online lists the online users of the caller's organization, sorted.
func (s *Service) Online(ctx context.Context, c caller.Caller) ([]string, error) {
	users, err := s.presence.Online(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	slices.Sort(users)
	if users == nil {
		users = []string{}
	}
	return users, nil
}

// Profile is the metadata an app keeps about one of its users, which
// presence relationships compare.
type Profile struct {
	ID        string         `json:"id"`
	UserID    string         `json:"userId"`
	Metadata  map[string]any `json:"metadata"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// maxMetadataBytes caps a profile's or advertised room's metadata.
const maxMetadataBytes = 16 << 10

func encodeMetadata(field string, m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fault.Invalid(field, "validation_error", "metadata must be a JSON object")
	}
	if len(b) > maxMetadataBytes {
		return "", fault.Invalid(field, "validation_error", "metadata must be at most %d bytes of JSON", maxMetadataBytes)
	}
	return string(b), nil
}

func validID(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 254 || strings.ContainsFunc(v, isControl) {
		return "", fault.Invalid(field, "validation_error", "%s must be 1 to 254 characters without control characters", field)
	}
	return v, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// PutProfile creates or replaces the caller's profile profileID. A profile
// belongs to the user who created it; another user's is refused.
func (s *Service) PutProfile(ctx context.Context, c caller.Caller, profileID, userID string, metadata map[string]any) (Profile, error) {
	u, err := actingUser(c, userID)
	if err != nil {
		return Profile{}, err
	}
	if profileID, err = validID("profileId", profileID); err != nil {
		return Profile{}, err
	}
	meta, err := encodeMetadata("metadata", metadata)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{ID: profileID, UserID: u, Metadata: metadata, UpdatedAt: s.now()}
	if p.Metadata == nil {
		p.Metadata = map[string]any{}
	}
	if err := s.store.putProfile(ctx, c.OrgID, p, meta); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Profile returns a profile of the caller's organization.
func (s *Service) Profile(ctx context.Context, c caller.Caller, profileID string) (Profile, error) {
	return s.store.profile(ctx, c.OrgID, profileID)
}

// Relationships lists the online users of the caller's organization whose
// profile's userField matches the callerField of the caller's profile
// profileID: equal values, or, when the user's field is a list, a list
// that contains the caller's value. The caller is never in the result.
func (s *Service) Relationships(ctx context.Context, c caller.Caller, profileID, userField, callerField string) ([]string, error) {
	if strings.TrimSpace(profileID) == "" {
		return nil, fault.Invalid("profileId", "validation_error", "profileId is required")
	}
	if strings.TrimSpace(userField) == "" {
		return nil, fault.Invalid("userField", "validation_error", "userField is required")
	}
	if strings.TrimSpace(callerField) == "" {
		return nil, fault.Invalid("callerField", "validation_error", "callerField is required")
	}
	me, err := s.store.profile(ctx, c.OrgID, profileID)
	if err != nil {
		return nil, err
	}
	if me.UserID != c.UserRef {
		return nil, fault.Forbidden("forbidden", "profile %s is not the caller's", profileID)
	}
	want, ok := me.Metadata[callerField]
	out := []string{}
	if !ok || want == nil {
		return out, nil
	}
	online, err := s.presence.Online(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	online = slices.DeleteFunc(online, func(u string) bool { return u == c.UserRef })
	if len(online) == 0 {
		return out, nil
	}
	profiles, err := s.store.profilesOf(ctx, c.OrgID, online)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range profiles {
		if !seen[p.UserID] && matches(p.Metadata[userField], want) {
			seen[p.UserID] = true
			out = append(out, p.UserID)
		}
	}
	slices.Sort(out)
	return out, nil
}

func matches(have, want any) bool {
	if have == nil {
		return false
	}
	if list, ok := have.([]any); ok {
		if _, wantList := want.([]any); !wantList {
			return slices.ContainsFunc(list, func(v any) bool { return reflect.DeepEqual(v, want) })
		}
	}
	return reflect.DeepEqual(have, want)
}
