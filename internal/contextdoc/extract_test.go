package contextdoc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/contextdoc/contextdoctest"
)

func TestCheckBytes(t *testing.T) {
	cases := []struct {
		format Format
		data   string
		ok     bool
	}{
		{FormatJSON, `{"a":[1,2]}`, true},
		{FormatJSON, `{"a":`, false},
		{FormatPDF, string(contextdoctest.PDF("hi")), true},
		{FormatPDF, "hello", false},
		{FormatDOCX, string(contextdoctest.DOCX("hi")), true},
		{FormatDOCX, "PK not a zip", false},
		{FormatDOCX, string(contextdoctest.Zip("word/other.xml", "<x/>")), false},
		{FormatXML, `<a><b>x</b></a>`, true},
		{FormatXML, `<a><b>x</a>`, false},
		{FormatXML, `just text`, false},
		{FormatYAML, "a: 1\nb: [1, 2]\n", true},
		{FormatYAML, "a: [1, 2\n", false},
		{FormatCSV, "a,b\n1,2\n", true},
		{FormatTSV, "a\tb\n1\t2\n", true},
		{FormatMD, "# Title\n\ntext", true},
		{FormatTXT, "bad \xff bytes", false},
		{FormatTXT, "nul \x00 byte", false},
		{FormatHTML, "<p>hi</p>", true},
	}
	for _, c := range cases {
		err := checkBytes(c.format, []byte(c.data))
		if c.ok {
			require.NoError(t, err, "%s %q", c.format, c.data)
		} else {
			require.Error(t, err, "%s %q", c.format, c.data)
			require.Contains(t, err.Error(), "source_format_mismatch")
		}
	}
}

func TestExtract(t *testing.T) {
	cases := []struct {
		format  Format
		data    []byte
		want    []string
		notWant []string
		formula bool
	}{
		{format: FormatPDF, data: contextdoctest.PDF("Quarterly budget review", "Ship the beta (v2) Monday"),
			want: []string{"Quarterly budget review", "Ship the beta (v2) Monday"}},
		{format: FormatDOCX, data: contextdoctest.DOCX("First paragraph", "Second & last"),
			want: []string{"First paragraph\nSecond & last"}},
		{format: FormatHTML, data: []byte(`<html><head><style>p{}</style><script>var x=1</script></head><body><h1>Agenda</h1><p>Item <b>one</b></p></body></html>`),
			want: []string{"Agenda", "Item", "one"}, notWant: []string{"var x", "p{}", "<b>"}},
		{format: FormatXML, data: []byte(`<crm><account>Acme</account><stage>won</stage></crm>`), want: []string{"Acme\nwon"}},
		{format: FormatCSV, data: []byte("name,total\nAcme,=SUM(A1:A9)\nBeta,-12.5\n"),
			want: []string{"name | total", "Acme | '=SUM(A1:A9)", "Beta | -12.5"}, formula: true},
		{format: FormatMD, data: []byte("\xef\xbb\xbf# Plan\n- ship"), want: []string{"# Plan\n- ship"}, notWant: []string{"\xef\xbb\xbf"}},
	}
	for _, c := range cases {
		ex, err := extract(c.format, c.data)
		require.NoError(t, err, c.format)
		for _, w := range c.want {
			require.Contains(t, ex.text, w, c.format)
		}
		for _, w := range c.notWant {
			require.NotContains(t, ex.text, w, c.format)
		}
		require.Equal(t, c.formula, ex.formulaEscaped, c.format)
	}
	_, err := extract(FormatPDF, []byte("%PDF-1.4 truncated garbage"))
	require.Error(t, err)
}

func TestSanitize(t *testing.T) {
	text := strings.Join([]string{
		"Contact ann@example.com or +1 415-555-0134.",
		"Card 4111 1111 1111 1111 and 4111 1111 1111 1112 (not Luhn).",
		"AWS AKIAIOSFODNN7EXAMPLE, api_key = 'abcd1234efgh5678'",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
		"Meeting on 2026-01-15 at 10:30, budget 1200000.",
	}, "\n")
	out, rep := sanitize(text)
	require.True(t, rep.PIIDetected)
	require.True(t, rep.SecretsDetected)
	counts := map[string]int{}
	for _, r := range rep.Redactions {
		counts[r.Type] = r.Count
	}
	require.Equal(t, map[string]int{"api_key": 2, "credit_card": 1, "email": 1, "phone": 1, "private_key": 1}, counts)
	for _, secret := range []string{"ann@example.com", "415-555-0134", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "abcd1234efgh5678", "MIIEowIBAAKCAQEA"} {
		require.NotContains(t, out, secret)
	}
	require.Contains(t, out, "4111 1111 1111 1112", "a number failing the Luhn check is kept")
	require.Contains(t, out, "2026-01-15", "dates are not phone numbers")
	require.Contains(t, out, "api_key = '[REDACTED:api_key]'", "the label stays, the value goes")

	_, clean := sanitize("Nothing to see here.")
	require.False(t, clean.PIIDetected || clean.SecretsDetected)
	require.NotNil(t, clean.Redactions)
	require.Empty(t, clean.Redactions)
}
