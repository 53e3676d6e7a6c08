package partneruser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/fault"
)

// MaxUploadBytes is the largest upload request: the largest file plus room
// for the other parts and the multipart framing. A bigger file inside a
// smaller request is refused by the service with the same status, 413.
const MaxUploadBytes = contextdoc.MaxBytes + 64<<10

// ContextDocument is the Partner API's MeetingContextDocument: the SDK's
// and the spec's fields (document_id and model_id carry the same id), plus
// the file's name, type, size and, once processed, its sanitization report.
type ContextDocument struct {
	ID                 string              `json:"id"`
	DocumentID         string              `json:"document_id"`
	ModelID            string              `json:"model_id"`
	MeetingID          string              `json:"meeting_id"`
	WorkspaceID        string              `json:"workspace_id"`
	PartnerAppID       string              `json:"partner_app_id"`
	PlatformName       string              `json:"platform_name"`
	Title              string              `json:"title"`
	ContextType        *string             `json:"context_type"`
	SourceFormat       string              `json:"source_format"`
	FileStatus         string              `json:"file_status"`
	CreatedByUserID    *string             `json:"created_by_user_id"`
	Filename           string              `json:"filename"`
	ContentType        string              `json:"content_type"`
	Size               int64               `json:"size"`
	SanitizationReport *SanitizationReport `json:"sanitization_report,omitempty"`
	CreatedAt          string              `json:"created_at"`
	UpdatedAt          string              `json:"updated_at"`
	DeletedAt          *string             `json:"deleted_at,omitempty"`
}

// SanitizationReport is what processing found and redacted in a document's
// text, as meeting.context.processed carries it.
type SanitizationReport struct {
	FormulaEscaped  bool                  `json:"formula_escaped"`
	PIIDetected     bool                  `json:"pii_detected"`
	SecretsDetected bool                  `json:"secrets_detected"`
	Redactions      []SanitizationFinding `json:"redactions"`
}

// SanitizationFinding counts the redacted findings of one type (api_key,
// private_key, credit_card, email, phone).
type SanitizationFinding struct {
	Count int    `json:"count"`
	Type  string `json:"type"`
}

func toReport(r *contextdoc.Report) *SanitizationReport {
	if r == nil {
		return nil
	}
	out := &SanitizationReport{FormulaEscaped: r.FormulaEscaped, PIIDetected: r.PIIDetected, SecretsDetected: r.SecretsDetected,
		Redactions: make([]SanitizationFinding, 0, len(r.Redactions))}
	for _, f := range r.Redactions {
		out.Redactions = append(out.Redactions, SanitizationFinding(f))
	}
	return out
}

func toContextDocument(ctx context.Context) func(contextdoc.Document) ContextDocument {
	return func(d contextdoc.Document) ContextDocument {
		out := ContextDocument{ID: d.UUID, DocumentID: d.UUID, ModelID: d.UUID, MeetingID: d.MeetingUUID, WorkspaceID: d.OrgUUID,
			PartnerAppID: d.AppUUID, PlatformName: d.PlatformName, Title: d.Title, ContextType: Optional(d.ContextType),
			SourceFormat: string(d.SourceFormat), FileStatus: d.FileStatus, CreatedByUserID: Optional(d.CreatedBy),
			Filename: d.Filename, ContentType: d.ContentType, Size: d.Size, SanitizationReport: toReport(d.Report),
			CreatedAt: rest.Time(ctx, d.CreatedAt), UpdatedAt: rest.Time(ctx, d.UpdatedAt)}
		if !d.DeletedAt.IsZero() {
			out.DeletedAt = rest.TimePtr(ctx, d.DeletedAt)
		}
		return out
	}
}

// contextHandler serves a meeting's context documents.
type contextHandler struct {
	Surface   *rest.Surface
	Documents *contextdoc.Service
}

type contextListInput struct {
	MeetingID string `path:"meetingId"`
	PageQuery
}

