package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// secretPrefix marks every webhook signing secret, as Standard Webhooks
// does.
const secretPrefix = "whsec_"

// newSecret returns "whsec_" and the base64 of 32 random bytes. Both
// schemes use this form: Standard Webhooks keys with the decoded bytes, the
// Contio scheme with the whole string as UTF-8.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SignContio returns the X-Contio-Signature value of body: "sha256=" and
// the lowercase hex HMAC-SHA256 of the exact bytes, keyed with the secret as
// UTF-8.
func SignContio(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignStandard returns the webhook-signature value of a Standard Webhooks
// message: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body", keyed
// with the base64-decoded part of a whsec_ secret.
func SignStandard(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil {
		return "", fmt.Errorf("webhook secret is not whsec_<base64>: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// compactJSON encodes v the way JSON.stringify writes a value it parsed:
// no HTML escaping, no indentation, no trailing newline, and U+2028/U+2029
// as raw characters (Go escapes them). A receiver that parses the body and
// serializes it again (the Partner SDK's Express middleware) then gets the
// very bytes that were signed.
func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return unescapeLineSeparators(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// unescapeLineSeparators turns the escapes \u2028 and \u2029 in JSON text
// back into the characters. Escapes come in pairs (a backslash and what it
// escapes), so a literal backslash followed by "u2028" is never touched.
func unescapeLineSeparators(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u202`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if rest := b[i+1:]; len(rest) >= 5 && (string(rest[:5]) == "u2028" || string(rest[:5]) == "u2029") {
			if rest[4] == '8' {
				out = append(out, "\u2028"...)
			} else {
				out = append(out, "\u2029"...)
			}
			i += 5
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

// forUser is the envelope's for_user.
type forUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// contioEnvelope is the Partner webhook body, fields in the contract's
// order.
type contioEnvelope struct {
	EventType    string          `json:"event_type"`
	EventID      string          `json:"event_id"`
	Timestamp    string          `json:"timestamp"`
	PartnerAppID string          `json:"partner_app_id"`
	Data         json.RawMessage `json:"data"`
	ActorUserID  string          `json:"actor_user_id,omitempty"`
	ForUser      *forUser        `json:"for_user,omitempty"`
}

// standardEnvelope is the payload structure Standard Webhooks recommends.
type standardEnvelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// timestampFormat renders event times: RFC 3339 in UTC with milliseconds.
const timestampFormat = "2006-01-02T15:04:05.000Z07:00"
