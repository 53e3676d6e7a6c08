package contextdoc

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore keeps context documents; every query names the organization,
// and every caller-facing one the app.
type sqlStore struct{ db *store.DB }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s sqlStore) insert(ctx context.Context, tx *jobs.Tx, userID int64, d *Document) error {
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO context_documents (uuid, org_id, meeting_id, app_id, created_by_user_id, title,
		context_type, source_format, filename, content_type, size_bytes, sha256, blob_key, file_status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.UUID, d.OrgID, d.MeetingID, d.AppID, nullID(userID), d.Title, d.ContextType, string(d.SourceFormat), d.Filename,
		d.ContentType, d.Size, d.SHA256, d.blobKey, d.FileStatus, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("insert context document: %w", err)
	}
	return nil
}

const columns = `d.id, d.uuid, d.org_id, o.uuid, d.meeting_id, m.uuid, d.app_id, a.uuid, a.name, COALESCE(u.uuid, ''),
	d.title, d.context_type, d.source_format, d.filename, d.content_type, d.size_bytes, d.sha256, d.blob_key, d.file_status,
	COALESCE(d.document_id, 0), d.report, d.processed_at, d.created_at, d.updated_at, d.deleted_at
	FROM context_documents d
	JOIN organizations o ON o.id = d.org_id
	JOIN meetings m ON m.id = d.meeting_id
	JOIN apps a ON a.id = d.app_id
	LEFT JOIN users u ON u.id = d.created_by_user_id`

func scanDocument(row interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var format, report string
	var processed, deleted sql.NullTime
	err := row.Scan(&d.ID, &d.UUID, &d.OrgID, &d.OrgUUID, &d.MeetingID, &d.MeetingUUID, &d.AppID, &d.AppUUID, &d.PlatformName, &d.CreatedBy,
		&d.Title, &d.ContextType, &format, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.blobKey, &d.FileStatus,
		&d.documentID, &report, &processed, &d.CreatedAt, &d.UpdatedAt, &deleted)
	if err != nil {
		return Document{}, err
	}
	d.SourceFormat, d.ProcessedAt, d.DeletedAt = Format(format), processed.Time, deleted.Time
	if report != "" {
		d.Report = &Report{}
		if err := json.Unmarshal([]byte(report), d.Report); err != nil {
			return Document{}, fmt.Errorf("decode report of context document %s: %w", d.UUID, err)
		}
	}
	return d, nil
}

// byUUID loads a live document of the caller's app in a meeting.
func (s sqlStore) byUUID(ctx context.Context, c caller.Caller, meetingID int64, id string) (Document, error) {
	d, err := scanDocument(s.db.QueryRow(ctx, `SELECT `+columns+`
		WHERE d.org_id = ? AND d.meeting_id = ? AND d.app_id = ? AND d.uuid = ? AND d.deleted_at IS NULL`, c.OrgID, meetingID, c.AppID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fault.NotFound("context document")
	}
	if err != nil {
		return Document{}, fmt.Errorf("load context document %s: %w", id, err)
	}
	return d, nil
}

// byID loads a document for the processing job, deleted or not.
func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Document, error) {
	d, err := scanDocument(s.db.QueryRow(ctx, `SELECT `+columns+` WHERE d.org_id = ? AND d.id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fault.NotFound("context document")
	}
	if err != nil {
		return Document{}, fmt.Errorf("load context document %d: %w", id, err)
	}
	return d, nil
}

func (s sqlStore) list(ctx context.Context, c caller.Caller, meetingID int64, r page.Request) (page.Page[Document], error) {
	const where = ` WHERE d.org_id = ? AND d.meeting_id = ? AND d.app_id = ? AND d.deleted_at IS NULL`
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM context_documents d`+where, c.OrgID, meetingID, c.AppID).Scan(&total); err != nil {
		return page.Page[Document]{}, fmt.Errorf("count context documents: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+columns+where+` ORDER BY d.created_at, d.id LIMIT ? OFFSET ?`,
		c.OrgID, meetingID, c.AppID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Document]{}, fmt.Errorf("list context documents: %w", err)
	}
	defer rows.Close()
	var items []Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return page.Page[Document]{}, fmt.Errorf("scan context document: %w", err)
		}
		items = append(items, d)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Document]{}, fmt.Errorf("list context documents: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

// softDelete marks a live document deleted in one conditional write and
// returns the id of its text's documents row (0 when not processed yet).
func (s sqlStore) softDelete(ctx context.Context, tx *jobs.Tx, c caller.Caller, meetingID int64, id string, now time.Time) (int64, error) {
	var docID int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `UPDATE context_documents SET deleted_at = ?, updated_at = ?
		WHERE org_id = ? AND meeting_id = ? AND app_id = ? AND uuid = ? AND deleted_at IS NULL
		RETURNING COALESCE(document_id, 0)`, now, now, c.OrgID, meetingID, c.AppID, id).Scan(&docID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFound("context document")
	}
	if err != nil {
		return 0, fmt.Errorf("delete context document %s: %w", id, err)
	}
	return docID, nil
}