type contextDocInput struct {
	MeetingID  string `path:"meetingId"`
	DocumentID string `path:"documentId"`
}

type contextUploadInput struct {
	MeetingID   string `path:"meetingId"`
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"multipart/form-data"`
}

type contextListOutput struct{ Body List[ContextDocument] }

type contextDocOutput struct{ Body ContextDocument }

type contextDownloadOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentLength      string `header:"Content-Length"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func (h *contextHandler) register(api huma.API) {
	const tag = "Context"
	rest.Register(api, h.Surface, rest.Op{ID: "listMeetingContexts", Method: http.MethodGet, Path: "/meetings/{meetingId}/context", Tag: tag,
		Summary: "Context documents this app uploaded to a meeting", Scope: "context:read"}, h.list)
	rest.Register(api, h.Surface, rest.Op{ID: "uploadMeetingContext", Method: http.MethodPost, Path: "/meetings/{meetingId}/context", Tag: tag,
		Summary: "Upload a context document (multipart: file, source_format, title, context_type; at most 10 MiB)", Scope: "context:write",
		Status: http.StatusCreated, MaxBodyBytes: MaxUploadBytes, Doc: uploadDoc}, h.upload)
	rest.Register(api, h.Surface, rest.Op{ID: "getMeetingContext", Method: http.MethodGet, Path: "/meetings/{meetingId}/context/{documentId}",
		Tag: tag, Summary: "A context document", Scope: "context:read"}, h.get)
	rest.Register(api, h.Surface, rest.Op{ID: "deleteMeetingContext", Method: http.MethodDelete, Path: "/meetings/{meetingId}/context/{documentId}",
		Tag: tag, Summary: "Delete a context document (it leaves lists, downloads and search)", Scope: "context:write",
		Status: http.StatusNoContent}, h.delete)
	rest.Register(api, h.Surface, rest.Op{ID: "downloadMeetingContextContent", Method: http.MethodGet,
		Path: "/meetings/{meetingId}/context/{documentId}/content", Tag: tag, Summary: "The document's bytes, exactly as uploaded",
		Scope: "context:read", Doc: func(o *huma.Operation) {
			o.Responses = map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
				"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
		}}, h.download)
}

// uploadDoc documents the multipart parts of an upload. The handler reads
// the parts itself (huma would decode them into memory without a limit),
// so huma must not validate the body against this schema.
func uploadDoc(o *huma.Operation) {
	o.SkipValidateBody = true
	o.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type: "object", Required: []string{"file", "source_format"},
		Properties: map[string]*huma.Schema{
			"file":          {Type: "string", Format: "binary", Description: "the file (at most 10 MiB)"},
			"source_format": {Type: "string", Enum: []any{"json", "csv", "tsv", "xml", "html", "yaml", "md", "txt", "pdf", "docx"}},
			"title":         {Type: "string", Description: "defaults to the file name", MaxLength: ptr(contextdoc.MaxTitleRunes)},
			"context_type":  {Type: "string", Description: "partner-defined, e.g. agenda or crm_record", MaxLength: ptr(contextdoc.MaxTitleRunes)},
		}}}}}
}

func ptr(n int) *int { return &n }

// list serves GET /meetings/{meetingId}/context.
func (h *contextHandler) list(ctx context.Context, c caller.Caller, in *contextListInput) (*contextListOutput, error) {
	p, err := h.Documents.List(ctx, c, in.MeetingID, in.Request())
	if err != nil {
		return nil, err
	}
	return &contextListOutput{Body: ListOf(p, toContextDocument(ctx))}, nil
}

// upload serves POST /meetings/{meetingId}/context.
func (h *contextHandler) upload(ctx context.Context, c caller.Caller, in *contextUploadInput) (*contextDocOutput, error) {
	u, err := readUpload(in.ContentType, in.RawBody)
	if err != nil {
		return nil, err
	}
	u.MeetingID = in.MeetingID
	d, err := h.Documents.Upload(ctx, c, u)
	if err != nil {
		return nil, err
	}
	return &contextDocOutput{Body: toContextDocument(ctx)(d)}, nil
}

