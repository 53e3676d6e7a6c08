// Package contextdoc holds context documents: files a partner app attaches
// to a meeting (an agenda, a CRM record, a brief). The bytes go to the blob
// store exactly as uploaded; a durable job extracts their text, scans it for
// secrets and personal data, and hands the redacted text to the search
// index, where Cloud search and the meeting agent find it. Every document
// belongs to the app that uploaded it: other apps of the organization never
// see it.
package contextdoc

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/quorumhq/quorum/internal/fault"
)

// Limits of an upload.
const (
	// MaxBytes is the largest file accepted: 10 MiB, enough for long
	// briefs and exported records, small enough to extract in one job.
	MaxBytes = 10 << 20
	// MaxTitleRunes bounds title and context_type.
	MaxTitleRunes = 255
)

// File statuses, in the order a document goes through them.
const (
	StatusUploaded   = "uploaded"
	StatusProcessing = "processing"
	StatusProcessed  = "processed"
	StatusFailed     = "failed"
)

// Format is a declared source format.
type Format string

// The formats of the Partner API (ContextSourceFormat) plus PDF and DOCX.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatTSV  Format = "tsv"
	FormatXML  Format = "xml"
	FormatHTML Format = "html"
	FormatYAML Format = "yaml"
	FormatMD   Format = "md"
	FormatTXT  Format = "txt"
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
)

// formatTypes is each format's media type, sent back on download when the
// upload carried no more specific one.
var formatTypes = map[Format]string{
	FormatJSON: "application/json",
	FormatCSV:  "text/csv",
	FormatTSV:  "text/tab-separated-values",
	FormatXML:  "application/xml",
	FormatHTML: "text/html",
	FormatYAML: "application/yaml",
	FormatMD:   "text/markdown",
	FormatTXT:  "text/plain",
	FormatPDF:  "application/pdf",
	FormatDOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// Formats lists the accepted source formats.
func Formats() []string {
	return []string{"json", "csv", "tsv", "xml", "html", "yaml", "md", "txt", "pdf", "docx"}
}

// ParseFormat checks a declared source format.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f == "" {
		return "", fault.Invalid("source_format", "missing_source_format", "source_format is required")
	}
	if _, ok := formatTypes[f]; !ok {
		return "", fault.Invalid("source_format", "invalid_source_format", "source_format must be one of %s", strings.Join(Formats(), ", "))
	}
	return f, nil
}

// contentType chooses the media type stored with a file: the one the
// upload declared when it says more than "some bytes", else the format's.
func contentType(f Format, declared string) string {
	media, params, err := mime.ParseMediaType(declared)
	if err != nil || media == "application/octet-stream" || media == "" || len(declared) > 255 {
		return formatTypes[f]
	}
	return mime.FormatMediaType(media, params)
}

// mismatch is the error of bytes that are not what their format says.
func mismatch(f Format, why string) error {
	return fault.Invalid("file", "source_format_mismatch", "the file is not valid %s: %s", f, why)
}

// checkBytes verifies that data is what its declared format says it is.
// Text formats must be UTF-8 without NUL characters and parse as their
// format; PDF must start with the PDF magic; DOCX must be a zip archive
// holding word/document.xml.
func checkBytes(f Format, data []byte) error {
	switch f {
	case FormatPDF:
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			return mismatch(f, "it does not start with %PDF-")
		}
		return nil
	case FormatDOCX:
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return mismatch(f, "it is not a zip archive")
		}
		for _, zf := range zr.File {
			if zf.Name == "word/document.xml" {
				return nil
			}
		}
		return mismatch(f, "the archive has no word/document.xml")
	}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0 {
		return mismatch(f, "it is not UTF-8 text without NUL characters")
	}
	switch f {
	case FormatJSON:
		if !json.Valid(text) {
			return mismatch(f, "it does not parse as JSON")
		}
	case FormatXML:
		d := xml.NewDecoder(bytes.NewReader(text))
		elements := 0
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return mismatch(f, "it does not parse as XML")
			}
			if _, ok := tok.(xml.StartElement); ok {
				elements++
			}
		}
		if elements == 0 {
			return mismatch(f, "it has no root element")
		}
	case FormatYAML:
		d := yaml.NewDecoder(bytes.NewReader(text))
		for {
			var v any
			err := d.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return mismatch(f, "it does not parse as YAML")
			}
		}
	case FormatCSV, FormatTSV:
		r := csv.NewReader(bytes.NewReader(text))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		if f == FormatTSV {
			r.Comma = '\t'
		}
		if _, err := r.ReadAll(); err != nil {
			return mismatch(f, "it does not parse as delimited text")
		}
	}
	return nil
}

// Report is what the scan of a document found and redacted, as the
// meeting.context.processed event carries it.
type Report struct {
	// FormulaEscaped: spreadsheet cells that would run as formulas were
	// neutralized in the indexed text.
	FormulaEscaped  bool        `json:"formula_escaped"`
	PIIDetected     bool        `json:"pii_detected"`
	SecretsDetected bool        `json:"secrets_detected"`
	Redactions      []Redaction `json:"redactions"`
}

// Redaction counts the redacted findings of one type.
type Redaction struct {
	Count int    `json:"count"`
	Type  string `json:"type"`
}

// Document is a context document.
type Document struct {
	ID           int64
	UUID         string
	OrgID        int64
	OrgUUID      string
	MeetingID    int64
	MeetingUUID  string
	AppID        int64
	AppUUID      string
	PlatformName string // the uploading app's name
	// CreatedBy is the uploading user's UUID, empty for an app token.
	CreatedBy    string
	Title        string
	ContextType  string
	SourceFormat Format
	Filename     string
	ContentType  string
	Size         int64
	SHA256       string
	FileStatus   string
	// Report is set once the document is processed.
	Report      *Report
	ProcessedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   time.Time // zero unless deleted
	blobKey     string
	documentID  int64
}

// Upload is a file to attach to a meeting.
type Upload struct {
	MeetingID    string
	SourceFormat string
	Title        string
	ContextType  string
	// Filename and ContentType are the file part's; both may be empty.
	Filename    string
	ContentType string
	Data        []byte
}

func (u *Upload) validate() (Format, error) {
	f, err := ParseFormat(u.SourceFormat)
	if err != nil {
		return "", err
	}
	if len(u.Data) > MaxBytes {
		return "", &fault.Error{Kind: fault.KindTooLarge, Code: "file_too_large", Field: "file",
			Message: "the file is larger than 10 MiB"}
	}
	if len(u.Data) == 0 {
		return "", fault.Invalid("file", "empty_file", "the file is empty")
	}
	u.Filename = strings.TrimSpace(u.Filename)
	if u.Filename == "" {
		u.Filename = "blob"
	}
	u.Title = strings.TrimSpace(u.Title)
	if u.Title == "" {
		u.Title = u.Filename
	}
	u.ContextType = strings.TrimSpace(u.ContextType)
	for _, fld := range []struct{ name, v string }{{"title", u.Title}, {"context_type", u.ContextType}, {"filename", u.Filename}} {
		if !utf8.ValidString(fld.v) || strings.ContainsRune(fld.v, 0) {
			return "", fault.Invalid(fld.name, "invalid_encoding", "%s must be UTF-8 text without NUL characters", fld.name)
		}
		if utf8.RuneCountInString(fld.v) > MaxTitleRunes {
			return "", fault.Invalid(fld.name, "validation_error", "%s is longer than %d characters", fld.name, MaxTitleRunes)
		}
	}
	return f, checkBytes(f, u.Data)
}
