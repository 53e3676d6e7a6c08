package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/contextdoc/contextdoctest"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
)

// contentScopes are the scopes of the context and chat endpoints.
const contentScopes = "openid context:read context:write chat:read chat:write"

// partnerAs returns a Partner user client of app for user, with scope.
func partnerAs(t *testing.T, e *env, clientID string, user identity.User, scope string) *client.Client {
	t.Helper()
	ctx := context.Background()
	ap, err := e.app.Identities.AppByClientID(ctx, clientID)
	require.NoError(t, err)
	tok, err := e.app.OAuth.IssueForUser(ctx, ap, user, scope)
	require.NoError(t, err)
	return e.client(client.WithBearer(tok.AccessToken))
}

// secondApp registers another app in f's organization.
func (e *env) secondApp(f fixture) string {
	e.t.Helper()
	a, _, err := e.app.Identities.CreateApp(context.Background(), identity.NewApp{OrgID: f.org.ID, Name: "Second app",
		RedirectURIs: []string{"http://127.0.0.1:9/callback"}})
	require.NoError(e.t, err)
	return a.ClientID
}

// meetingOf creates a meeting with a short transcript in f's organization.
func (e *env) meetingOf(f fixture, title string) meeting.Meeting {
	e.t.Helper()
	m, err := e.app.Meetings.Create(context.Background(), caller.ForSystem(f.org.ID), meeting.New{Title: title, Segments: []transcript.Segment{
		{Speaker: "Ann", Text: "We agreed to ship the Zephyr release on Monday."},
		{Speaker: "Raj", Text: "I will update the release notes before then."},
	}})
	require.NoError(e.t, err)
	return m
}

// waitFor polls until ok reports true or the deadline passes.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not before the deadline", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestContextDocumentsAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)

		data := []byte("# Launch brief\n\nThe Zephyr budget is 40000. Contact ann@example.com.\n")
		name := "brief (draft) é.md"
		d, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: data, Filename: name, SourceFormat: "md",
			ContextType: "agenda"})
		require.NoError(t, err)
		require.Equal(t, d.ID, d.DocumentID)
		require.Equal(t, d.ID, d.ModelID)
		require.Equal(t, m.UUID, d.MeetingID)
		require.Equal(t, f.org.UUID, d.WorkspaceID)
		require.Equal(t, f.user.UUID, *d.CreatedByUserID)
		require.Equal(t, name, d.Title)
		require.Equal(t, "agenda", *d.ContextType)
		require.Equal(t, "md", d.SourceFormat)
		require.Equal(t, "uploaded", d.FileStatus)
		require.NotEmpty(t, d.PartnerAppID)
		require.NotEmpty(t, d.PlatformName)

		// The bytes come back exactly, with the headers the SDK reads.
		dl, err := pc.DownloadContextDocument(ctx, m.UUID, d.ID)
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, dl.Data))
		require.Equal(t, name, dl.Filename)
		require.Equal(t, "text/markdown", dl.ContentType)
		require.Equal(t, int64(len(data)), dl.Size)
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/partner/user/meetings/"+m.UUID+"/context/"+d.ID+"/content", nil)
		req.Header.Set("Authorization", "Bearer "+contentBearer(t, e, f))
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Content-Encoding"), "never compressed")
		require.Equal(t, fmt.Sprint(len(data)), resp.Header.Get("Content-Length"))
		require.Equal(t, `attachment; filename="brief (draft) _.md"; filename*=UTF-8''brief%20%28draft%29%20%C3%A9.md`,
			resp.Header.Get("Content-Disposition"))
		require.True(t, bytes.Equal(data, raw))

		// Processing runs in the background and reports what it redacted.
		waitFor(t, "processing", func() bool {
			got, err := pc.ContextDocument(ctx, m.UUID, d.ID)
			require.NoError(t, err)
			return got.FileStatus == "processed"
		})
		got, err := pc.ContextDocument(ctx, m.UUID, d.ID)
		require.NoError(t, err)
		require.True(t, got.SanitizationReport.PIIDetected)
		// Cloud search finds the uploaded text like any document.
		hits := waitForHits(t, cloudClient(t, e, f, "end-user-1"), "documents", client.SearchRequest{Query: "Zephyr budget"})
		require.Equal(t, d.ID, hits[0].DocumentID)

		list, err := pc.ContextDocuments(ctx, m.UUID, 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, list.Total)
		require.Equal(t, 25, list.Limit)

		// Another app of the organization, even for the same user, sees none of it.
		other := partnerAs(t, e, e.secondApp(f), f.user, contentScopes)
		list, err = other.ContextDocuments(ctx, m.UUID, 0, 0)
		require.NoError(t, err)
		require.Equal(t, 0, list.Total)
		require.NotNil(t, list.Items)
		_, err = other.ContextDocument(ctx, m.UUID, d.ID)
		apiErr(t, err, 404, "not_found")
		_, err = other.DownloadContextDocument(ctx, m.UUID, d.ID)
		apiErr(t, err, 404, "")
		apiErr(t, other.DeleteContextDocument(ctx, m.UUID, d.ID), 404, "not_found")

		// Another organization sees neither the meeting nor the document.
		g := e.fixture("gus@example.com")
		foreign := partnerAs(t, e, g.app.ClientID, g.user, contentScopes)
		_, err = foreign.ContextDocuments(ctx, m.UUID, 0, 0)
		apiErr(t, err, 404, "not_found")
		_, err = foreign.ContextDocument(ctx, m.UUID, d.ID)
		apiErr(t, err, 404, "not_found")
		_, err = foreign.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("x"), SourceFormat: "txt"})
		apiErr(t, err, 404, "not_found")
		gm := e.meetingOf(g, "Theirs")
		_, err = foreign.ContextDocument(ctx, gm.UUID, d.ID)
		apiErr(t, err, 404, "not_found")

		require.NoError(t, pc.DeleteContextDocument(ctx, m.UUID, d.ID))
	})
}

