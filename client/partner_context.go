package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// SanitizationReport is what processing found and redacted in a context
// document's text.
type SanitizationReport struct {
	FormulaEscaped  bool `json:"formula_escaped"`
	PIIDetected     bool `json:"pii_detected"`
	SecretsDetected bool `json:"secrets_detected"`
	Redactions      []struct {
		Count int    `json:"count"`
		Type  string `json:"type"`
	} `json:"redactions"`
}

// ContextDocument is a file a partner app attached to a meeting (Partner
// user API).
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
	SanitizationReport *SanitizationReport `json:"sanitization_report"`
	CreatedAt          string              `json:"created_at"`
	UpdatedAt          string              `json:"updated_at"`
	DeletedAt          *string             `json:"deleted_at"`
}

// ContextDocumentList is one page of a meeting's context documents.
type ContextDocumentList struct {
	Items  []ContextDocument `json:"items"`
	Total  int               `json:"total"`
	Limit  int               `json:"limit"`
	Offset int               `json:"offset"`
}

// ContextUpload is a file to attach to a meeting. Filename defaults to
// "blob" and ContentType to application/octet-stream, as the Partner SDK
// sends a plain Blob.
type ContextUpload struct {
	Data         []byte
	Filename     string
	ContentType  string
	SourceFormat string
	Title        string
	ContextType  string
}

// ContextDownload is a context document's content and the headers that
// describe it.
type ContextDownload struct {
	Data        []byte
	Filename    string
	ContentType string
	Size        int64
	// ContentEncoding is the response's Content-Encoding (never set by
	// Quorum: the bytes are sent as stored).
	ContentEncoding string
}

func contextPath(meetingID string, rest ...string) string {
	p := "/v1/partner/user/meetings/" + url.PathEscape(meetingID) + "/context"
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// ContextDocuments lists one page of the meeting's context documents that
// this app uploaded; limit 0 takes the server's default (25, at most 100).
func (c *Client) ContextDocuments(ctx context.Context, meetingID string, limit, offset int) (*ContextDocumentList, error) {
	var out ContextDocumentList
	if err := c.do(ctx, request{method: http.MethodGet, path: contextPath(meetingID), query: contentPageQuery(limit, offset)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllContextDocuments iterates over every context document of the meeting
// this app uploaded, 100 per request; iteration stops at the first error,
// which it yields.
func (c *Client) AllContextDocuments(ctx context.Context, meetingID string) iter.Seq2[ContextDocument, error] {
	return func(yield func(ContextDocument, error) bool) {
		for offset := 0; ; {
			p, err := c.ContextDocuments(ctx, meetingID, 100, offset)
			if err != nil {
				yield(ContextDocument{}, err)
				return
			}
			for _, d := range p.Items {
				if !yield(d, nil) {
					return
				}
			}
			offset += len(p.Items)
			if len(p.Items) == 0 || offset >= p.Total {
				return
			}
		}
	}
}

// UploadContextDocument attaches a file to a meeting as multipart/form-data
// with the parts the Partner SDK sends: file, source_format, title,
// context_type.
func (c *Client) UploadContextDocument(ctx context.Context, meetingID string, u ContextUpload) (*ContextDocument, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	filename, ctype := u.Filename, u.ContentType
	if filename == "" {
		filename = "blob"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filename}))
	h.Set("Content-Type", ctype)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	if _, err := part.Write(u.Data); err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	for _, f := range []struct{ name, value string }{{"source_format", u.SourceFormat}, {"title", u.Title}, {"context_type", u.ContextType}} {
		if f.value == "" {
			continue
		}
		if err := w.WriteField(f.name, f.value); err != nil {
			return nil, fmt.Errorf("build upload: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	var out ContextDocument
	if err := c.do(ctx, request{method: http.MethodPost, path: contextPath(meetingID), raw: body.Bytes(), rawType: w.FormDataContentType()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ContextDocument returns one of the meeting's context documents.
func (c *Client) ContextDocument(ctx context.Context, meetingID, documentID string) (*ContextDocument, error) {
	var out ContextDocument
	if err := c.do(ctx, request{method: http.MethodGet, path: contextPath(meetingID, documentID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteContextDocument deletes a context document.
func (c *Client) DeleteContextDocument(ctx context.Context, meetingID, documentID string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: contextPath(meetingID, documentID)}, nil)
}

// DownloadContextDocument returns a context document's bytes with the file
// name (RFC 5987 filename* first, as the SDK reads it), type and size the
// server declared. The response is read as sent, without transparent
// decompression, so that the bytes are the server's.
func (c *Client) DownloadContextDocument(ctx context.Context, meetingID, documentID string) (*ContextDownload, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: contextPath(meetingID, documentID, "content"),
		headers: map[string]string{"Accept-Encoding": "identity"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read download: %w", err)
	}
	if resp.StatusCode >= 300 {
		return nil, decodeError(resp, data)
	}
	out := &ContextDownload{Data: data, ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength,
		Filename: dispositionFilename(resp.Header.Get("Content-Disposition")), ContentEncoding: resp.Header.Get("Content-Encoding")}
	if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
		out.Size = n
	}
	return out, nil
}

// dispositionFilename reads filename* (RFC 5987) or else filename from a
// Content-Disposition header.
func dispositionFilename(h string) string {
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	// mime decodes filename* into filename when both are present.
	return strings.TrimSpace(params["filename"])
}

func contentPageQuery(limit, offset int) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return q
}
