package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// jsonSchema is a named response schema for structured output.
type jsonSchema struct {
	name   string
	schema map[string]any
}

// object is a JSON schema object in the shape OpenAI's strict mode demands:
// every property required, nothing else allowed. Optional values are
// expressed as empty strings instead, which every server understands.
func object(props map[string]any) map[string]any {
	req := make([]string, 0, len(props))
	for k := range props {
		req = append(req, k)
	}
	sort.Strings(req) // stable request bodies
	return map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false}
}

func arrayOf(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

var (
	schemaString  = map[string]any{"type": "string"}
	schemaInteger = map[string]any{"type": "integer"}
	schemaNumber  = map[string]any{"type": "number"}
)

// completeJSON asks the chat model for a JSON reply in the given schema and
// decodes it into dst. It returns the raw reply and whether it decoded, so
// callers can fall back to reading plain text when a server ignores the
// schema (many only honour it with some models, or not at all).
//
// The schema goes in response_format with strict mode. A server that
// rejects response_format outright (400 or 422) gets the request again
// without it, relying on the prompt's description of the JSON; after one
// such success the provider stops sending the schema.
func (p *Provider) completeJSON(ctx context.Context, op, system, user string, s jsonSchema, dst any) (string, bool, error) {
	params := oai.ChatCompletionNewParams{
		Model:    p.cfg.Model,
		Messages: []oai.ChatCompletionMessageParamUnion{oai.SystemMessage(system), oai.UserMessage(user)},
	}
	withSchema := !p.noSchema.Load()
	if withSchema {
		params.ResponseFormat = oai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   s.name,
					Strict: oai.Bool(true),
					Schema: s.schema,
				},
			},
		}
	}
	res, err := p.chat.New(ctx, params)
	if err != nil && withSchema && rejectedRequest(err) {
		params.ResponseFormat = oai.ChatCompletionNewParamsResponseFormatUnion{}
		if res, err = p.chat.New(ctx, params); err == nil {
			p.noSchema.Store(true)
		}
	}
	if err != nil {
		return "", false, wrapErr(ctx, op, err)
	}
	reply, err := toReply(op, res)
	if err != nil {
		return "", false, err
	}
	return reply.Content, decodeJSON(reply.Content, dst), nil
}

// rejectedRequest reports whether err is the server refusing the request
// itself (as opposed to failing), the way servers without structured output
// refuse an unknown response_format.
func rejectedRequest(err error) bool {
	var apiErr *oai.Error
	return errors.As(err, &apiErr) &&
		(apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity)
}

// decodeJSON decodes a model's JSON reply into dst, tolerating what models
// wrap it in when no schema is enforced: Markdown code fences, or prose
// around the object.
func decodeJSON(s string, dst any) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	if json.Unmarshal([]byte(s), dst) == nil {
		return true
	}
	if i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}'); i >= 0 && j > i {
		return json.Unmarshal([]byte(s[i:j+1]), dst) == nil
	}
	return false
}

// segIndex is a segment number as a model writes it: usually a JSON number,
// sometimes a string ("12", "[12]") or null. Anything unreadable is -1, which
// callers treat as "no citation".
type segIndex int

// UnmarshalJSON implements json.Unmarshaler.
func (x *segIndex) UnmarshalJSON(b []byte) error {
	*x = -1
	b = bytes.Trim(bytes.TrimSpace(b), `"[]`)
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && f >= 0 {
		*x = segIndex(f)
	}
	return nil
}

// citationRE finds "[12]" citations in plain-text replies.
var citationRE = regexp.MustCompile(`\s*\[(\d+)\]`)

// bulletRE finds list markers at the start of a plain-text line.
var bulletRE = regexp.MustCompile(`^\s*(?:[-*•]|\d+[.)])\s+`)

// plainLine is a line of a plain-text reply with its citations taken out.
type plainLine struct {
	text  string
	cites []int
}

// plainLines splits a reply that is not JSON into its non-empty lines,
// without list markers, with any "[n]" citations pulled out.
func plainLines(s string) []plainLine {
	var out []plainLine
	for _, l := range strings.Split(s, "\n") {
		l = bulletRE.ReplaceAllString(l, "")
		var cites []int
		for _, m := range citationRE.FindAllStringSubmatch(l, -1) {
			if n, err := strconv.Atoi(m[1]); err == nil {
				cites = append(cites, n)
			}
		}
		l = strings.TrimSpace(citationRE.ReplaceAllString(l, ""))
		l = strings.Trim(l, "*") // Markdown bold around a whole line
		if l != "" && !strings.HasPrefix(l, "```") {
			out = append(out, plainLine{text: strings.TrimSpace(l), cites: cites})
		}
	}
	return out
}
