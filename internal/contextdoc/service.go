package contextdoc

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/blob"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Access decides what a caller may do with a meeting. The participant
// service implements it with the meeting's EDITOR and VIEWER roles;
// OrgAccess stands in until it exists.
type Access interface {
	// Viewable returns the meeting when the caller may read it, and
	// fault.NotFound otherwise (also for another organization's meeting).
	Viewable(ctx context.Context, c caller.Caller, meetingUUID string) (meeting.Meeting, error)
	// Editable returns the meeting when the caller may change it: not found
	// as for Viewable, fault.Forbidden for a caller who may only read it.
	Editable(ctx context.Context, c caller.Caller, meetingUUID string) (meeting.Meeting, error)
}

// OrgAccess lets every caller of a meeting's organization read and change
// it: the rule until meeting participants and their roles exist.
type OrgAccess struct{ Meetings *meeting.Service }

// Viewable implements Access.
func (a OrgAccess) Viewable(ctx context.Context, c caller.Caller, meetingUUID string) (meeting.Meeting, error) {
	return a.Meetings.Get(ctx, c, meetingUUID)
}

// Editable implements Access.
func (a OrgAccess) Editable(ctx context.Context, c caller.Caller, meetingUUID string) (meeting.Meeting, error) {
	return a.Meetings.Get(ctx, c, meetingUUID)
}

// Indexer queues (re)indexing of a document in a transaction; the search
// index service implements it.
type Indexer interface {
	Enqueue(ctx context.Context, tx *jobs.Tx, orgID int64, source string, sourceID int64) error
}

// indexSource is the search index's source kind for documents.
const indexSource = "document"

// Service holds the rules for context documents.
type Service struct {
	db      *store.DB
	store   sqlStore
	queue   *jobs.Queue
	blobs   blob.Store
	access  Access
	index   Indexer
	events  event.Emitter
	logger  *slog.Logger
	timeout time.Duration
	now     func() time.Time
}

// Config assembles a Service. Events may be nil.
type Config struct {
	DB     *store.DB
	Queue  *jobs.Queue
	Blobs  blob.Store
	Access Access
	Index  Indexer
	Events event.Emitter
	Logger *slog.Logger
	// JobTimeout bounds one processing run (JobTimeout when zero).
	JobTimeout time.Duration
}

// JobTimeout bounds one processing run: reading at most 10 MiB, parsing
// it and scanning at most 2 MiB of text take well under a second; a minute
// leaves room for a slow blob store.
const JobTimeout = time.Minute

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return &Service{db: c.DB, store: sqlStore{db: c.DB}, queue: c.Queue, blobs: c.Blobs, access: c.Access, index: c.Index,
		events: c.Events, logger: c.Logger, timeout: cmp.Or(c.JobTimeout, JobTimeout), now: func() time.Time { return time.Now().UTC() }}
}

// Upload stores a file for a meeting the caller may edit and queues its
// processing. The bytes must be what the declared source format says.
func (s *Service) Upload(ctx context.Context, c caller.Caller, u Upload) (Document, error) {
	f, err := u.validate()
	if err != nil {
		return Document{}, err
	}
	m, err := s.access.Editable(ctx, c, u.MeetingID)
	if err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(u.Data)
	now := s.now()
	d := Document{UUID: uuid.NewString(), OrgID: c.OrgID, MeetingID: m.ID, MeetingUUID: m.UUID, AppID: c.AppID,
		Title: u.Title, ContextType: u.ContextType, SourceFormat: f, Filename: u.Filename,
		ContentType: contentType(f, u.ContentType), Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:]),
		FileStatus: StatusUploaded, CreatedAt: now, UpdatedAt: now}
	d.blobKey = "context/" + strconv.FormatInt(c.OrgID, 10) + "/" + d.UUID
	// The blob is written first: a crash before the row commits leaves an
	// unreferenced object, never a row without its bytes.
	if err := s.blobs.Put(ctx, d.blobKey, u.Data, d.ContentType); err != nil {
		return Document{}, err
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx, c.UserID, &d); err != nil {
			return err
		}
		if _, err := tx.Insert(ctx, ProcessArgs{OrgID: c.OrgID, DocumentID: d.ID}, nil); err != nil {
			return fmt.Errorf("queue processing of context document %s: %w", d.UUID, err)
		}
		return s.emit(ctx, tx, c, ContextCreated, now, &CreatedData{ContextID: d.UUID, MeetingID: m.UUID, Title: d.Title, CreatedAt: now})
	})
	if err != nil {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), d.blobKey); derr != nil {
			s.logger.WarnContext(ctx, "remove blob of failed upload", "blob_key", d.blobKey, "error", derr)
		}
		return Document{}, err
	}
	return s.store.byUUID(ctx, c, m.ID, d.UUID)
}

