package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestFuzzOpenAPI sends malformed requests to every operation of the
// server's own /openapi.json for a bounded time, on every database, and
// fails on any 5xx, any error body that is not JSON, and any declared JSON
// success body that is not JSON. Operations come from the document, so a
// new route is fuzzed without touching this test.
//
// QUORUM_FUZZ_BUDGET (a Go duration) sets the time per backend (default
// 15s, 5s with -short); QUORUM_FUZZ_SEED replays a run; QUORUM_FUZZ_OPS (a
// regexp over "METHOD /path") narrows it to some operations.
func TestFuzzOpenAPI(t *testing.T) {
	budget := 15 * time.Second
	if testing.Short() {
		budget = 5 * time.Second
	}
	if v := os.Getenv("QUORUM_FUZZ_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "QUORUM_FUZZ_BUDGET")
		budget = d
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("QUORUM_FUZZ_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "QUORUM_FUZZ_SEED")
		seed = s
	}
	var only *regexp.Regexp
	if v := os.Getenv("QUORUM_FUZZ_OPS"); v != "" {
		only = regexp.MustCompile(v)
	}
	maxFailures := 20
	if v := os.Getenv("QUORUM_FUZZ_MAX_FAILURES"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "QUORUM_FUZZ_MAX_FAILURES")
		maxFailures = n
	}
	// Some internal errors are logged through slog's default logger; keep
	// them, so a failure shows the server's own account of a 5xx.
	defaultLog := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(defaultLog, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	t.Logf("fuzz seed %d, budget %s per backend (replay: QUORUM_FUZZ_SEED=%d)", seed, budget, seed)
	eachBackend(t, func(t *testing.T, e *env) {
		fz := newFuzzer(t, e, seed, only)
		fz.maxFailures = maxFailures
		fz.serverLogs = []*syncBuffer{e.log, defaultLog}
		fz.run(budget)
		fz.report()
	})
}

const (
	fuzzWorkers = 4
	// fuzzRequestTimeout bounds one request; a server still busy after it
	// keeps working for a client that has gone, which is itself a finding.
	fuzzRequestTimeout = 30 * time.Second
	// largestBodyLimit is the largest body limit of any operation (transcript
	// uploads and analysis, api/cloud.MaxTranscriptBytes); the document does
	// not state per-operation limits.
	largestBodyLimit = 16 << 20
)

// fuzzOp is one operation of the document.
type fuzzOp struct {
	Method, Path string
	op           oaOp
	security     []map[string][]string
}

func (o fuzzOp) String() string { return o.Method + " " + o.Path }

func (o fuzzOp) params(in string) []oaParam {
	var out []oaParam
	for _, p := range o.op.Parameters {
		if p.In == in {
			out = append(out, p)
		}
	}
	return out
}

func (o fuzzOp) bodyTypes() []string {
	if o.op.RequestBody == nil {
		return nil
	}
	var out []string
	for ct := range o.op.RequestBody.Content {
		out = append(out, ct)
	}
	sort.Strings(out)
	return out
}

// declares reports whether any response of the operation (or only those of
// status when status is not empty) declares a media type containing sub.
func (o fuzzOp) declares(status, sub string) bool {
	for code, r := range o.op.Responses {
		if status != "" && code != status {
			continue
		}
		for ct := range r.Content {
			if strings.Contains(ct, sub) {
				return true
			}
		}
	}
	return false
}

// credential is one way to authenticate, as the headers it sets.
type credential struct {
	name  string
	apply func(http.Header)
}

type fuzzFailure struct {
	key, op, class, reason string
	status, count          int
	request, response      string
	requestID              string
}

type fuzzer struct {
	t     *testing.T
	e     *env
	seed  uint64
	doc   *oaDoc
	ops   []fuzzOp
	creds map[string]credential // by security scheme name, plus "basicClient"
	known map[string][]string
	http  *http.Client
	// restore undoes the one change a fuzzed request can make that would
	// starve the rest of the run: suspending the app.
	restore func(context.Context) error
	maxBody int64
	// effective holds, for operations that declare no security, the
	// credentials the probe found them to accept.
	effective map[string][]map[string][]string
	// sweep holds the planned first requests of every operation.
	sweep map[string][]plan

	// maxFailures stops a run once this many distinct failures are known.
	maxFailures int
	serverLogs  []*syncBuffer

	sent     atomic.Int64
	mu       sync.Mutex
	failures []*fuzzFailure
	byKey    map[string]*fuzzFailure
	statuses map[string]map[int]int
	slowest  map[string]time.Duration
}

func newFuzzer(t *testing.T, e *env, seed uint64, only *regexp.Regexp) *fuzzer {
	t.Helper()
	ctx := context.Background()
	fz := &fuzzer{t: t, e: e, seed: seed, maxBody: e.app.Config.MaxBodyBytes,
		byKey: map[string]*fuzzFailure{}, statuses: map[string]map[int]int{},
		slowest: map[string]time.Duration{},
		http: &http.Client{
			Timeout: fuzzRequestTimeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: fuzzWorkers, DisableCompression: true,
				ResponseHeaderTimeout: fuzzRequestTimeout},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}

	resp, err := http.Get(e.srv.URL + "/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	fz.doc = &oaDoc{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(fz.doc))
	ops, err := fz.doc.operations()
	require.NoError(t, err)
	for _, op := range ops {
		if only == nil || only.MatchString(op.String()) {
			fz.ops = append(fz.ops, op)
		}
	}
	require.NotEmpty(t, fz.ops, "no operation in /openapi.json matches")

	// Credentials for every security scheme of the document, with every
	// scope the document lists.
	var scopes []string
	for _, s := range fz.doc.Components.SecuritySchemes {
		for _, f := range s.Flows {
			for sc := range f.Scopes {
				scopes = append(scopes, sc)
			}
		}
	}
	sort.Strings(scopes)
	scopes = slices.Compact(scopes)
	email := "fuzz@example.com"
	f := e.fixture(email)
	ct, err := e.client().CreateCloudToken(ctx, f.cloudKey, email)
	require.NoError(t, err)
	mt, err := e.client().MeetingsAPI().Token(ctx, f.app.ClientID, f.app.ClientSecret)
	require.NoError(t, err)
	values := map[string]string{
		"meetingsToken": mt.AccessToken,
		"oauth2":        userToken(t, e, f, strings.Join(scopes, " ")),
		"apiKey":        f.apiKey,
		"cloudToken":    ct.CloudToken,
		"cloudApiKey":   f.cloudKey,
	}
	fz.creds = map[string]credential{}
	for name, s := range fz.doc.Components.SecuritySchemes {
		v, ok := values[name]
		if !ok {
			t.Fatalf("security scheme %q of /openapi.json has no credential in TestFuzzOpenAPI: add one to newFuzzer", name)
		}
		switch {
		case s.Type == "apiKey" && s.In == "header":
			hdr := s.Name
			fz.creds[name] = credential{name, func(h http.Header) { h.Set(hdr, v) }}
		case s.Type == "oauth2" || s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
			fz.creds[name] = credential{name, func(h http.Header) { h.Set("Authorization", "Bearer "+v) }}
		default:
			t.Fatalf("security scheme %q (%s %s) is not supported by TestFuzzOpenAPI", name, s.Type, s.Scheme)
		}
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.app.ClientID+":"+f.app.ClientSecret))
	fz.creds["basicClient"] = credential{"basicClient", func(h http.Header) { h.Set("Authorization", basic) }}

	// Real resources, so an {id} is sometimes one that exists.
	cc := e.client(client.WithBearer(ct.CloudToken))
	m, err := cc.ImportMeeting(ctx, client.NewMeeting{Title: "Fuzz target", Segments: []client.Segment{
		{Speaker: "Ann", Text: "The launch moves to March.", Start: 0, End: 4},
		{Speaker: "Raj", Text: "I will update the plan by Friday.", Start: 4, End: 9},
	}})
	require.NoError(t, err)
	run, err := cc.AskAgent(ctx, m.ID, "What moved?")
	require.NoError(t, err)
	_, err = cc.PushMood(ctx, "fuzz-response", []client.MoodSample{{ParticipantID: "ann", Mood: "calm", Sentiment: 0.1}})
	require.NoError(t, err)
	session, err := e.client().InitiateAuth(ctx, f.app, email, "Fuzz")
	require.NoError(t, err)
	fz.known = map[string][]string{
		"id": {m.ID}, "meetingid": {m.ID}, "runid": {run.ID}, "responseid": {"fuzz-response"},
		"clientid": {f.app.ClientID}, "clientsecret": {f.app.ClientSecret}, "redirecturi": {f.app.RedirectURI},
		"userid": {email}, "email": {email}, "loginhint": {email}, "password": {f.password},
		"scope": {strings.Join(scopes, " "), "openid profile"}, "session": {session},
		"responsetype": {"code"}, "codechallengemethod": {"S256"}, "decision": {"allow", "deny"},
		"granttype": {"authorization_code", "refresh_token", "client_credentials"},
	}
	admin := e.client(client.WithAPIKey(f.apiKey, ""))
	fz.restore = func(ctx context.Context) error {
		_, err := admin.UpdateAppStatus(ctx, "active")
		return err
	}
	fz.probe()
	fz.sweep = map[string][]plan{}
	for _, op := range fz.ops {
		fz.sweep[op.String()] = fz.sweepPlans(op)
	}
	return fz
}

// probe finds which credentials the operations that declare no security
// accept (the Partner admin key, client Basic auth, a user token), by
// sending each one well-formed request per credential and seeing which
// are not answered 401 when sending none is.
func (fz *fuzzer) probe() {
	fz.effective = map[string][]map[string][]string{}
	var undeclared []string
	for _, op := range fz.ops {
		if len(op.security) > 0 {
			continue
		}
		status := func(cred string) int {
			req := fz.build(rand.New(rand.NewPCG(fz.seed, 0)), op, &plan{focus: "valid", cred: cred})
			hr, err := http.NewRequest(req.method, fz.e.srv.URL+req.target, bytes.NewReader(req.body))
			require.NoError(fz.t, err)
			hr.Header = req.header
			resp, err := fz.http.Do(hr)
			require.NoError(fz.t, err, "probe %s", op)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		if status("none") != http.StatusUnauthorized {
			continue
		}
		var accepted []string
		for _, name := range fz.credNames() {
			if status(name) != http.StatusUnauthorized {
				fz.effective[op.String()] = append(fz.effective[op.String()], map[string][]string{name: nil})
				accepted = append(accepted, name)
			}
		}
		undeclared = append(undeclared, fmt.Sprintf("%s (accepts %s)", op, strings.Join(accepted, ", ")))
	}
	if len(undeclared) > 0 {
		fz.t.Logf("operations answering 401 without a credential but declaring no security in /openapi.json:\n  %s",
			strings.Join(undeclared, "\n  "))
	}
}

// run sends requests round-robin over the operations until the budget is
// spent or enough distinct failures are known.
func (fz *fuzzer) run(budget time.Duration) {
	deadline := time.Now().Add(budget)
	var next atomic.Uint64
	var wg sync.WaitGroup
	for w := 0; w < fuzzWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && !fz.enough() {
				i := next.Add(1) - 1
				if i%50 == 49 {
					ctx, cancel := context.WithTimeout(context.Background(), fuzzRequestTimeout)
					if err := fz.restore(ctx); err != nil {
						fz.t.Logf("re-activating the app: %v", err)
					}
					cancel()
				}
				op := fz.ops[i%uint64(len(fz.ops))]
				var p *plan
				if k := i / uint64(len(fz.ops)); k < uint64(len(fz.sweep[op.String()])) {
					p = &fz.sweep[op.String()][k]
				}
				fz.do(i, op, fz.build(rand.New(rand.NewPCG(fz.seed, i)), op, p))
			}
		}()
	}
	wg.Wait()
}

