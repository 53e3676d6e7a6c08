package contextdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/blob"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc/contextdoctest"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	return out
}

type world struct {
	svc     *Service
	idx     *index.Service
	events  *recorder
	a1, a2  caller.Caller // two apps of organization A
	b       caller.Caller // organization B
	meeting meeting.Meeting
	other   meeting.Meeting // organization B's meeting
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	meetings := meeting.NewService(db, q, nil, nil)
	idx := index.NewService(db, meetings, logger)
	blobs, err := blob.Open(ctx, "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = blobs.Close() })

	callerOf := func(org identity.Org, email string, apps int) []caller.Caller {
		u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "U", Password: "correct horse battery"})
		require.NoError(t, err)
		var out []caller.Caller
		for i := range apps {
			a, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: fmt.Sprintf("App %d of %s", i, email), RedirectURIs: []string{"http://127.0.0.1/cb"}})
			require.NoError(t, err)
			out = append(out, caller.Caller{Credential: caller.UserToken, OrgID: org.ID, AppID: a.ID, UserID: u.ID, UserRef: email})
		}
		return out
	}
	orgA, err := ids.CreateOrg(ctx, "A")
	require.NoError(t, err)
	orgB, err := ids.CreateOrg(ctx, "B")
	require.NoError(t, err)
	as := callerOf(orgA, "ann@a.example", 2)
	bs := callerOf(orgB, "bob@b.example", 1)
	segs := []transcript.Segment{{Speaker: "Ann", Text: "Let us review the launch plan."}}
	m, err := meetings.Create(ctx, as[0], meeting.New{Title: "Launch", Segments: segs})
	require.NoError(t, err)
	mb, err := meetings.Create(ctx, bs[0], meeting.New{Title: "Other", Segments: segs})
	require.NoError(t, err)
	rec := &recorder{}
	svc := NewService(Config{DB: db, Queue: q, Blobs: blobs, Access: OrgAccess{Meetings: meetings}, Index: idx, Events: rec, Logger: logger})
	return world{svc: svc, idx: idx, events: rec, a1: as[0], a2: as[1], b: bs[0], meeting: m, other: mb}
}

func notFound(t *testing.T, err error) {
	t.Helper()
	require.True(t, errors.Is(err, fault.ErrNotFound), "want not found, got %v", err)
}

func faultCode(t *testing.T, err error, kind fault.Kind, code string) {
	t.Helper()
	fe, ok := fault.As(err)
	require.True(t, ok, "want a fault, got %v", err)
	require.Equal(t, kind, fe.Kind, "kind of %v", err)
	require.Equal(t, code, fe.Code)
}

func TestUploadDownloadAndVisibility(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		data := []byte("# Agenda\n\n1. Budget\n2. Hiring\n")
		d, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: "md", ContextType: "agenda",
			Filename: "agenda.md", ContentType: "application/octet-stream", Data: data})
		require.NoError(t, err)
		require.Equal(t, "agenda.md", d.Title, "the title defaults to the file name")
		require.Equal(t, "text/markdown", d.ContentType)
		require.Equal(t, StatusUploaded, d.FileStatus)
		require.Equal(t, w.meeting.UUID, d.MeetingUUID)
		require.NotEmpty(t, d.OrgUUID)
		require.NotEmpty(t, d.CreatedBy)
		require.Equal(t, "App 0 of ann@a.example", d.PlatformName)

		got, body, err := w.svc.Download(ctx, w.a1, w.meeting.UUID, d.UUID)
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, body))
		require.Equal(t, int64(len(data)), got.Size)

		p, err := w.svc.List(ctx, w.a1, w.meeting.UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Len(t, p.Items, 1)

		// The other app of the same organization sees nothing.
		p, err = w.svc.List(ctx, w.a2, w.meeting.UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 0, p.Total)
		require.NotNil(t, p.Items)
		_, err = w.svc.Get(ctx, w.a2, w.meeting.UUID, d.UUID)
		notFound(t, err)
		_, _, err = w.svc.Download(ctx, w.a2, w.meeting.UUID, d.UUID)
		notFound(t, err)
		notFound(t, w.svc.Delete(ctx, w.a2, w.meeting.UUID, d.UUID))
		notFound(t, w.svc.Check(ctx, w.a2, []string{d.UUID}))
		require.NoError(t, w.svc.Check(ctx, w.a1, []string{d.UUID, d.UUID}))

		// Another organization can neither see nor upload to the meeting.
		_, err = w.svc.List(ctx, w.b, w.meeting.UUID, page.Request{})
		notFound(t, err)
		_, err = w.svc.Get(ctx, w.b, w.meeting.UUID, d.UUID)
		notFound(t, err)
		_, err = w.svc.Get(ctx, w.b, w.other.UUID, d.UUID)
		notFound(t, err)
		_, err = w.svc.Upload(ctx, w.b, Upload{MeetingID: w.meeting.UUID, SourceFormat: "txt", Data: []byte("x")})
		notFound(t, err)
		notFound(t, w.svc.Delete(ctx, w.b, w.meeting.UUID, d.UUID))
		_, err = w.svc.Get(ctx, w.a1, "nonexistent", d.UUID)
		notFound(t, err)
		_, err = w.svc.Get(ctx, w.a1, w.meeting.UUID, "nonexistent")
		notFound(t, err)

		require.Equal(t, []string{ContextCreated}, w.events.types())
	})
}

func TestUploadValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		up := func(format string, data []byte) error {
			_, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: format, Data: data})
			return err
		}
		faultCode(t, up("exe", []byte("x")), fault.KindInvalid, "invalid_source_format")
		faultCode(t, up("", []byte("x")), fault.KindInvalid, "missing_source_format")
		faultCode(t, up("json", []byte("{not json")), fault.KindInvalid, "source_format_mismatch")
		faultCode(t, up("pdf", []byte("plain text")), fault.KindInvalid, "source_format_mismatch")
		faultCode(t, up("docx", contextdoctest.Zip("word/styles.xml", "<x/>")), fault.KindInvalid, "source_format_mismatch")
		faultCode(t, up("txt", nil), fault.KindInvalid, "empty_file")
		faultCode(t, up("txt", bytes.Repeat([]byte("a"), MaxBytes+1)), fault.KindTooLarge, "file_too_large")
		_, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: "txt", Title: strings.Repeat("t", 256), Data: []byte("x")})
		faultCode(t, err, fault.KindInvalid, "validation_error")
		require.NoError(t, up("txt", bytes.Repeat([]byte("a"), MaxBytes)), "exactly the limit is accepted")
	})
}

func TestProcessIndexAndDelete(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		pdf := contextdoctest.PDF("Zephyr launch checklist", "Escalate to ann@a.example or call +1 415-555-0134")
		d, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: "pdf", Title: "Checklist", Data: pdf})
		require.NoError(t, err)
		require.Equal(t, "application/pdf", d.ContentType)

		args := ProcessArgs{OrgID: w.a1.OrgID, DocumentID: d.ID}
		require.NoError(t, w.svc.Process(ctx, args))
		require.NoError(t, w.svc.Process(ctx, args), "a second run changes nothing")
		got, err := w.svc.Get(ctx, w.a1, w.meeting.UUID, d.UUID)
		require.NoError(t, err)
		require.Equal(t, StatusProcessed, got.FileStatus)
		require.NotNil(t, got.Report)
		require.True(t, got.Report.PIIDetected)
		require.False(t, got.Report.SecretsDetected)
		require.ElementsMatch(t, []Redaction{{Type: "email", Count: 1}, {Type: "phone", Count: 1}}, got.Report.Redactions)
		require.Equal(t, []string{ContextCreated, ContextProcessed}, w.events.types())
		processed := w.events.events[1]
		require.Equal(t, w.a1.AppID, processed.AppID)
		require.Equal(t, w.a1.OrgID, processed.OrgID)
		require.True(t, processed.AppOnly)
		require.Equal(t, *got.Report, processed.Data.(*ProcessedData).SanitizationReport)

		texts, err := w.svc.Texts(ctx, w.a1, w.meeting.ID, nil)
		require.NoError(t, err)
		require.Len(t, texts, 1)
		require.Contains(t, texts[0].Text, "Zephyr launch checklist")
		require.NotContains(t, texts[0].Text, "ann@a.example")
		texts, err = w.svc.Texts(ctx, w.a2, w.meeting.ID, nil)
		require.NoError(t, err)
		require.Empty(t, texts, "another app's agent does not read this app's documents")

		// The text is indexed like any document, under the document's id.
		require.NoError(t, w.idx.Reindex(ctx, index.Args{OrgID: w.a1.OrgID, Source: index.SourceDocument, SourceID: got.documentID}))
		hits, err := w.idx.Search(ctx, index.Query{OrgID: w.a1.OrgID, Text: "zephyr checklist", MeetingUUIDs: []string{w.meeting.UUID}})
		require.NoError(t, err)
		require.NotEmpty(t, hits)
		require.Equal(t, d.UUID, hits[0].DocumentID)
		hits, err = w.idx.Search(ctx, index.Query{OrgID: w.b.OrgID, Text: "zephyr checklist"})
		require.NoError(t, err)
		require.Empty(t, hits, "another organization's search")

		require.NoError(t, w.svc.Delete(ctx, w.a1, w.meeting.UUID, d.UUID))
		notFound(t, w.svc.Delete(ctx, w.a1, w.meeting.UUID, d.UUID))
		_, err = w.svc.Get(ctx, w.a1, w.meeting.UUID, d.UUID)
		notFound(t, err)
		_, _, err = w.svc.Download(ctx, w.a1, w.meeting.UUID, d.UUID)
		notFound(t, err)
		p, err := w.svc.List(ctx, w.a1, w.meeting.UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 0, p.Total)
		require.NoError(t, w.idx.Reindex(ctx, index.Args{OrgID: w.a1.OrgID, Source: index.SourceDocument, SourceID: got.documentID}))
		hits, err = w.idx.Search(ctx, index.Query{OrgID: w.a1.OrgID, Text: "zephyr checklist"})
		require.NoError(t, err)
		require.Empty(t, hits, "a deleted document leaves the index")
		require.Equal(t, []string{ContextCreated, ContextProcessed, ContextDeleted}, w.events.types())

		// A document deleted before processing is never processed.
		d2, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: "docx", Data: contextdoctest.DOCX("Late")})
		require.NoError(t, err)
		require.NoError(t, w.svc.Delete(ctx, w.a1, w.meeting.UUID, d2.UUID))
		require.NoError(t, w.svc.Process(ctx, ProcessArgs{OrgID: w.a1.OrgID, DocumentID: d2.ID}))
		gone, err := w.svc.store.byID(ctx, w.a1.OrgID, d2.ID)
		require.NoError(t, err)
		require.Equal(t, StatusUploaded, gone.FileStatus)
		require.Zero(t, gone.documentID)
	})
}

func TestListPaging(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		for i := range 103 {
			_, err := w.svc.Upload(ctx, w.a1, Upload{MeetingID: w.meeting.UUID, SourceFormat: "json", Title: fmt.Sprintf("doc %03d", i),
				Data: []byte(fmt.Sprintf(`{"n":%d}`, i))})
			require.NoError(t, err)
		}
		seen := map[string]bool{}
		for offset := 0; ; offset += 100 {
			p, err := w.svc.List(ctx, w.a1, w.meeting.UUID, page.Request{Limit: 100, Offset: offset})
			require.NoError(t, err)
			require.Equal(t, 103, p.Total)
			for _, d := range p.Items {
				seen[d.UUID] = true
			}
			if offset+100 >= p.Total {
				break
			}
		}
		require.Len(t, seen, 103)
		_, err := w.svc.List(ctx, w.a1, w.meeting.UUID, page.Request{Limit: 101})
		faultCode(t, err, fault.KindInvalid, "validation_error")
	})
}