// List pages through the caller's app's documents of a meeting, oldest
// first; deleted documents are left out.
func (s *Service) List(ctx context.Context, c caller.Caller, meetingUUID string, r page.Request) (page.Page[Document], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Document]{}, err
	}
	m, err := s.access.Viewable(ctx, c, meetingUUID)
	if err != nil {
		return page.Page[Document]{}, err
	}
	return s.store.list(ctx, c, m.ID, r)
}

// Get loads one of the caller's app's documents of a meeting.
func (s *Service) Get(ctx context.Context, c caller.Caller, meetingUUID, id string) (Document, error) {
	m, err := s.access.Viewable(ctx, c, meetingUUID)
	if err != nil {
		return Document{}, err
	}
	return s.store.byUUID(ctx, c, m.ID, id)
}

// Download returns a document with its bytes, exactly as uploaded.
func (s *Service) Download(ctx context.Context, c caller.Caller, meetingUUID, id string) (Document, []byte, error) {
	d, err := s.Get(ctx, c, meetingUUID, id)
	if err != nil {
		return Document{}, nil, err
	}
	data, err := blob.ReadAll(ctx, s.blobs, d.blobKey)
	if err != nil {
		return Document{}, nil, fmt.Errorf("read context document %s: %w", d.UUID, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != d.SHA256 {
		return Document{}, nil, fmt.Errorf("context document %s: stored bytes do not match their checksum", d.UUID)
	}
	return d, data, nil
}

// Delete soft-deletes a document: it leaves lists, downloads and the search
// index at once, while its row and bytes stay for audit.
func (s *Service) Delete(ctx context.Context, c caller.Caller, meetingUUID, id string) error {
	m, err := s.access.Editable(ctx, c, meetingUUID)
	if err != nil {
		return err
	}
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		docID, err := s.store.softDelete(ctx, tx, c, m.ID, id, now)
		if err != nil {
			return err
		}
		if docID != 0 {
			if err := s.store.deleteText(ctx, tx, c.OrgID, docID); err != nil {
				return err
			}
			// Indexing a document that no longer exists removes its chunks.
			if err := s.index.Enqueue(ctx, tx, c.OrgID, indexSource, docID); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, c, ContextDeleted, now, &DeletedData{ContextID: id, MeetingID: m.UUID, DeletedAt: now})
	})
}

// Text is the extracted, redacted text of a processed document.
type Text struct {
	ID    string
	Title string
	Text  string
}

// Texts returns the processed documents of a meeting that the caller's app
// uploaded, for the agent. With ids, only those documents.
func (s *Service) Texts(ctx context.Context, c caller.Caller, meetingID int64, ids []string) ([]Text, error) {
	return s.store.texts(ctx, c, meetingID, ids)
}