func (fz *fuzzer) enough() bool {
	fz.mu.Lock()
	defer fz.mu.Unlock()
	return len(fz.failures) >= fz.maxFailures
}

// fuzzReq is one generated request. class names what was malformed in it,
// as "part:kind(detail)", so failures group by the kind of input.
type fuzzReq struct {
	method, target string
	header         http.Header
	body           []byte
	class, auth    string
}

func (r fuzzReq) classKind() string {
	if i := strings.IndexByte(r.class, '('); i > 0 {
		return r.class[:i]
	}
	return r.class
}

// plan fixes some choices of a request that build otherwise makes at
// random; empty fields stay random.
type plan struct {
	focus string // valid, path, query, header, auth, body, content-type
	cred  string // a credential name, "none", or "" for the operation's own
	kind  string // the body mutation
	param string // the path parameter
	value string // the hostile value
}

// sweepPlans lists the requests every operation gets first, before the
// random ones, so a short budget still tries each class of input that has
// broken a server before: the most telling first.
func (fz *fuzzer) sweepPlans(op fuzzOp) []plan {
	var ps []plan
	json := slices.ContainsFunc(op.bodyTypes(), func(ct string) bool { return strings.Contains(ct, "json") })
	if json {
		for _, v := range badStrings {
			ps = append(ps, plan{focus: "body", kind: "every-string", value: v})
		}
		for _, v := range hugeNumbers[:3] {
			ps = append(ps, plan{focus: "body", kind: "every-number", value: v},
				plan{focus: "body", kind: "hostile-number", value: v}, plan{focus: "body", kind: "hostile-number", value: v})
		}
	}
	for _, p := range op.params("path") {
		for _, v := range []string{"%00", "a%00b", "%ff", "%ed%a0%80", "-1", "1e308"} {
			ps = append(ps, plan{focus: "path", param: p.Name, value: v})
		}
	}
	for _, v := range []string{"%00", "%ff", "%zz", "-1", "1e308"} {
		ps = append(ps, plan{focus: "query", value: v})
	}
	ps = append(ps, plan{focus: "valid"}, plan{focus: "auth", cred: "none"})
	for _, c := range fz.credNames() {
		ps = append(ps, plan{focus: "auth", cred: c})
	}
	if json {
		for _, k := range jsonMutations {
			ps = append(ps, plan{focus: "body", kind: k})
		}
	} else if len(op.bodyTypes()) > 0 {
		for i := 0; i < 6; i++ {
			ps = append(ps, plan{focus: "body"})
		}
	}
	for _, v := range wrongContentTypes {
		if len(op.bodyTypes()) > 0 {
			ps = append(ps, plan{focus: "content-type", value: v})
		}
	}
	for _, p := range op.params("path") {
		for _, v := range hostilePathValues {
			ps = append(ps, plan{focus: "path", param: p.Name, value: v})
		}
	}
	return ps
}