// contentBearer is a fresh content-scoped token of f's user and app.
func contentBearer(t *testing.T, e *env, f fixture) string {
	t.Helper()
	ctx := context.Background()
	ap, err := e.app.Identities.AppByClientID(ctx, f.app.ClientID)
	require.NoError(t, err)
	tok, err := e.app.OAuth.IssueForUser(ctx, ap, f.user, contentScopes)
	require.NoError(t, err)
	return tok.AccessToken
}

func TestContextDocumentsBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("bo@example.com")
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)
		up := func(format string, data []byte) error {
			_, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: data, SourceFormat: format})
			return err
		}
		apiErr(t, up("exe", []byte("x")), 400, "invalid_source_format")
		apiErr(t, up("", []byte("x")), 400, "missing_source_format")
		apiErr(t, up("json", []byte(`{"open":`)), 400, "source_format_mismatch")
		apiErr(t, up("pdf", []byte("not a pdf")), 400, "source_format_mismatch")
		apiErr(t, up("docx", contextdoctest.Zip("word/styles.xml", "<x/>")), 400, "source_format_mismatch")
		apiErr(t, up("txt", nil), 400, "empty_file")
		apiErr(t, up("txt", bytes.Repeat([]byte("a"), contextdoc.MaxBytes+1)), 413, "file_too_large")
		apiErr(t, up("txt", bytes.Repeat([]byte("a"), contextdoc.MaxBytes+200<<10)), 413, "")
		_, err := pc.UploadContextDocument(ctx, "nonexistent", client.ContextUpload{Data: []byte("x"), SourceFormat: "txt"})
		apiErr(t, err, 404, "not_found")

		// The upload must be multipart with a file part.
		for _, c := range []struct{ ctype, body, code string }{
			{"application/json", `{"source_format":"txt"}`, "invalid_request_body"},
			{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"source_format\"\r\n\r\ntxt\r\n--b--\r\n", "missing_file"},
			{"multipart/form-data; boundary=b", "--b\r\ngarbage", "invalid_request_body"},
		} {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/partner/user/meetings/"+m.UUID+"/context", strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+contentBearer(t, e, f))
			req.Header.Set("Content-Type", c.ctype)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, 400, resp.StatusCode, string(body))
			require.Contains(t, string(body), `"code":"`+c.code+`"`)
		}

		// Unknown ids are not found, whatever their shape.
		for _, id := range []string{"nonexistent", "00000000-0000-0000-0000-000000000000"} {
			_, err = pc.ContextDocument(ctx, m.UUID, id)
			apiErr(t, err, 404, "not_found")
			_, err = pc.DownloadContextDocument(ctx, m.UUID, id)
			apiErr(t, err, 404, "")
			apiErr(t, pc.DeleteContextDocument(ctx, m.UUID, id), 404, "not_found")
			_, err = pc.ContextDocuments(ctx, id, 0, 0)
			apiErr(t, err, 404, "not_found")
		}
		_, err = pc.ContextDocuments(ctx, m.UUID, 101, 0)
		apiErr(t, err, 400, "validation_error")

		// Scopes: reading needs context:read, writing context:write.
		ro := partnerAs(t, e, f.app.ClientID, f.user, "openid context:read")
		_, err = ro.ContextDocuments(ctx, m.UUID, 0, 0)
		require.NoError(t, err)
		_, err = ro.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("x"), SourceFormat: "txt"})
		apiErr(t, err, 403, "insufficient_scope")
		none := partnerAs(t, e, f.app.ClientID, f.user, "openid profile")
		_, err = none.ContextDocuments(ctx, m.UUID, 0, 0)
		apiErr(t, err, 403, "insufficient_scope")
	})
}

func TestContextDocumentsPagingAndDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("cy@example.com")
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)
		var first *client.ContextDocument
		for i := range 102 {
			d, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte(fmt.Sprintf(`{"n":%d}`, i)), SourceFormat: "json",
				ContentType: "application/json"})
			require.NoError(t, err)
			if first == nil {
				first = d
			}
		}
		pdf, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: contextdoctest.PDF("Quarterly numbers"), Filename: "q.pdf", SourceFormat: "pdf"})
		require.NoError(t, err)
		docx, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: contextdoctest.DOCX("Minutes"), Filename: "m.docx", SourceFormat: "docx"})
		require.NoError(t, err)
		require.Equal(t, "application/pdf", pdf.ContentType)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.ContentType)

		n := 0
		for d, err := range pc.AllContextDocuments(ctx, m.UUID) {
			require.NoError(t, err)
			require.NotEmpty(t, d.ID)
			n++
		}
		require.Equal(t, 104, n)

		require.NoError(t, pc.DeleteContextDocument(ctx, m.UUID, first.ID))
		_, err = pc.ContextDocument(ctx, m.UUID, first.ID)
		apiErr(t, err, 404, "not_found")
		_, err = pc.DownloadContextDocument(ctx, m.UUID, first.ID)
		apiErr(t, err, 404, "")
		list, err := pc.ContextDocuments(ctx, m.UUID, 100, 100)
		require.NoError(t, err)
		require.Equal(t, 103, list.Total)
		require.Len(t, list.Items, 3)
		waitFor(t, "PDF and DOCX processing", func() bool {
			a, err := pc.ContextDocument(ctx, m.UUID, pdf.ID)
			require.NoError(t, err)
			b, err := pc.ContextDocument(ctx, m.UUID, docx.ID)
			require.NoError(t, err)
			return a.FileStatus == "processed" && b.FileStatus == "processed"
		})
	})
}

// TestContentTenantMatrix calls every context and chat route that names a
// meeting, document, session or turn of one app of one organization as
// another organization, as another app of the same organization (the same
// user) and anonymously: each must answer 404, 404 and 401.
func TestContentTenantMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("owner@example.com")
		m := e.meetingOf(f, "Secret plans")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)
		d, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("The acquisition closes in May."), SourceFormat: "txt"})
		require.NoError(t, err)
		s, err := pc.CreateChatSession(ctx, client.NewChatSession{Message: "When does it close?", MeetingID: m.UUID})
		require.NoError(t, err)

		bearer := func(clientID string, u identity.User) map[string]string {
			ap, err := e.app.Identities.AppByClientID(ctx, clientID)
			require.NoError(t, err)
			tok, err := e.app.OAuth.IssueForUser(ctx, ap, u, contentScopes)
			require.NoError(t, err)
			return map[string]string{"Authorization": "Bearer " + tok.AccessToken}
		}
		g := e.fixture("intruder@example.com")
		intruders := map[string]map[string]string{
			"other org": bearer(g.app.ClientID, g.user),
			"other app": bearer(e.secondApp(f), f.user),
		}
		multipartBody := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nx\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"source_format\"\r\n\r\ntxt\r\n--b--\r\n"
		ctx0 := "/v1/partner/user/meetings/" + m.UUID + "/context"
		calls := []struct {
			method, path, ctype, body string
			otherApp                  int // the status another app of the organization gets
		}{
			{"GET", ctx0 + "/" + d.ID, "", "", 404},
			{"GET", ctx0 + "/" + d.ID + "/content", "", "", 404},
			{"DELETE", ctx0 + "/" + d.ID, "", "", 404},
			// The meeting is the organization's: another app may list (its
			// own, none) and upload its own documents to it.
			{"GET", ctx0, "", "", 200},
			{"POST", ctx0, "multipart/form-data; boundary=b", multipartBody, 201},
			{"GET", "/v1/partner/user/sessions/" + s.ID, "", "", 404},
			{"PUT", "/v1/partner/user/sessions/" + s.ID, "application/json", `{"message":"hi"}`, 404},
			{"GET", "/v1/partner/user/sessions/" + s.ID + "/turns/" + s.InitialTurn.ID, "", "", 404},
		}
		for _, c := range calls {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				for name, h := range intruders {
					want := http.StatusNotFound
					if name == "other app" {
						want = c.otherApp
					}
					resp, body := raw(t, c.method, e.srv.URL+c.path, c.ctype, c.body, h)
					require.Equal(t, want, resp.StatusCode, "%s: %v", name, body)
				}
				resp, _ := raw(t, c.method, e.srv.URL+c.path, c.ctype, c.body, nil)
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "anonymous caller")
			})
		}
		// The owner's document and session are untouched.
		got, err := pc.ContextDocument(ctx, m.UUID, d.ID)
		require.NoError(t, err)
		require.Nil(t, got.DeletedAt)
		list, err := pc.ContextDocuments(ctx, m.UUID, 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, list.Total, "another app's upload is not in this app's list")
		detail, err := pc.ChatSession(ctx, s.ID, client.ChatSessionQuery{Include: "all_turns"})
		require.NoError(t, err)
		require.Equal(t, 1, detail.Turns[0].SequenceNumber)
	})
}