// deleteText removes a document's extracted text from the documents that
// search reads.
func (s sqlStore) deleteText(ctx context.Context, tx *jobs.Tx, orgID, docID int64) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `DELETE FROM documents WHERE id = ? AND org_id = ?`, docID, orgID); err != nil {
		return fmt.Errorf("delete text of document %d: %w", docID, err)
	}
	return nil
}

func (s sqlStore) setStatus(ctx context.Context, orgID, id int64, status string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE context_documents SET file_status = ?, updated_at = ?
		WHERE org_id = ? AND id = ? AND deleted_at IS NULL AND file_status <> 'processed'`, status, now, orgID, id)
	if err != nil {
		return fmt.Errorf("set status of context document %d: %w", id, err)
	}
	return nil
}

// saveText stores a document's text as a documents row sharing its uuid,
// where the search index and Cloud search read documents.
func (s sqlStore) saveText(ctx context.Context, tx *jobs.Tx, d Document, text string, now time.Time) (int64, error) {
	if d.documentID != 0 {
		_, err := s.db.TxExec(ctx, tx.Tx, `UPDATE documents SET title = ?, content = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, d.Title, text, now, d.documentID, d.OrgID)
		if err != nil {
			return 0, fmt.Errorf("update text of context document %s: %w", d.UUID, err)
		}
		return d.documentID, nil
	}
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO documents (uuid, org_id, meeting_id, title, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.UUID, d.OrgID, d.MeetingID, d.Title, text, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert text of context document %s: %w", d.UUID, err)
	}
	return id, nil
}

// markProcessed records the outcome unless the document was deleted
// meanwhile, which it reports as false.
func (s sqlStore) markProcessed(ctx context.Context, tx *jobs.Tx, orgID, id, docID int64, rep Report, now time.Time) (bool, error) {
	b, err := json.Marshal(rep)
	if err != nil {
		return false, fmt.Errorf("encode report: %w", err)
	}
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE context_documents SET document_id = ?, file_status = 'processed', report = ?,
		processed_at = ?, updated_at = ? WHERE org_id = ? AND id = ? AND deleted_at IS NULL`, docID, string(b), now, now, orgID, id)
	if err != nil {
		return false, fmt.Errorf("mark context document %d processed: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s sqlStore) texts(ctx context.Context, c caller.Caller, meetingID int64, ids []string) ([]Text, error) {
	query := `SELECT d.uuid, d.title, t.content FROM context_documents d JOIN documents t ON t.id = d.document_id
		WHERE d.org_id = ? AND d.meeting_id = ? AND d.app_id = ? AND d.deleted_at IS NULL`
	args := []any{c.OrgID, meetingID, c.AppID}
	if len(ids) > 0 {
		query += ` AND d.uuid IN (` + store.Placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := s.db.Query(ctx, query+` ORDER BY d.created_at, d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load texts of context documents: %w", err)
	}
	defer rows.Close()
	var out []Text
	for rows.Next() {
		var t Text
		if err := rows.Scan(&t.ID, &t.Title, &t.Text); err != nil {
			return nil, fmt.Errorf("scan context document text: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s sqlStore) countLive(ctx context.Context, c caller.Caller, ids []string) (int, error) {
	ids = dedupe(ids)
	args := []any{c.OrgID, c.AppID}
	for _, id := range ids {
		args = append(args, id)
	}
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM context_documents WHERE org_id = ? AND app_id = ? AND deleted_at IS NULL
		AND uuid IN (`+store.Placeholders(len(ids))+`)`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("check context documents: %w", err)
	}
	return n, nil
}

func (s sqlStore) foreign(ctx context.Context, c caller.Caller, ids []string) (map[string]bool, error) {
	args := []any{c.OrgID, c.AppID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `SELECT uuid FROM context_documents WHERE org_id = ? AND (app_id <> ? OR deleted_at IS NOT NULL)
		AND uuid IN (`+store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("check context documents: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan context document id: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