// build generates a request for op, following p where it is not nil.
func (fz *fuzzer) build(r *rand.Rand, op fuzzOp, p *plan) fuzzReq {
	if p == nil {
		p = &plan{}
	}
	g := &gen{doc: fz.doc, r: r, known: fz.known, full: strings.HasPrefix(p.kind, "every-")}
	req := fuzzReq{method: op.Method, header: http.Header{}, class: "valid"}

	type focus struct {
		name   string
		weight int
	}
	foci := []focus{{"valid", 1}, {"query", 2}, {"header", 2}, {"auth", 2}}
	if len(op.params("path")) > 0 {
		foci = append(foci, focus{"path", 4})
	}
	if len(op.bodyTypes()) > 0 {
		foci = append(foci, focus{"body", 10}, focus{"content-type", 2})
	} else {
		foci = append(foci, focus{"unexpected-body", 1})
	}
	total := 0
	for _, f := range foci {
		total += f.weight
	}
	pick, chosen := r.IntN(total), ""
	for _, f := range foci {
		if pick < f.weight {
			chosen = f.name
			break
		}
		pick -= f.weight
	}
	if p.focus != "" {
		chosen = p.focus
	}

	// Path.
	path := op.Path
	for _, pp := range op.params("path") {
		v := url.PathEscape(fmt.Sprint(g.value(pp.Schema, pp.Name, 0)))
		if k := g.knownFor(pp.Name); len(k) > 0 && r.IntN(4) > 0 {
			v = url.PathEscape(k[r.IntN(len(k))])
		}
		switch {
		case p.param != "" && p.param == pp.Name:
			v = p.value
			req.class = fmt.Sprintf("path:hostile(%s=%s)", pp.Name, clip(v, 40))
		case p.param == "" && chosen == "path" && (req.class == "valid" || r.IntN(2) == 0):
			v = hostilePathValues[r.IntN(len(hostilePathValues))]
			req.class = fmt.Sprintf("path:hostile(%s=%s)", pp.Name, clip(v, 40))
		}
		path = strings.ReplaceAll(path, "{"+pp.Name+"}", v)
	}

	// Query.
	var q []string
	for _, p := range op.params("query") {
		if p.Required || r.IntN(2) == 0 {
			v := fmt.Sprint(g.value(p.Schema, p.Name, 0))
			if s, ok := g.value(p.Schema, p.Name, 0).(string); ok {
				v = s
			}
			q = append(q, url.QueryEscape(p.Name)+"="+url.QueryEscape(v))
		}
	}
	if chosen == "query" {
		name := "fuzz"
		if ps := op.params("query"); len(ps) > 0 && r.IntN(4) > 0 {
			name = ps[r.IntN(len(ps))].Name
		}
		v := hostileQueryValues[r.IntN(len(hostileQueryValues))]
		if p.value != "" {
			v = p.value
		}
		switch r.IntN(4) {
		case 0: // repeated
			q = append(q, name+"="+v, name+"=x")
		case 1: // no value
			q = append(q, name)
		default:
			q = append(q, name+"="+v)
		}
		req.class = fmt.Sprintf("query:hostile(%s=%s)", name, clip(v, 40))
	}
	req.target = path
	if len(q) > 0 {
		req.target += "?" + strings.Join(q, "&")
	}

	// Credentials.
	var credName string
	security := op.security
	if len(security) == 0 {
		security = fz.effective[op.String()]
	}
	switch {
	case p.cred != "":
		credName = p.cred
		if chosen == "auth" {
			req.class = "auth:" + credName
		}
	case chosen == "auth":
		switch r.IntN(3) {
		case 0:
			credName = "none"
		case 1:
			names := fz.credNames()
			credName = names[r.IntN(len(names))]
		default:
			v := hostileAuth[r.IntN(len(hostileAuth))]
			hdr := "Authorization"
			if r.IntN(3) == 0 {
				hdr = "X-API-Key"
			}
			req.header.Set(hdr, v)
			credName = "malformed"
			req.class = fmt.Sprintf("auth:malformed(%s: %s)", hdr, clip(v, 40))
		}
		if credName != "malformed" {
			req.class = "auth:" + credName
		}
	case len(security) > 0:
		credName = "scheme"
	default:
		credName = "none"
	}
	switch credName {
	case "none", "malformed":
	case "scheme":
		req2 := security[r.IntN(len(security))]
		var used []string
		for name := range req2 {
			used = append(used, name)
		}
		sort.Strings(used)
		for _, name := range used {
			fz.creds[name].apply(req.header)
		}
		credName = strings.Join(used, "+")
	default:
		fz.creds[credName].apply(req.header)
	}
	req.auth = credName

	// Headers that become data.
	if chosen == "header" {
		names := []string{"X-Client-Timezone", "Idempotency-Key", "X-Request-Id", "X-Client-ID", "Cookie", "Accept", "Content-Encoding"}
		for _, p := range op.params("header") {
			names = append(names, p.Name)
		}
		name := names[r.IntN(len(names))]
		v := hostileHeaderValues[r.IntN(len(hostileHeaderValues))]
		req.header.Set(name, v)
		req.class = fmt.Sprintf("header:hostile(%s: %s)", name, clip(v, 40))
	}

	// Body.
	types := op.bodyTypes()
	if len(types) == 0 {
		if chosen == "unexpected-body" {
			req.body = encodeJSON(g.anyValue(0))
			req.header.Set("Content-Type", "application/json")
			req.class = "body:unexpected"
		}
		return req
	}
	ct := types[r.IntN(len(types))]
	req.header.Set("Content-Type", ct)
	mutate := chosen == "body"
	var mutation string
	switch {
	case strings.Contains(ct, "json"):
		var schema *oaSchema
		if c := op.op.RequestBody.Content[ct]; c.Schema != nil {
			schema = c.Schema
		}
		var root any
		if schema != nil {
			root = g.value(schema, "", 0)
		} else {
			root = g.anyValue(0)
		}
		req.body, mutation = fz.jsonBody(g, root, mutate, p.kind, p.value)
	case strings.Contains(ct, "form-urlencoded"):
		req.body, mutation = fz.formBody(g, mutate)
	default:
		req.body, mutation = fz.textBody(g, ct, mutate)
	}
	if mutate {
		req.class = "body:" + mutation
	}
	if chosen == "content-type" {
		v := wrongContentTypes[r.IntN(len(wrongContentTypes))]
		if p.focus == "content-type" {
			v = p.value
		}
		if v == "" {
			req.header.Del("Content-Type")
		} else {
			req.header.Set("Content-Type", v)
		}
		req.class = fmt.Sprintf("content-type:wrong(%s for %s)", clip(v, 40), ct)
	}
	return req
}

