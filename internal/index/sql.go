package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store"
)

// insertBatch is how many rows one multi-row INSERT writes: 500 rows of
// five columns stay far below both databases' limits on parameters.
const insertBatch = 500

// document is what indexing reads of a document.
type document struct {
	uuid        string
	content     string
	meetingID   sql.NullInt64
	meetingUUID string
}

// document loads a document with its meeting; found is false when it is gone.
func (s *Service) document(ctx context.Context, a Args) (document, bool, error) {
	var d document
	var meetingUUID sql.NullString
	err := s.db.QueryRow(ctx, `SELECT d.uuid, d.content, d.meeting_id, m.uuid FROM documents d
		LEFT JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ? AND d.org_id = ?`, a.SourceID, a.OrgID).
		Scan(&d.uuid, &d.content, &d.meetingID, &meetingUUID)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("load document %d: %w", a.SourceID, err)
	}
	d.meetingUUID = meetingUUID.String
	return d, true, nil
}

// impact is a term's weight in a group's postings: the BM25 term-frequency
// factor at group level, against a fixed reference length rather than the
// organization's mean, so that it never changes once written; a group's
// postings are deleted by recomputing it.
func impact(occurrences, groupTerms int) int {
	const k1, b, ref = 1.2, 0.75, 10000.0
	tf := float64(occurrences)
	return int(math.Round(1000 * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(groupTerms)/ref))))
}

// delta is how one indexing run changes an organization's statistics.
type delta struct {
	groups, chunks, terms int64
	byTerm                map[string][2]int64 // term -> groups, chunks
}

func (d *delta) add(g *search.Group, sign int64) {
	d.groups += sign
	d.chunks += sign * int64(g.Len())
	d.terms += sign * int64(g.Terms())
	g.EachTerm(func(term string, _, chunks int) {
		n := d.byTerm[term]
		d.byTerm[term] = [2]int64{n[0] + sign, n[1] + sign*int64(chunks)}
	})
}

// store replaces the stored group of a source with g (nil removes it),
// unless the transcript g was cut from has been replaced since.
func (s *Service) store(ctx context.Context, a Args, g *search.Group, read readState) (superseded bool, err error) {
	var body []byte
	if g != nil {
		body = g.Encode()
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockOrg(ctx, tx, a.OrgID); err != nil {
			return err
		}
		if a.Source == SourceTranscript {
			current, err := s.transcriptVersion(ctx, tx, a)
			if err != nil {
				return err
			}
			if current != read.transcriptVersion {
				superseded = true
				return nil
			}
		}
		d := &delta{byTerm: map[string][2]int64{}}
		if err := s.dropGroup(ctx, tx, a, d); err != nil {
			return err
		}
		if g != nil {
			if err := s.addGroup(ctx, tx, a, g, read, body, d); err != nil {
				return err
			}
		}
		return s.applyDelta(ctx, tx, a.OrgID, d)
	})
	return superseded, err
}

// lockOrg makes indexing runs of one organization take turns on
// PostgreSQL: they update the same statistics rows, and one run's delete
// must not miss the group another is inserting for the same source.
// SQLite's single writer already serializes them.
func (s *Service) lockOrg(ctx context.Context, tx *sql.Tx, orgID int64) error {
	if s.db.Dialect != store.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, fmt.Sprint("search_index:", orgID)); err != nil {
		return fmt.Errorf("lock search index of organization %d: %w", orgID, err)
	}
	return nil
}

// transcriptVersion returns the meeting's current transcript version, or
// noMeeting when it no longer exists.
func (s *Service) transcriptVersion(ctx context.Context, tx *sql.Tx, a Args) (int64, error) {
	var v int64
	err := s.db.TxQueryRow(ctx, tx, `SELECT transcript_version FROM meetings WHERE id = ? AND org_id = ?`, a.SourceID, a.OrgID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return noMeeting, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read transcript version of meeting %d: %w", a.SourceID, err)
	}
	return v, nil
}