// maxFieldBytes bounds a text part of an upload.
const maxFieldBytes = 4096

// readUpload decodes the multipart body: the file part and the text parts
// source_format, title and context_type; other parts are ignored.
func readUpload(contentType string, body []byte) (contextdoc.Upload, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil || media != "multipart/form-data" || params["boundary"] == "" {
		return contextdoc.Upload{}, fault.Invalid("body", "invalid_request_body", "the body must be multipart/form-data with a boundary")
	}
	var u contextdoc.Upload
	hasFile := false
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return contextdoc.Upload{}, fault.Invalid("body", "invalid_request_body", "the multipart body is malformed")
		}
		switch part.FormName() {
		case "file":
			// One byte past the limit is enough to refuse the file as too large.
			data, err := io.ReadAll(io.LimitReader(part, contextdoc.MaxBytes+1))
			if err != nil {
				return contextdoc.Upload{}, fault.Invalid("file", "invalid_request_body", "the file part is malformed")
			}
			u.Data, u.Filename, u.ContentType, hasFile = data, part.FileName(), part.Header.Get("Content-Type"), true
		case "source_format", "title", "context_type":
			v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil || len(v) > maxFieldBytes {
				return contextdoc.Upload{}, fault.Invalid(part.FormName(), "validation_error", "%s is too long", part.FormName())
			}
			switch part.FormName() {
			case "source_format":
				u.SourceFormat = string(v)
			case "title":
				u.Title = string(v)
			default:
				u.ContextType = string(v)
			}
		}
		_ = part.Close()
	}
	if !hasFile {
		return contextdoc.Upload{}, fault.Invalid("file", "missing_file", "the file part is required")
	}
	return u, nil
}

// get serves GET /meetings/{meetingId}/context/{documentId}.
func (h *contextHandler) get(ctx context.Context, c caller.Caller, in *contextDocInput) (*contextDocOutput, error) {
	d, err := h.Documents.Get(ctx, c, in.MeetingID, in.DocumentID)
	if err != nil {
		return nil, err
	}
	return &contextDocOutput{Body: toContextDocument(ctx)(d)}, nil
}

// delete serves DELETE /meetings/{meetingId}/context/{documentId}.
func (h *contextHandler) delete(ctx context.Context, c caller.Caller, in *contextDocInput) (*struct{}, error) {
	return nil, h.Documents.Delete(ctx, c, in.MeetingID, in.DocumentID)
}

// download serves GET /meetings/{meetingId}/context/{documentId}/content
// with the headers the SDK builds its result from: the stored type, the
// exact length and the file name in both RFC 6266 spellings.
func (h *contextHandler) download(ctx context.Context, c caller.Caller, in *contextDocInput) (*contextDownloadOutput, error) {
	d, data, err := h.Documents.Download(ctx, c, in.MeetingID, in.DocumentID)
	if err != nil {
		return nil, err
	}
	return &contextDownloadOutput{ContentType: d.ContentType, ContentLength: strconv.Itoa(len(data)),
		ContentDisposition: ContentDisposition(d.Filename), CacheControl: "private, no-store", Body: data}, nil
}

// ContentDisposition is an attachment header naming filename for every
// client: an ASCII fallback in filename and the exact name in RFC 5987's
// filename*.
func ContentDisposition(filename string) string {
	var ascii strings.Builder
	for _, r := range filename {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			ascii.WriteByte('_')
			continue
		}
		ascii.WriteRune(r)
	}
	var enc strings.Builder
	for _, b := range []byte(filename) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			enc.WriteByte(b)
			continue
		}
		fmt.Fprintf(&enc, "%%%02X", b)
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}