func (fz *fuzzer) credNames() []string {
	names := make([]string, 0, len(fz.creds))
	for n := range fz.creds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// hugeSize picks the length of a huge value: beyond the usual limit, or
// beyond the largest one.
func (fz *fuzzer) hugeSize(r *rand.Rand) int {
	switch n := r.IntN(10); {
	case n < 6:
		return 64 << 10
	case n < 9:
		return int(fz.maxBody * 3 / 2)
	default:
		return largestBodyLimit * 3 / 2
	}
}

var jsonMutations = []string{"wrong-type", "missing-field", "unknown-field", "huge-string", "deep-nesting", "nul",
	"invalid-utf8", "hostile-string", "hostile-number", "hostile-number", "empty-array", "huge-array", "duplicate-key", "truncated", "not-json"}

// badStrings are JSON string literals (as written) with NUL, invalid UTF-8
// or lone surrogates.
var badStrings = []string{`"a\u0000b"`, "\"a\x00b\"", `"\ud800"`, "\"\xff\xfe\"", "\"caf\xc3\x28\"", `"x\udfff"`}

// jsonBody writes root, with one mutation when mutate is set, and names the
// mutation as "kind(detail)".
func (fz *fuzzer) jsonBody(g *gen, root any, mutate bool, kind, value string) ([]byte, string) {
	if !mutate {
		return encodeJSON(root), ""
	}
	r := g.r
	if kind == "" {
		kind = jsonMutations[r.IntN(len(jsonMutations))]
	}
	all := slots(&root)
	// pick prefers slots holding a value of the wanted shape.
	pick := func(want func(any) bool) slot {
		var match []slot
		for _, s := range all {
			if want(s.get()) {
				match = append(match, s)
			}
		}
		if len(match) > 0 && r.IntN(5) > 0 {
			return match[r.IntN(len(match))]
		}
		return all[r.IntN(len(all))]
	}
	isArr := func(v any) bool { _, ok := v.(*jarr); return ok }
	isStr := func(v any) bool { _, ok := v.(string); return ok }
	isNum := func(v any) bool {
		s, ok := v.(jraw)
		return ok && s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
	}
	detail := ""
	switch kind {
	case "every-string", "every-number":
		// One hostile value in every place of its type at once: the
		// shortest way to reach the member that lets it through.
		want := isStr
		if kind == "every-number" {
			want = isNum
		}
		n := 0
		for _, s := range all {
			if want(s.get()) {
				s.set(jraw(value))
				n++
			}
		}
		detail = fmt.Sprintf("%s in %d places", value, n)
	case "wrong-type":
		s := all[r.IntN(len(all))]
		alts := []any{"a string", jraw("42"), true, nil, &jarr{items: []any{jraw("1")}}, &jobj{kv: []jkv{{"x", jraw("1")}}}}
		v := alts[r.IntN(len(alts))]
		s.set(v)
		detail = fmt.Sprintf("%s=%s", s.name, clip(string(encodeJSON(v)), 20))
	case "missing-field":
		var members []slot
		for _, s := range all {
			if s.remove != nil {
				members = append(members, s)
			}
		}
		if len(members) == 0 {
			return []byte("{}"), "missing-field(all)"
		}
		s := members[r.IntN(len(members))]
		detail = s.name
		s.remove()
	case "unknown-field":
		var objs []*jobj
		for _, s := range all {
			if o, ok := s.get().(*jobj); ok {
				objs = append(objs, o)
			}
		}
		if len(objs) == 0 {
			return []byte(`{"fuzzUnknown":1}`), "unknown-field(root)"
		}
		o := objs[r.IntN(len(objs))]
		o.kv = append(o.kv, jkv{"fuzzUnknown", g.anyValue(1)})
	case "huge-string":
		s := pick(isStr)
		n := fz.hugeSize(r)
		s.set(strings.Repeat("a", n))
		detail = fmt.Sprintf("%s=%d bytes", s.name, n)
	case "deep-nesting":
		s := all[r.IntN(len(all))]
		depth := []int{64, 1000, 20000}[r.IntN(3)]
		open, closing := "[", "]"
		if r.IntN(2) == 0 {
			open, closing = `{"a":`, "}"
		}
		s.set(jraw(strings.Repeat(open, depth) + "1" + strings.Repeat(closing, depth)))
		detail = fmt.Sprintf("%s depth %d", s.name, depth)
	case "nul", "invalid-utf8":
		s := pick(isStr)
		var v any
		if kind == "nul" {
			v = []any{"a\u0000b", "\u0000", jbadstr("a\x00b")}[r.IntN(3)]
		} else {
			v = []any{jbadstr("\xff\xfe"), jbadstr("caf\xc3\x28"), jraw(`"\ud800"`), jraw(`"x\udfff"`)}[r.IntN(4)]
		}
		s.set(v)
		detail = fmt.Sprintf("%s=%q", s.name, encodeJSON(v))
	case "hostile-string":
		s := pick(isStr)
		v := hostileStrings[r.IntN(len(hostileStrings))]
		s.set(v)
		detail = fmt.Sprintf("%s=%q", s.name, clip(string(encodeJSON(v)), 30))
	case "hostile-number":
		v := hugeNumbers[r.IntN(len(hugeNumbers))]
		if r.IntN(3) == 0 {
			v = badNumbers[r.IntN(len(badNumbers))]
		}
		if value != "" {
			v = value
		}
		if value == "" && r.IntN(3) == 0 {
			// Every number at once: a value only some of them bound.
			for _, s := range all {
				if isNum(s.get()) {
					s.set(jraw(v))
				}
			}
			detail = "every number=" + v
			break
		}
		s := pick(isNum)
		s.set(jraw(v))
		detail = fmt.Sprintf("%s=%s", s.name, v)
	case "empty-array":
		s := pick(isArr)
		s.set(&jarr{})
		detail = s.name
	case "huge-array":
		s := pick(isArr)
		item := any(jraw("1"))
		if a, ok := s.get().(*jarr); ok && len(a.items) > 0 {
			item = a.items[0]
		}
		items := make([]any, 10000)
		for i := range items {
			items[i] = item
		}
		s.set(&jarr{items: items})
		detail = fmt.Sprintf("%s x10000", s.name)
	case "duplicate-key":
		if o, ok := root.(*jobj); ok && len(o.kv) > 0 {
			kv := o.kv[r.IntN(len(o.kv))]
			o.kv = append(o.kv, jkv{kv.k, "duplicate"})
			detail = kv.k
		}
	case "truncated":
		b := encodeJSON(root)
		n := r.IntN(max(1, len(b)))
		return b[:n], fmt.Sprintf("truncated(at %d of %d)", n, len(b))
	case "not-json":
		v := notJSON[r.IntN(len(notJSON))]
		return []byte(v), fmt.Sprintf("not-json(%q)", clip(v, 20))
	}
	return encodeJSON(root), kind + "(" + detail + ")"
}

var notJSON = []string{"", " ", "null", "[]", `"just a string"`, "0", "{", "}{", "<xml/>", "a=b&c=d", "\x00", "\xff\xfe{}", "{}{}", "[" + strings.Repeat("1,", 100) + "]"}

// oauthFormFields are the fields of the OAuth host's form bodies, which the
// document describes only as binary strings.
var oauthFormFields = []string{"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id",
	"client_secret", "token", "token_type_hint", "response_type", "state", "code_challenge", "code_challenge_method",
	"login_hint", "email", "password", "decision", "csrf_token"}

func (fz *fuzzer) formBody(g *gen, mutate bool) ([]byte, string) {
	r := g.r
	form := url.Values{}
	for _, k := range oauthFormFields {
		if r.IntN(3) == 0 {
			continue
		}
		if v := g.knownFor(k); len(v) > 0 {
			form.Set(k, v[r.IntN(len(v))])
		} else {
			form.Set(k, g.text(8))
		}
	}
	if !mutate {
		return []byte(form.Encode()), ""
	}
	k := oauthFormFields[r.IntN(len(oauthFormFields))]
	switch r.IntN(5) {
	case 0:
		n := fz.hugeSize(r)
		form.Set(k, strings.Repeat("a", n))
		return []byte(form.Encode()), fmt.Sprintf("huge-field(%s=%d bytes)", k, n)
	case 1:
		form.Add(k, "second")
		return []byte(form.Encode()), fmt.Sprintf("repeated-field(%s)", k)
	case 2:
		b := []byte(form.Encode())
		n := r.IntN(max(1, len(b)))
		return b[:n], fmt.Sprintf("truncated(at %d of %d)", n, len(b))
	default:
		v := hostileQueryValues[r.IntN(len(hostileQueryValues))]
		form.Del(k)
		enc := form.Encode()
		if enc != "" {
			enc += "&"
		}
		return []byte(enc + k + "=" + v), fmt.Sprintf("hostile-field(%s=%s)", k, clip(v, 40))
	}
}

func (fz *fuzzer) textBody(g *gen, ct string, mutate bool) ([]byte, string) {
	r := g.r
	var b strings.Builder
	stamp := func(sec int, sep string) string {
		return fmt.Sprintf("%02d:%02d:%02d%s000", sec/3600, sec/60%60, sec%60, sep)
	}
	switch {
	case strings.Contains(ct, "vtt"):
		b.WriteString("WEBVTT\n\n")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(&b, "%s --> %s\nAnn: %s\n\n", stamp(i*5, "."), stamp(i*5+4, "."), g.text(30))
		}
	case strings.Contains(ct, "subrip"):
		for i := 0; i < 3; i++ {
			fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, stamp(i*5, ","), stamp(i*5+4, ","), g.text(30))
		}
	default:
		for i := 0; i < 3; i++ {
			fmt.Fprintf(&b, "Ann: %s\n", g.text(30))
		}
	}
	body := b.String()
	if !mutate {
		return []byte(body), ""
	}
	switch r.IntN(6) {
	case 0:
		n := fz.hugeSize(r)
		return []byte(body + "Ann: " + strings.Repeat("a", n) + "\n"), fmt.Sprintf("huge-line(%d bytes)", n)
	case 1:
		v := []string{"\x00", "\xff\xfe", "caf\xc3\x28", "\xed\xa0\x80"}[r.IntN(4)]
		i := r.IntN(len(body))
		return []byte(body[:i] + v + body[i:]), fmt.Sprintf("bad-bytes(%q)", v)
	case 2:
		v := []string{"99999999:59:59.999", "-00:00:01.000", "NaN", "00:00:01.000 --> 00:00:00.500", "00:61:61.000", "1e308"}[r.IntN(6)]
		return []byte(strings.Replace(body, stamp(0, "."), v, 1) + "\n" + v + " --> " + v + "\nAnn: x\n"), fmt.Sprintf("bad-timestamp(%s)", v)
	case 3:
		v := []string{"", "\n\n\n", "WEBVTT", "1\n", ":", strings.Repeat("\n", 100000)}[r.IntN(6)]
		return []byte(v), fmt.Sprintf("degenerate(%q)", clip(v, 10))
	case 4:
		var many strings.Builder
		for i := 0; i < 10000; i++ {
			fmt.Fprintf(&many, "S%d: %s\n", i, words[i%len(words)])
		}
		return []byte(many.String()), "many-lines(10000)"
	default:
		n := r.IntN(len(body))
		return []byte(body[:n]), fmt.Sprintf("truncated(at %d of %d)", n, len(body))
	}
}