// dropGroup deletes the stored group of a source with its postings and
// takes its share out of d.
func (s *Service) dropGroup(ctx context.Context, tx *sql.Tx, a Args, d *delta) error {
	var id int64
	var body []byte
	err := s.db.TxQueryRow(ctx, tx, `SELECT id, body FROM search_groups WHERE source = ? AND source_id = ? AND org_id = ?`,
		a.Source, a.SourceID, a.OrgID).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load indexed %s %d: %w", a.Source, a.SourceID, err)
	}
	old, err := search.DecodeGroup(body)
	if err != nil {
		return fmt.Errorf("decode indexed %s %d: %w", a.Source, a.SourceID, err)
	}
	del, err := tx.PrepareContext(ctx, s.db.Rebind(`DELETE FROM search_postings
		WHERE org_id = ? AND source = ? AND term = ? AND impact = ? AND group_id = ?`))
	if err != nil {
		return fmt.Errorf("prepare posting delete: %w", err)
	}
	defer del.Close()
	old.EachTerm(func(term string, occurrences, _ int) {
		if err == nil {
			_, err = del.ExecContext(ctx, a.OrgID, a.Source, term, impact(occurrences, old.Terms()), id)
		}
	})
	if err != nil {
		return fmt.Errorf("delete postings of %s %d: %w", a.Source, a.SourceID, err)
	}
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM search_groups WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete indexed %s %d: %w", a.Source, a.SourceID, err)
	}
	d.add(old, -1)
	return nil
}

// addGroup stores g with its postings and adds its share to d.
func (s *Service) addGroup(ctx context.Context, tx *sql.Tx, a Args, g *search.Group, read readState, body []byte, d *delta) error {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO search_groups (org_id, source, source_id, meeting_id, chunks, terms, body)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.OrgID, a.Source, a.SourceID, read.meetingID, g.Len(), g.Terms(), body).Scan(&id)
	if err != nil {
		return fmt.Errorf("store indexed %s %d: %w", a.Source, a.SourceID, err)
	}
	var rows []any
	g.EachTerm(func(term string, occurrences, _ int) {
		rows = append(rows, a.OrgID, a.Source, term, impact(occurrences, g.Terms()), id)
	})
	if err := s.insertRows(ctx, tx, `INSERT INTO search_postings (org_id, source, term, impact, group_id) VALUES `, ``, 5, rows); err != nil {
		return fmt.Errorf("store postings of %s %d: %w", a.Source, a.SourceID, err)
	}
	d.add(g, +1)
	return nil
}

// applyDelta adds d to the organization's statistics and bumps its index
// version.
func (s *Service) applyDelta(ctx context.Context, tx *sql.Tx, orgID int64, d *delta) error {
	var rows []any
	for term, n := range d.byTerm {
		if n != [2]int64{} {
			rows = append(rows, orgID, term, n[0], n[1])
		}
	}
	err := s.insertRows(ctx, tx, `INSERT INTO search_terms (org_id, term, n_groups, n_chunks) VALUES `,
		` ON CONFLICT (org_id, term) DO UPDATE SET n_groups = search_terms.n_groups + excluded.n_groups,
		n_chunks = search_terms.n_chunks + excluded.n_chunks`, 4, rows)
	if err != nil {
		return fmt.Errorf("update term statistics of organization %d: %w", orgID, err)
	}
	_, err = s.db.TxExec(ctx, tx, `INSERT INTO search_stats (org_id, n_groups, n_chunks, n_terms, version) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (org_id) DO UPDATE SET n_groups = search_stats.n_groups + excluded.n_groups,
		n_chunks = search_stats.n_chunks + excluded.n_chunks, n_terms = search_stats.n_terms + excluded.n_terms,
		version = search_stats.version + 1`, orgID, d.groups, d.chunks, d.terms)
	if err != nil {
		return fmt.Errorf("update index statistics of organization %d: %w", orgID, err)
	}
	return nil
}

// insertRows runs head + "(?, ...), (?, ...)" + tail over rows, a flat list
// of width values per row, insertBatch rows at a time.
func (s *Service) insertRows(ctx context.Context, tx *sql.Tx, head, tail string, width int, rows []any) error {
	for len(rows) > 0 {
		n := min(len(rows)/width, insertBatch)
		row := "(" + store.Placeholders(width) + ")"
		q := head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail
		if _, err := tx.ExecContext(ctx, s.db.Rebind(q), rows[:n*width]...); err != nil {
			return err
		}
		rows = rows[n*width:]
	}
	return nil
}
