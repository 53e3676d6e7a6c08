package realtime

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
)

// MaxTargets caps the users one advertised room targets.
const MaxTargets = 1000

// maxSnapshot caps the rooms of a discovery stream's snapshot.
const maxSnapshot = 1000

// ActiveRoom is a room advertised for discovery by the users it targets.
type ActiveRoom struct {
	Name             string         `json:"name"`
	OwnerID          string         `json:"ownerId"`
	OwnerDisplayName string         `json:"ownerDisplayName"`
	TargetUserIDs    []string       `json:"targetUserIds"`
	Metadata         map[string]any `json:"metadata"`
	CreatedAt        time.Time      `json:"createdAt"`
	UpdatedAt        time.Time      `json:"updatedAt"`

	id int64
}

// Advert is an advertisement to publish or replace.
type Advert struct {
	Name             string
	OwnerDisplayName string
	TargetUserIDs    []string
	Metadata         map[string]any
	// UserID repeats the owner, as the SDK sends it; it must be the
	// caller's user.
	UserID string
}

// AdvertPatch changes some fields of an advertised room; nil leaves a
// field as it is.
type AdvertPatch struct {
	OwnerDisplayName *string
	TargetUserIDs    *[]string
	Metadata         *map[string]any
	// UserID repeats the owner, as the SDK sends it.
	UserID string
}

// discoveryChange is the internal event of the discovery topic; each
// stream turns it into room-added, room-updated or room-removed for its
// user.
type discoveryChange struct {
	Room            ActiveRoom `json:"room"`
	PreviousTargets []string   `json:"previousTargets"`
	Removed         bool       `json:"removed"`
}

func discoveryTopic(orgID int64) string { return "discovery:" + strconv.FormatInt(orgID, 10) }

func validTargets(ids []string) ([]string, error) {
	if len(ids) > MaxTargets {
		return nil, fault.Invalid("targetUserIds", "validation_error", "at most %d target users", MaxTargets)
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		v, err := validID("targetUserIds", id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func validDisplayName(v string) (string, error) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > 200 {
		return "", fault.Invalid("ownerDisplayName", "validation_error", "ownerDisplayName must be at most 200 characters")
	}
	return v, nil
}

// Advertise publishes a room for discovery, owned by the caller's user.
// Advertising a name again replaces the room, which only its owner may do.
func (s *Service) Advertise(ctx context.Context, c caller.Caller, a Advert) (ActiveRoom, error) {
	owner, err := actingUser(c, a.UserID)
	if err != nil {
		return ActiveRoom{}, err
	}
	r := ActiveRoom{OwnerID: owner, Metadata: a.Metadata}
	if r.Name, err = validRoom("name", a.Name); err != nil {
		return ActiveRoom{}, err
	}
	if r.OwnerDisplayName, err = validDisplayName(a.OwnerDisplayName); err != nil {
		return ActiveRoom{}, err
	}
	if r.TargetUserIDs, err = validTargets(a.TargetUserIDs); err != nil {
		return ActiveRoom{}, err
	}
	meta, err := encodeMetadata("metadata", a.Metadata)
	if err != nil {
		return ActiveRoom{}, err
	}
	if r.Metadata == nil {
		r.Metadata = map[string]any{}
	}
	now := s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	prev, err := s.store.upsertActiveRoom(ctx, c.OrgID, &r, meta)
	if err != nil {
		return ActiveRoom{}, err
	}
	s.publish(ctx, discoveryTopic(c.OrgID), "discovery", 0, discoveryChange{Room: r, PreviousTargets: prev})
	return r, nil
}

// UpdateRoom changes an advertised room; only its owner may.
func (s *Service) UpdateRoom(ctx context.Context, c caller.Caller, name string, p AdvertPatch) (ActiveRoom, error) {
	owner, err := actingUser(c, p.UserID)
	if err != nil {
		return ActiveRoom{}, err
	}
	var r ActiveRoom
	var prev []string
	err = s.store.updateActiveRoom(ctx, c.OrgID, name, owner, func(cur *ActiveRoom) (string, error) {
		prev = slices.Clone(cur.TargetUserIDs)
		var err error
		if p.OwnerDisplayName != nil {
			if cur.OwnerDisplayName, err = validDisplayName(*p.OwnerDisplayName); err != nil {
				return "", err
			}
		}
		if p.TargetUserIDs != nil {
			if cur.TargetUserIDs, err = validTargets(*p.TargetUserIDs); err != nil {
				return "", err
			}
		}
		if p.Metadata != nil {
			cur.Metadata = *p.Metadata
			if cur.Metadata == nil {
				cur.Metadata = map[string]any{}
			}
		}
		cur.UpdatedAt = s.now()
		r = *cur
		return encodeMetadata("metadata", cur.Metadata)
	})
	if err != nil {
		return ActiveRoom{}, err
	}
	s.publish(ctx, discoveryTopic(c.OrgID), "discovery", 0, discoveryChange{Room: r, PreviousTargets: prev})
	return r, nil
}

// RemoveRoom withdraws an advertised room; only its owner may.
func (s *Service) RemoveRoom(ctx context.Context, c caller.Caller, name string) error {
	owner, err := actingUser(c, "")
	if err != nil {
		return err
	}
	r, err := s.store.deleteActiveRoom(ctx, c.OrgID, name, owner)
	if err != nil {
		return err
	}
	s.publish(ctx, discoveryTopic(c.OrgID), "discovery", 0, discoveryChange{Room: r, PreviousTargets: r.TargetUserIDs, Removed: true})
	return nil
}

// ActiveRooms lists the organization's advertised rooms, newest first;
// with a userID, only the rooms that target that user.
func (s *Service) ActiveRooms(ctx context.Context, c caller.Caller, userID string, r page.Request) (page.Page[ActiveRoom], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[ActiveRoom]{}, err
	}
	var at time.Time
	var id int64
	if r.After != "" {
		if at, id, err = page.ParseKeyCursor(r.After); err != nil {
			return page.Page[ActiveRoom]{}, err
		}
	}
	items, err := s.store.activeRooms(ctx, c.OrgID, strings.TrimSpace(userID), at, id, r.Limit+1)
	if err != nil {
		return page.Page[ActiveRoom]{}, err
	}
	return page.Of(items, r, -1, func(last ActiveRoom) string { return page.KeyCursor(last.CreatedAt, last.id) }), nil
}