// Already percent-encoded, for a path segment.
var hostilePathValues = []string{"", "%20", "0", "-1", "-9223372036854775809", "99999999999999999999", "1e308", "NaN", "null",
	"%00", "a%00b", "%ff", "%c3%28", "%ed%a0%80", "%2F", "..", "%2e%2e", "%E6%97%A5%E6%9C%AC", "%F0%9F%98%80",
	"%25", "'%20OR%201=1--", "%7Bid%7D", strings.Repeat("a", 10000), strings.Repeat("%ff", 3000)}

// Already encoded (or deliberately badly encoded), for a query value.
var hostileQueryValues = []string{"", "-1", "0", "abc", "1.5", "1e308", "-1e308", "NaN", "99999999999999999999", "%00", "a%00b",
	"%ff", "%c3%28", "%zz", "%", "true", "[]", "%7B%7D", "%E2%80%AE", strings.Repeat("x", 10000), strings.Repeat("%ff", 2000)}

// Header values net/http will send: no control characters, but bytes
// above 0x7f are allowed.
var hostileHeaderValues = []string{"", " ", "Mars/Olympus_Mons", "../../../etc/passwd", "\xff\xfe", "caf\xc3\x28",
	"UTC\xa0", strings.Repeat("z", 8000), "application/xml", "gzip", "a=b; c", "+99:99", "\u202eUTC"}

