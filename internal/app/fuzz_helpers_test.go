package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file holds the parts of TestFuzzOpenAPI that know nothing about
// Quorum: a reader for the OpenAPI document, a generator of values from its
// schemas, and a JSON tree that can be mutated and then written with bytes
// no JSON encoder would produce (raw NUL, invalid UTF-8, NaN).

// oaDoc is the part of an OpenAPI 3.1 document the fuzzer reads.
type oaDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Security   []map[string][]string                 `json:"security"`
	Components struct {
		Schemas         map[string]*oaSchema `json:"schemas"`
		SecuritySchemes map[string]oaScheme  `json:"securitySchemes"`
	} `json:"components"`
}

type oaScheme struct {
	Type   string `json:"type"`
	Scheme string `json:"scheme"`
	In     string `json:"in"`
	Name   string `json:"name"`
	Flows  map[string]struct {
		Scopes map[string]string `json:"scopes"`
	} `json:"flows"`
}

type oaOp struct {
	Parameters  []oaParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *oaSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]json.RawMessage `json:"content"`
	} `json:"responses"`
	// Security is nil when the operation inherits the document's.
	Security *[]map[string][]string `json:"security"`
}

type oaParam struct {
	Name     string    `json:"name"`
	In       string    `json:"in"`
	Required bool      `json:"required"`
	Schema   *oaSchema `json:"schema"`
}

type oaSchema struct {
	Ref                  string               `json:"$ref"`
	Type                 any                  `json:"type"` // a name or, in 3.1, a list of names
	Format               string               `json:"format"`
	Enum                 []any                `json:"enum"`
	Properties           map[string]*oaSchema `json:"properties"`
	Required             []string             `json:"required"`
	Items                *oaSchema            `json:"items"`
	AdditionalProperties any                  `json:"additionalProperties"`
	OneOf                []*oaSchema          `json:"oneOf"`
	AnyOf                []*oaSchema          `json:"anyOf"`
	Minimum              *float64             `json:"minimum"`
	Maximum              *float64             `json:"maximum"`
	MinLength            *int                 `json:"minLength"`
	MaxLength            *int                 `json:"maxLength"`
	MinItems             *int                 `json:"minItems"`
	MaxItems             *int                 `json:"maxItems"`
}

// types lists the schema's JSON types, "null" last.
func (s *oaSchema) types() []string {
	var out []string
	switch t := s.Type.(type) {
	case string:
		out = []string{t}
	case []any:
		for _, v := range t {
			if n, ok := v.(string); ok {
				out = append(out, n)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[j] == "null" && out[i] != "null" })
	return out
}

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

// operations lists every operation of the document, sorted so a seed
// always maps to the same requests.
func (d *oaDoc) operations() ([]fuzzOp, error) {
	var ops []fuzzOp
	for path, item := range d.Paths {
		for _, m := range httpMethods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op oaOp
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, path, err)
			}
			sec := d.Security
			if op.Security != nil {
				sec = *op.Security
			}
			ops = append(ops, fuzzOp{Method: strings.ToUpper(m), Path: path, op: op, security: sec})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Path+" "+ops[i].Method < ops[j].Path+" "+ops[j].Method })
	return ops, nil
}

func (d *oaDoc) resolve(s *oaSchema) *oaSchema {
	for i := 0; s != nil && s.Ref != "" && i < 16; i++ {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// ---- JSON tree ----

type jkv struct {
	k string
	v any
}

// jobj is a JSON object that keeps its key order (and may repeat keys).
type jobj struct{ kv []jkv }

// jarr is a JSON array.
type jarr struct{ items []any }

// jraw is written verbatim: numbers, and bytes that make the document
// invalid on purpose.
type jraw string

// jbadstr is a string written between quotes without escaping, so it can
// carry raw NUL or invalid UTF-8.
type jbadstr string

func writeJSON(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case jraw:
		buf.WriteString(string(v))
	case jbadstr:
		buf.WriteByte('"')
		buf.WriteString(string(v))
		buf.WriteByte('"')
	case string:
		b, _ := json.Marshal(v)
		buf.Write(b)
	case *jobj:
		buf.WriteByte('{')
		for i, kv := range v.kv {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, _ := json.Marshal(kv.k)
			buf.Write(b)
			buf.WriteByte(':')
			writeJSON(buf, kv.v)
		}
		buf.WriteByte('}')
	case *jarr:
		buf.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, it)
		}
		buf.WriteByte(']')
	default:
		panic(fmt.Sprintf("writeJSON: %T", v))
	}
}

