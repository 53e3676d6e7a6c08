package meeting

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
)

// Merge folds meeting from into meeting into, both of the caller's
// organization: from's participants (those into lacks), agenda items and
// action items move over, and from stays behind as a pointer, so a GET of
// its id answers with a redirect to into. Meetings merged into from earlier
// now point at into too: a redirect is always one hop.
func (s *Service) Merge(ctx context.Context, c caller.Caller, from, into string) (Meeting, error) {
	if from == into {
		return Meeting{}, fault.Invalid("into", "invalid_request", "a meeting cannot be merged into itself")
	}
	var m Meeting
	now := s.now()
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		src, err := s.store.lockByUUID(ctx, tx.Tx, c.OrgID, from, now)
		if err != nil {
			return err
		}
		if m, err = s.store.lockByUUID(ctx, tx.Tx, c.OrgID, into, now); err != nil {
			return err
		}
		if src.MergedInto != "" || m.MergedInto != "" {
			return fault.Conflict("meeting_merged", "a meeting that was merged into another cannot be merged again")
		}
		if err := s.store.merge(ctx, tx.Tx, src.ID, m.ID, now); err != nil {
			return err
		}
		return s.emitUpdated(ctx, tx, c, m)
	})
	return m, err
}

// Copy copies a meeting of the caller's organization into organization
// to (which may be the same): title, times, status, detail level,
// transcript and participants (a participant keeps its user only when that
// user belongs to the target workspace). Agenda and action items stay with
// the original. The copy remembers the original's id, so a GET of that id
// from the target workspace answers with a redirect to the copy.
func (s *Service) Copy(ctx context.Context, c caller.Caller, id string, to int64) (Meeting, error) {
	src, err := s.store.byUUID(ctx, c.OrgID, id)
	if err != nil {
		return Meeting{}, err
	}
	now := s.now()
	target := caller.ForSystem(to)
	cp := src
	cp.ID, cp.UUID, cp.OrgID, cp.CopiedFrom = 0, uuid.NewString(), to, src.UUID
	cp.CreatedAt, cp.UpdatedAt, cp.TranscriptVersion = now, now, 0
	if cp.SegmentCount > 0 {
		cp.TranscriptVersion = 1
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		creator, err := s.store.creatorIn(ctx, tx.Tx, src.ID, to)
		if err != nil {
			return err
		}
		if err := s.store.insert(ctx, tx.Tx, &cp, creator); err != nil {
			return err
		}
		if err := s.store.copyContent(ctx, tx.Tx, src.ID, cp, uuid.NewString); err != nil {
			return err
		}
		if cp.SegmentCount > 0 {
			if err := s.changed(ctx, tx, cp); err != nil {
				return err
			}
		}
		if cp, err = s.store.txByID(ctx, tx.Tx, to, cp.ID); err != nil {
			return err
		}
		return s.emitCreated(ctx, tx, target, cp)
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("copy meeting %s: %w", id, err)
	}
	return cp, nil
}

// ExportSRT renders a meeting's transcript, imported through any surface,
// as SubRip subtitles with the speaker before each cue's text. A meeting
// without a transcript is not found.
func (s *Service) ExportSRT(ctx context.Context, c caller.Caller, id string) ([]byte, error) {
	a, err := s.Access(ctx, c, id)
	if err != nil {
		return nil, err
	}
	segs, err := s.store.segments(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	n := 0
	for i, seg := range segs {
		text := strings.TrimSpace(seg.Text)
		if text == "" {
			continue
		}
		end := seg.End
		if end <= seg.Start {
			// A cue needs a positive duration: run to the next segment, or
			// two seconds.
			end = seg.Start + 2
			if i+1 < len(segs) && segs[i+1].Start > seg.Start {
				end = segs[i+1].Start
			}
		}
		if seg.Speaker != "" {
			text = seg.Speaker + ": " + text
		}
		n++
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", n, srtClock(seg.Start), srtClock(end), text)
	}
	if n == 0 {
		return nil, fault.NotFound("transcript")
	}
	return []byte(b.String()), nil
}

// srtClock formats seconds as HH:MM:SS,mmm.
func srtClock(sec float64) string {
	ms := int64(sec*1000 + 0.5)
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}