var hostileAuth = []string{"", "Bearer", "Bearer ", "Bearer  ", "Basic", "Basic !!!", "Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")),
	"Basic " + base64.StdEncoding.EncodeToString([]byte(":")), "Basic " + base64.StdEncoding.EncodeToString([]byte("qc_x:\xff\x00")),
	"Bearer ct_\xff\xfe", "Bearer cto_at_v1_" + strings.Repeat("A", 5000), "Bearer sk_live_", "Digest x", "bearer lowercase",
	"qak_" + strings.Repeat("k", 5000), "\xff"}

var wrongContentTypes = []string{"", "text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json",
	"multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/json; charset=\xff", "}{", "*/*",
	"application/json, text/plain", "text/vtt; charset=latin1"}

// do sends one request and records what is wrong with its answer.
func (fz *fuzzer) do(i uint64, op fuzzOp, req fuzzReq) {
	fz.sent.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), fuzzRequestTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, fz.e.srv.URL+req.target, bytes.NewReader(req.body))
	if err != nil {
		fz.record(op, req, i, 0, "unsendable", nil, []byte(err.Error()))
		return
	}
	hr.Header = req.header
	start := time.Now()
	resp, err := fz.http.Do(hr)
	if err != nil {
		reason := "no response"
		if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout") {
			reason = fmt.Sprintf("no response within %s", fuzzRequestTimeout)
		} else if len(req.body) > int(fz.maxBody) {
			// The server may close the connection on an over-limit body
			// before the client has written it all; not a server fault.
			return
		}
		fz.record(op, req, i, 0, reason, nil, []byte(err.Error()))
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	resp.Body.Close()
	if err != nil {
		fz.record(op, req, i, resp.StatusCode, "body not readable", resp.Header, []byte(err.Error()))
		return
	}
	fz.mu.Lock()
	if fz.statuses[op.String()] == nil {
		fz.statuses[op.String()] = map[int]int{}
	}
	fz.statuses[op.String()][resp.StatusCode]++
	fz.slowest[op.String()] = max(fz.slowest[op.String()], time.Since(start))
	fz.mu.Unlock()
	if reason := judge(op, resp, body); reason != "" {
		fz.record(op, req, i, resp.StatusCode, reason, resp.Header, body)
	}
}