func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	writeJSON(&buf, v)
	return buf.Bytes()
}

// slot is one place in a tree: reading it, replacing it, and (for object
// members) removing it.
type slot struct {
	name   string // the member name, or the enclosing member's for array items
	get    func() any
	set    func(any)
	remove func() // nil unless the slot is an object member
}

func slots(root *any) []slot {
	var out []slot
	var walk func(name string, get func() any, set func(any), remove func())
	walk = func(name string, get func() any, set func(any), remove func()) {
		out = append(out, slot{name: name, get: get, set: set, remove: remove})
		switch v := get().(type) {
		case *jobj:
			for i := range v.kv {
				walk(v.kv[i].k, func() any { return v.kv[i].v }, func(n any) { v.kv[i].v = n }, func() {
					v.kv = slices.Delete(v.kv, i, i+1)
				})
			}
		case *jarr:
			for i := range v.items {
				walk(name, func() any { return v.items[i] }, func(n any) { v.items[i] = n }, nil)
			}
		}
	}
	walk("", func() any { return *root }, func(n any) { *root = n }, nil)
	return out
}

// ---- generation ----

// gen builds values from schemas, using known real values (a meeting id,
// the client id) for members and parameters of the same name.
type gen struct {
	doc   *oaDoc
	r     *rand.Rand
	known map[string][]string // by lower-cased name without '_' or '-'
	// full includes every optional member, so a mutation of every value
	// of a type reaches all of them.
	full bool
}

func knownKey(name string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
}

func (g *gen) knownFor(name string) []string {
	k := knownKey(name)
	if v := g.known[k]; len(v) > 0 {
		return v
	}
	// meetingIds -> meetingid: a list's items are named like the list.
	return g.known[strings.TrimSuffix(k, "s")]
}

var words = []string{"launch", "budget", "march", "ann", "plan", "friday", "review", "risk", "team", "ship", "decision", "agreed"}

func (g *gen) text(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[g.r.IntN(len(words))])
	}
	return b.String()
}