// TestContentWebhooks: context documents and chat sessions announce
// themselves to the app that owns them, and to no other app, with the
// payloads of the Partner catalogue.
func TestContentWebhooks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h, other := newHook(t), newHook(t)
		f, _ := webhookFixture(t, e, "wes@example.com", h)
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)
		// A second app of the organization with a webhook of its own.
		_, creds, err := e.app.Identities.CreateApp(ctx, identity.NewApp{OrgID: f.org.ID, Name: "Second app",
			RedirectURIs: []string{"http://127.0.0.1:9/callback"}})
		require.NoError(t, err)
		url := other.URL + "/hooks"
		_, err = e.client(client.WithAPIKey(creds.APIKey, "")).UpdateApp(ctx, client.AppUpdate{WebhookURL: &url})
		require.NoError(t, err)

		d, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("Call Ann at ann@example.com, key AKIAIOSFODNN7EXAMPLE."),
			SourceFormat: "txt", Title: "Contacts"})
		require.NoError(t, err)
		waitUntil(t, 30*time.Second, "meeting.context.processed", func() bool { return len(h.ofType("meeting.context.processed")) == 1 })
		created := h.ofType("meeting.context.created")[0]
		require.Equal(t, d.ID, created.Envelope.Data["context_id"])
		require.Equal(t, "Contacts", created.Envelope.Data["title"])
		require.Equal(t, f.org.UUID, created.Envelope.Data["workspace_id"])
		processed := h.ofType("meeting.context.processed")[0]
		require.NoError(t, client.VerifyContioSignature(f.webhookSecret, processed.Body, processed.Signature))
		require.Equal(t, m.UUID, processed.Envelope.Data["meeting_id"])
		rep := processed.Envelope.Data["sanitization_report"].(map[string]any)
		require.Equal(t, true, rep["pii_detected"])
		require.Equal(t, true, rep["secrets_detected"])
		require.Equal(t, false, rep["formula_escaped"])
		require.ElementsMatch(t, []any{map[string]any{"type": "api_key", "count": float64(1)}, map[string]any{"type": "email", "count": float64(1)}},
			rep["redactions"])

		require.NoError(t, pc.DeleteContextDocument(ctx, m.UUID, d.ID))
		waitUntil(t, 20*time.Second, "meeting.context.deleted", func() bool { return len(h.ofType("meeting.context.deleted")) == 1 })
		require.Equal(t, d.ID, h.ofType("meeting.context.deleted")[0].Envelope.Data["context_id"])

		s, err := pc.CreateChatSession(ctx, client.NewChatSession{Message: "When do we ship?", MeetingID: m.UUID})
		require.NoError(t, err)
		waitUntil(t, 30*time.Second, "session.turn.completed", func() bool { return len(h.ofType("session.turn.completed")) == 1 })
		done := h.ofType("session.turn.completed")[0]
		require.NoError(t, client.VerifyContioSignature(f.webhookSecret, done.Body, done.Signature))
		require.Equal(t, s.ID, done.Envelope.Data["session_id"])
		require.Equal(t, float64(2), done.Envelope.Data["sequence_number"])
		require.Equal(t, m.UUID, done.Envelope.Data["meeting_id"])
		answer, err := pc.ChatTurn(ctx, s.ID, done.Envelope.Data["turn_id"].(string))
		require.NoError(t, err)
		require.Equal(t, "agent", answer.Role)

		_, err = e.app.Chat.Expire(ctx, time.Now().Add(time.Hour))
		require.NoError(t, err)
		waitUntil(t, 20*time.Second, "session.expired", func() bool { return len(h.ofType("session.expired")) == 1 })
		expired := h.ofType("session.expired")[0].Envelope.Data
		require.Equal(t, s.ID, expired["session_id"])
		require.Equal(t, float64(2), expired["turn_count"])

		// The other app of the organization heard none of it.
		for _, typ := range []string{"meeting.context.created", "meeting.context.processed", "meeting.context.deleted",
			"session.turn.completed", "session.expired"} {
			require.Empty(t, other.ofType(typ), typ)
		}
	}, "--allow-private-urls")
}