// judge returns what is wrong with a response, or "".
func judge(op fuzzOp, resp *http.Response, body []byte) string {
	ctype := resp.Header.Get("Content-Type")
	html := strings.HasPrefix(ctype, "text/html") && op.declares("", "text/html")
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable:
		var e struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(body, &e) == nil && e.Code == "timeout" && resp.Header.Get("Retry-After") != "" {
			return ""
		}
		return "5xx"
	case resp.StatusCode >= 500:
		return "5xx"
	case resp.StatusCode >= 400:
		if html {
			return ""
		}
		if !json.Valid(body) {
			return "error body is not JSON"
		}
	case len(body) > 0 && !html && resp.StatusCode < 300 && op.declares(strconv.Itoa(resp.StatusCode), "json"):
		if !json.Valid(body) {
			return "declared JSON body is not JSON"
		}
	}
	return ""
}

func (fz *fuzzer) record(op fuzzOp, req fuzzReq, i uint64, status int, reason string, h http.Header, body []byte) {
	key := strings.Join([]string{op.String(), req.classKind(), strconv.Itoa(status), reason}, "|")
	fz.mu.Lock()
	defer fz.mu.Unlock()
	if f, ok := fz.byKey[key]; ok {
		f.count++
		return
	}
	if len(fz.failures) >= fz.maxFailures {
		return
	}
	var rq strings.Builder
	fmt.Fprintf(&rq, "%s %s\n", req.method, clip(req.target, 300))
	names := make([]string, 0, len(req.header))
	for k := range req.header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := req.header.Get(k)
		if k == "Authorization" || k == "X-Api-Key" {
			v = clip(v, 24) + "..."
		}
		fmt.Fprintf(&rq, "      %s: %q\n", k, clip(v, 80))
	}
	fmt.Fprintf(&rq, "      credential: %s; body (%d bytes): %q", req.auth, len(req.body), clip(string(req.body), 400))
	rs := fmt.Sprintf("%d; Content-Type %q; Retry-After %q; body (%d bytes): %q", status, h.Get("Content-Type"),
		h.Get("Retry-After"), len(body), clip(string(body), 500))
	var e struct {
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal(body, &e)
	if e.RequestID == "" {
		e.RequestID = h.Get("X-Request-Id")
	}
	f := &fuzzFailure{key: key, op: op.String(), class: req.class, reason: reason, status: status, count: 1,
		request: fmt.Sprintf("request #%d: %s", i, rq.String()), response: rs, requestID: e.RequestID}
	fz.failures = append(fz.failures, f)
	fz.byKey[key] = f
}