// Check reports fault.NotFound unless every id names a live document of the
// caller's app in the caller's organization.
func (s *Service) Check(ctx context.Context, c caller.Caller, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := s.store.countLive(ctx, c, ids)
	if err != nil {
		return err
	}
	if n != len(dedupe(ids)) {
		return fault.NotFound("context document")
	}
	return nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ProcessArgs is the job that extracts, scans and indexes one document.
type ProcessArgs struct {
	OrgID      int64 `json:"org_id"`
	DocumentID int64 `json:"document_id"`
}

// Kind implements river.JobArgs.
func (ProcessArgs) Kind() string { return "context_document_process" }

// InsertOpts implements river.JobArgsWithInsertOpts: a file that cannot be
// processed in a few tries will not be by more.
func (ProcessArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// Worker is the River worker of ProcessArgs.
type Worker struct {
	river.WorkerDefaults[ProcessArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *Worker) Timeout(*river.Job[ProcessArgs]) time.Duration { return w.Service.timeout }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	return w.Service.Process(ctx, job.Args)
}

// errGone ends a processing transaction whose document was deleted
// meanwhile.
var errGone = errors.New("context document deleted")

// Process extracts a document's text, redacts what the scan finds, stores
// the text where the search index reads documents and queues its indexing.
// It may run any number of times: a processed or deleted document is left
// alone.
func (s *Service) Process(ctx context.Context, a ProcessArgs) error {
	d, err := s.store.byID(ctx, a.OrgID, a.DocumentID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !d.DeletedAt.IsZero() || d.FileStatus == StatusProcessed {
		return nil
	}
	if err := s.store.setStatus(ctx, a.OrgID, d.ID, StatusProcessing, s.now()); err != nil {
		return err
	}
	data, err := blob.ReadAll(ctx, s.blobs, d.blobKey)
	if err != nil {
		return fmt.Errorf("read context document %s: %w", d.UUID, err)
	}
	ex, err := extract(d.SourceFormat, data)
	if err != nil {
		// The bytes passed the upload checks but cannot be read through; no
		// retry will change that.
		s.logger.WarnContext(ctx, "context document unreadable", "context_id", d.UUID, "error", err)
		return s.store.setStatus(ctx, a.OrgID, d.ID, StatusFailed, s.now())
	}
	text, rep := sanitize(ex.text)
	rep.FormulaEscaped = ex.formulaEscaped
	now := s.now()
	sys := caller.ForSystem(a.OrgID)
	sys.AppID = d.AppID
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		docID, err := s.store.saveText(ctx, tx, d, text, now)
		if err != nil {
			return err
		}
		ok, err := s.store.markProcessed(ctx, tx, a.OrgID, d.ID, docID, rep, now)
		if err != nil {
			return err
		}
		if !ok {
			return errGone
		}
		if err := s.index.Enqueue(ctx, tx, a.OrgID, indexSource, docID); err != nil {
			return err
		}
		return s.emit(ctx, tx, sys, ContextProcessed, now, &ProcessedData{ContextID: d.UUID, MeetingID: d.MeetingUUID,
			ProcessedAt: now, SanitizationReport: rep})
	})
	if errors.Is(err, errGone) {
		return nil
	}
	if err == nil {
		s.logger.InfoContext(ctx, "context document processed", "context_id", d.UUID, "meeting_id", d.MeetingUUID,
			"text_bytes", len(text), "redactions", len(rep.Redactions))
	}
	return err
}

func (s *Service) emit(ctx context.Context, tx *jobs.Tx, c caller.Caller, typ string, at time.Time, data any) error {
	e := event.From(c, typ, data)
	// Documents are visible to their app alone, and so are their events.
	e.AppOnly, e.OccurredAt = true, at
	return event.Emit(ctx, s.events, tx, e)
}

// Foreign returns which of the ids name context documents the caller's app
// may not read (another app's, or deleted), so that search results shown
// through one app never carry another's documents. Ids that are not context
// documents at all are not in the result.
func (s *Service) Foreign(ctx context.Context, c caller.Caller, ids []string) (map[string]bool, error) {
	if len(ids) == 0 {
		return map[string]bool{}, nil
	}
	return s.store.foreign(ctx, c, dedupe(ids))
}
