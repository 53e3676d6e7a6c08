package media

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore keeps media imports; every query names the organization.
type sqlStore struct{ db *store.DB }

// upsert starts a new import of a meeting, replacing the previous one.
func (s sqlStore) upsert(ctx context.Context, tx *jobs.Tx, imp Import, appID int64) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO media_imports (org_id, meeting_id, app_id, source_url, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET app_id = excluded.app_id, source_url = excluded.source_url, blob_key = '',
			content_type = '', size_bytes = 0, kind = '', format = '', duration_sec = 0, status = excluded.status, error = '',
			updated_at = excluded.updated_at
		RETURNING id`, imp.OrgID, imp.MeetingID, appID, imp.SourceURL, string(imp.Status), imp.CreatedAt, imp.UpdatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert media import: %w", err)
	}
	return id, nil
}

const columns = `i.id, i.org_id, i.meeting_id, m.uuid, i.source_url, i.blob_key, i.content_type, i.size_bytes, i.kind, i.format,
	i.duration_sec, i.status, i.error, i.created_at, i.updated_at
	FROM media_imports i JOIN meetings m ON m.id = i.meeting_id`

func scanImport(row *sql.Row) (Import, error) {
	var i Import
	var kind, status string
	err := row.Scan(&i.ID, &i.OrgID, &i.MeetingID, &i.MeetingUUID, &i.SourceURL, &i.BlobKey, &i.ContentType, &i.Size, &kind,
		&i.Format, &i.Duration, &status, &i.Error, &i.CreatedAt, &i.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Import{}, fault.NotFound("media import")
	}
	if err != nil {
		return Import{}, fmt.Errorf("load media import: %w", err)
	}
	i.Kind, i.Status = Kind(kind), Status(status)
	return i, nil
}

func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Import, error) {
	return scanImport(s.db.QueryRow(ctx, `SELECT `+columns+` WHERE i.org_id = ? AND i.id = ?`, orgID, id))
}

func (s sqlStore) byMeeting(ctx context.Context, orgID int64, meetingUUID string) (Import, error) {
	return scanImport(s.db.QueryRow(ctx, `SELECT `+columns+` WHERE i.org_id = ? AND m.uuid = ?`, orgID, meetingUUID))
}

// stored records where the downloaded file went and what it is; an import
// replaced meanwhile (another id) is left alone.
func (s sqlStore) stored(ctx context.Context, tx *jobs.Tx, imp Import, key, contentType string, size int64, kind Kind, p Probe, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx.Tx, `UPDATE media_imports SET blob_key = ?, content_type = ?, size_bytes = ?, kind = ?, format = ?,
		duration_sec = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		key, contentType, size, string(kind), p.Format, p.Duration, now, imp.OrgID, imp.ID)
	if err != nil {
		return fmt.Errorf("update media import %d: %w", imp.ID, err)
	}
	return nil
}

// setStatus moves an import to status, in tx when given.
func (s sqlStore) setStatus(ctx context.Context, tx *jobs.Tx, imp Import, status Status, msg string, now time.Time) error {
	const q = `UPDATE media_imports SET status = ?, error = ?, updated_at = ? WHERE org_id = ? AND id = ?`
	var err error
	if tx != nil {
		_, err = s.db.TxExec(ctx, tx.Tx, q, string(status), msg, now, imp.OrgID, imp.ID)
	} else {
		_, err = s.db.Exec(ctx, q, string(status), msg, now, imp.OrgID, imp.ID)
	}
	if err != nil {
		return fmt.Errorf("set status of media import %d: %w", imp.ID, err)
	}
	return nil
}
