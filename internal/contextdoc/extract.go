package contextdoc

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/net/html"
)

// MaxTextBytes caps the text extracted from one document: what goes to
// the index and the agent. The file itself is kept whole.
const MaxTextBytes = 2 << 20

// extracted is the text of a document and whether spreadsheet formulas
// were neutralized in it.
type extracted struct {
	text           string
	formulaEscaped bool
}

// extract reads the text out of a file of format f. Text formats are taken
// as they are (delimited text row by row); markup loses its tags; PDF and
// DOCX are parsed.
func extract(f Format, data []byte) (extracted, error) {
	var out extracted
	var err error
	switch f {
	case FormatPDF:
		out.text, err = pdfText(data)
	case FormatDOCX:
		out.text, err = docxText(data)
	case FormatHTML:
		out.text, err = htmlText(data)
	case FormatXML:
		out.text, err = xmlText(data)
	case FormatCSV, FormatTSV:
		out.text, out.formulaEscaped, err = delimitedText(data, f == FormatTSV)
	default:
		out.text = string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	}
	if err != nil {
		return extracted{}, err
	}
	out.text = strings.ToValidUTF8(strings.ReplaceAll(out.text, "\x00", ""), "")
	if len(out.text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(out.text[cut]) {
			cut--
		}
		out.text = out.text[:cut]
	}
	return out, nil
}

// pdfText extracts the plain text of every page. The parser panics on some
// malformed files, which here only means the file has no readable text.
func pdfText(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("unreadable PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("open PDF: %w", err)
	}
	plain, err := r.GetPlainText()
	if err != nil {
		return "", fmt.Errorf("read PDF text: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(plain, MaxTextBytes+1))
	if err != nil {
		return "", fmt.Errorf("read PDF text: %w", err)
	}
	return string(b), nil
}

// docxText reads word/document.xml: runs of text (w:t), tabs and breaks,
// one paragraph (w:p) per line.
func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("open DOCX: %w", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", errors.New("DOCX has no word/document.xml")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("open word/document.xml: %w", err)
	}
	defer rc.Close()
	const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	d := xml.NewDecoder(io.LimitReader(rc, 8*MaxTextBytes))
	var b strings.Builder
	inText := false
	for b.Len() <= MaxTextBytes {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("parse word/document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

// htmlText keeps the text of a page without its markup, scripts and styles.
func htmlText(data []byte) (string, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("parse HTML: %w", err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "template") {
			return
		}
		if n.Type == html.TextNode {
			if s := strings.TrimSpace(n.Data); s != "" {
				b.WriteString(s)
				b.WriteByte('\n')
			}
		}
		for c := n.FirstChild; c != nil && b.Len() <= MaxTextBytes; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return b.String(), nil
}

// xmlText keeps the character data of a document, one text node per line.
func xmlText(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var b strings.Builder
	for b.Len() <= MaxTextBytes {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("parse XML: %w", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			if s := strings.TrimSpace(string(cd)); s != "" {
				b.WriteString(s)
				b.WriteByte('\n')
			}
		}
	}
	return b.String(), nil
}

// delimitedText renders rows as "a | b | c" lines. A cell that a
// spreadsheet would run as a formula (=, +, -, @ first, and not a number)
// is prefixed with a quote, as OWASP advises against CSV injection, so that
// text copied out of search results or answers cannot run.
func delimitedText(data []byte, tabs bool) (string, bool, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	if tabs {
		r.Comma = '\t'
	}
	var b strings.Builder
	escaped := false
	for b.Len() <= MaxTextBytes {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, fmt.Errorf("parse delimited text: %w", err)
		}
		for i, cell := range rec {
			if formula(cell) {
				cell, escaped = "'"+cell, true
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell)
		}
		b.WriteByte('\n')
	}
	return b.String(), escaped, nil
}

func formula(cell string) bool {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return false
	}
	_, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
	return err != nil
}