func (fz *fuzzer) report() {
	fz.mu.Lock()
	defer fz.mu.Unlock()
	var cov strings.Builder
	for _, op := range fz.ops {
		st := fz.statuses[op.String()]
		codes := make([]int, 0, len(st))
		n := 0
		for c, k := range st {
			codes = append(codes, c)
			n += k
		}
		sort.Ints(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%d×%d", c, st[c])
		}
		fmt.Fprintf(&cov, "  %-52s %5d  slowest %6dms  %s\n", op, n, fz.slowest[op.String()].Milliseconds(), strings.Join(parts, " "))
	}
	fz.t.Logf("%d requests over %d operations (seed %d); answers per operation, slowest answer, count per status:\n%s", fz.sent.Load(), len(fz.ops), fz.seed, cov.String())
	if len(fz.failures) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d distinct failures (collecting stops at QUORUM_FUZZ_MAX_FAILURES=%d); replay with QUORUM_FUZZ_SEED=%d "+
		"(and QUORUM_FUZZ_OPS='^POST /path$' to narrow):\n", len(fz.failures), fz.maxFailures, fz.seed)
	for n, f := range fz.failures {
		fmt.Fprintf(&b, "\n%2d. %s — %s (status %d), input %s, seen %d×\n    %s\n    response: %s\n",
			n+1, f.op, f.reason, f.status, f.class, f.count, f.request, f.response)
		if line := fz.serverLog(f.requestID); line != "" {
			fmt.Fprintf(&b, "    server log: %s\n", line)
		}
	}
	fz.t.Error(b.String())
}

// serverLog returns the server's log records of one request, its access
// log line only when nothing else was logged.
func (fz *fuzzer) serverLog(requestID string) string {
	if requestID == "" {
		return ""
	}
	var records, access []string
	for _, l := range fz.serverLogs {
		for _, line := range strings.Split(l.String(), "\n") {
			switch {
			case !strings.Contains(line, requestID):
			case strings.Contains(line, `"msg":"request"`):
				access = append(access, clip(line, 400))
			default:
				records = append(records, clip(line, 600))
			}
		}
	}
	if len(records) == 0 {
		records = access
	}
	return strings.Join(records, "\n                ")
}

// clip shortens s for a report.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("...(%d bytes)", len(s))
}