func (g *gen) value(s *oaSchema, name string, depth int) any {
	s = g.doc.resolve(s)
	if s == nil {
		return g.anyValue(depth)
	}
	if len(s.OneOf) > 0 {
		return g.value(s.OneOf[g.r.IntN(len(s.OneOf))], name, depth)
	}
	if len(s.AnyOf) > 0 {
		return g.value(s.AnyOf[g.r.IntN(len(s.AnyOf))], name, depth)
	}
	if len(s.Enum) > 0 {
		return toTree(s.Enum[g.r.IntN(len(s.Enum))])
	}
	types := s.types()
	if len(types) == 0 {
		if s.Properties != nil {
			types = []string{"object"}
		} else {
			return g.anyValue(depth)
		}
	}
	t := types[0]
	if len(types) > 1 && g.r.IntN(10) == 0 {
		t = types[g.r.IntN(len(types))]
	}
	switch t {
	case "null":
		return nil
	case "boolean":
		return g.r.IntN(2) == 0
	case "integer", "number":
		lo, hi := 0.0, 100.0
		if s.Minimum != nil {
			lo = *s.Minimum
		}
		if s.Maximum != nil {
			hi = *s.Maximum
		}
		if hi < lo {
			hi = lo
		}
		if t == "integer" {
			return jraw(strconv.FormatInt(int64(lo)+g.r.Int64N(int64(hi-lo)+1), 10))
		}
		return jraw(strconv.FormatFloat(lo+g.r.Float64()*(hi-lo), 'f', 3, 64))
	case "string":
		if v := g.knownFor(name); len(v) > 0 && g.r.IntN(3) > 0 {
			return v[g.r.IntN(len(v))]
		}
		switch s.Format {
		case "date-time":
			return time.Now().UTC().Add(-time.Duration(g.r.IntN(1000)) * time.Hour).Format(time.RFC3339)
		case "email":
			return "fuzz@example.com"
		case "uri", "url":
			return "https://example.com/hook"
		case "binary":
			return g.text(20)
		}
		n := 3 + g.r.IntN(40)
		if s.MinLength != nil && n < *s.MinLength {
			n = *s.MinLength
		}
		str := g.text(n)
		if s.MaxLength != nil && len(str) > *s.MaxLength {
			str = str[:*s.MaxLength]
		}
		return str
	case "array":
		n := g.r.IntN(4)
		if g.full {
			n = max(n, 1)
		}
		if s.MinItems != nil && n < *s.MinItems {
			n = *s.MinItems
		}
		if s.MaxItems != nil && n > *s.MaxItems {
			n = *s.MaxItems
		}
		a := &jarr{}
		for i := 0; i < n && depth < 8; i++ {
			a.items = append(a.items, g.value(s.Items, name, depth+1))
		}
		return a
	case "object":
		o := &jobj{}
		names := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if depth < 8 && (g.full || slices.Contains(s.Required, k) || g.r.IntN(2) == 0) {
				o.kv = append(o.kv, jkv{k, g.value(s.Properties[k], k, depth+1)})
			}
		}
		if ap, ok := s.AdditionalProperties.(map[string]any); ok && len(ap) > 0 && depth < 8 {
			b, _ := json.Marshal(ap)
			var sub oaSchema
			_ = json.Unmarshal(b, &sub)
			for i := g.r.IntN(3); i > 0; i-- {
				o.kv = append(o.kv, jkv{g.text(5), g.value(&sub, "", depth+1)})
			}
		}
		return o
	}
	return g.anyValue(depth)
}

// anyValue is a JSON value of any shape, for bodies the document does not
// describe.
func (g *gen) anyValue(depth int) any {
	switch n := g.r.IntN(7); {
	case n == 0 || depth > 3:
		return g.text(8)
	case n == 1:
		return jraw(strconv.Itoa(g.r.IntN(1000) - 500))
	case n == 2:
		return g.r.IntN(2) == 0
	case n == 3:
		return nil
	case n == 4:
		a := &jarr{}
		for i := g.r.IntN(3); i > 0; i-- {
			a.items = append(a.items, g.anyValue(depth+1))
		}
		return a
	default:
		// A member of some schema, so the value has names the server knows.
		names := make([]string, 0, len(g.doc.Components.Schemas))
		for k := range g.doc.Components.Schemas {
			names = append(names, k)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return &jobj{}
		}
		return g.value(g.doc.Components.Schemas[names[g.r.IntN(len(names))]], "", depth+1)
	}
}

func toTree(v any) any {
	switch v := v.(type) {
	case float64:
		return jraw(strconv.FormatFloat(v, 'g', -1, 64))
	case map[string]any:
		o := &jobj{}
		for k, x := range v {
			o.kv = append(o.kv, jkv{k, toTree(x)})
		}
		return o
	case []any:
		a := &jarr{}
		for _, x := range v {
			a.items = append(a.items, toTree(x))
		}
		return a
	}
	return v
}

// hugeNumbers are valid number literals a server must bound or reject.
var hugeNumbers = []string{"1e308", "-1e308", "1.7976931348623157e308", "4.9e-324", "-0", "9223372036854775807",
	"9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1e-30", "-1", "-2147483649"}

// badNumbers overflow a float64 or are not JSON at all.
var badNumbers = []string{"1e309", "-1e309", "1E400", "NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5", "+1"}

// hostileStrings are string values with bytes a server must store safely
// or reject; jbadstr values are written without escaping.
var hostileStrings = []any{"a\u0000b", "\u0000", jbadstr("a\x00b"), jbadstr("\xff\xfe"), jbadstr("caf\xc3\x28"),
	jraw(`"\ud800"`), jraw(`"\udfff\ud800"`), "\u202e\u200b\ufeff", "😀日本語", jbadstr("line\nbreak"), "%00", "' OR 1=1 --",
	"<script>alert(1)</script>", "../../etc/passwd", ""}
