// Package config reads Quorum's settings from flags and QUORUM_* environment
// variables. Flags win over the environment; both are checked at start-up so
// a typo fails loudly, naming the setting, instead of being ignored.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the complete runtime configuration.
type Config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	PublicURL     string
	RedisURL      string
	NATSURL       string
	BlobURL       string
	LogLevel      slog.Level
	LogFormat     string
	SMTPURL       string
	EnforceScopes bool
	Workers       int
	MaxBodyBytes  int64
	AIBaseURL     string
	AIAPIKey      string
	AIModel       string
	AIEmbedModel  string
	// AITimeout is the time budget of one synchronous AI request (a
	// summary computed on demand, an ask, an ad-hoc summary, an agent run);
	// past it the request answers 503 timeout. 0 means no limit.
	AITimeout time.Duration
	// PresenceTTL is how long a presence heartbeat keeps a user online.
	PresenceTTL time.Duration
	// MaxStreams and MaxStreamsPerOrg cap the SSE streams one process
	// serves, in all and per organization.
	MaxStreams       int
	MaxStreamsPerOrg int
	// RealtimePrefix namespaces Redis keys and NATS subjects, so several
	// deployments can share one server.
	RealtimePrefix string
	// AllowPrivateURLs lets user-supplied URLs (webhooks, file imports)
	// point at loopback and private networks; off by default.
	AllowPrivateURLs bool
	// BotProviderURL is the base URL of the meeting-bot provider (an
	// Attendee server); empty disables bots. BotProviderKey is its API key.
	BotProviderURL string
	BotProviderKey string
	// BotWebhookSecret verifies the provider's webhook signatures.
	BotWebhookSecret string
	// SecretKey is the base64 AES-256 key that seals webhook signing
	// secrets at rest; empty means a key file in the data dir.
	SecretKey string
	// WebhookRetrySchedule is the delay before each delivery attempt, the
	// first counted from the event; after the last, a delivery is abandoned.
	WebhookRetrySchedule []time.Duration
	// WebhookConcurrency caps the deliveries in flight to one subscription
	// on one replica.
	WebhookConcurrency int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the real client.
	TrustedProxies []netip.Prefix
	// DNSServer (host:port) answers the TXT lookups that verify an app's
	// email domains; empty means the system resolver.
	DNSServer string
}

type setting struct {
	name  string // flag name; the variable is QUORUM_ + upper snake case
	def   string
	usage string
	set   func(c *Config, v string) error
}

// boolean settings (those whose default is true or false) may be given as
// a bare flag: --enforce-scopes.
func (s setting) boolean() bool { return s.def == "true" || s.def == "false" }

// textFlag holds a flag's raw text; Load parses and validates it once,
// whether it came from the command line or the environment.
type textFlag struct {
	v       *string
	boolean bool
}

func (f textFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f textFlag) Set(s string) error { *f.v = s; return nil }

// IsBoolFlag lets "--flag" mean "--flag=true" for boolean settings.
func (f textFlag) IsBoolFlag() bool { return f.boolean }

func (s setting) env() string {
	return "QUORUM_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

var settings = []setting{
	{"addr", "127.0.0.1:8080", "listen address", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("want host:port: %w", err)
		}
		c.Addr = v
		return nil
	}},
	{"data-dir", "./quorum-data", "directory for the SQLite database and blobs", str(func(c *Config) *string { return &c.DataDir })},
	{"database-url", "", "sqlite://path or postgres://... (default: SQLite in the data dir)", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "sqlite://") && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return errors.New("want sqlite://... or postgres://...")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"public-url", "", "external base URL (default: http://ADDR)", urlSetting(func(c *Config) *string { return &c.PublicURL }, "http", "https")},
	{"redis-url", "", "redis://... for fan-out and presence across replicas", urlSetting(func(c *Config) *string { return &c.RedisURL }, "redis", "rediss")},
	{"nats-url", "", "nats://... for fan-out across replicas", urlSetting(func(c *Config) *string { return &c.NATSURL }, "nats")},
	{"presence-ttl", "8s", "how long a presence heartbeat keeps a user online", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return errors.New("want a duration from 100ms to 1h, e.g. 8s")
		}
		c.PresenceTTL = d
		return nil
	}},
	{"max-streams", "20000", "SSE streams one process serves at most", intSetting(func(c *Config) *int { return &c.MaxStreams }, 1, 1000000)},
	{"max-streams-per-org", "10000", "SSE streams one process serves to one organization at most",
		intSetting(func(c *Config) *int { return &c.MaxStreamsPerOrg }, 1, 1000000)},
	{"realtime-prefix", "quorum", "prefix of Redis keys and NATS subjects (letters, digits, - and _)", func(c *Config, v string) error {
		if !validPrefix.MatchString(v) {
			return errors.New("want 1 to 48 letters, digits, - or _")
		}
		c.RealtimePrefix = v
		return nil
	}},
	{"blob-url", "", "file://dir, mem:// or s3://bucket (default: file:// in the data dir)", urlSetting(func(c *Config) *string { return &c.BlobURL }, "file", "mem", "s3")},
	{"log-level", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"log-format", "text", "text or json", func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return errors.New("want text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"smtp-url", "", "smtp://user:pass@host:port?from=addr (default: mail goes to the log)", urlSetting(func(c *Config) *string { return &c.SMTPURL }, "smtp")},
	{"enforce-scopes", "true", "reject Partner API calls whose token lacks the endpoint's scope", boolSetting(func(c *Config) *bool { return &c.EnforceScopes })},
	{"workers", "8", "background job workers", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return errors.New("want an integer from 0 to 1000")
		}
		c.Workers = n
		return nil
	}},
	{"max-body-bytes", "1048576", "largest accepted JSON request body", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			return errors.New("want an integer of at least 1024")
		}
		c.MaxBodyBytes = n
		return nil
	}},
	{"ai-base-url", "", "OpenAI-compatible endpoint (default: the built-in offline engine)", urlSetting(func(c *Config) *string { return &c.AIBaseURL }, "http", "https")},
	{"ai-api-key", "", "API key for the AI endpoint", str(func(c *Config) *string { return &c.AIAPIKey })},
	{"ai-model", "", "chat model name at the AI endpoint", str(func(c *Config) *string { return &c.AIModel })},
	{"ai-embed-model", "", "embedding model name at the AI endpoint", str(func(c *Config) *string { return &c.AIEmbedModel })},
	{"ai-timeout", "30s", "time budget of one synchronous AI request (summary, ask, agent run); past it: 503 timeout with Retry-After; 0: no limit",
		func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return errors.New("want a non-negative duration such as 30s")
			}
			c.AITimeout = d
			return nil
		}},
	{"allow-private-urls", "false", "allow user-supplied URLs to reach loopback and private networks", boolSetting(func(c *Config) *bool { return &c.AllowPrivateURLs })},
	{"bot-provider-url", "", "base URL of the Attendee meeting-bot server (default: bots disabled)", urlSetting(func(c *Config) *string { return &c.BotProviderURL }, "http", "https")},
	{"bot-provider-key", "", "API key of the meeting-bot server", str(func(c *Config) *string { return &c.BotProviderKey })},
	{"bot-webhook-secret", "", "secret the meeting-bot server signs its webhooks with", str(func(c *Config) *string { return &c.BotWebhookSecret })},
	{"secret-key", "", "base64 32-byte key sealing webhook secrets at rest; replicas must share it (default: a key file in the data dir)", str(func(c *Config) *string { return &c.SecretKey })},
	{"webhook-retry-schedule", "0s,5s,5m,30m,2h,5h,10h,10h", "comma-separated delays before each webhook delivery attempt", func(c *Config, v string) error {
		var out []time.Duration
		for _, part := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(part))
			if err != nil || d < 0 {
				return errors.New("want comma-separated non-negative durations such as 0s,5s,5m")
			}
			out = append(out, d)
		}
		if len(out) > 100 {
			return errors.New("at most 100 attempts")
		}
		c.WebhookRetrySchedule = out
		return nil
	}},
	{"webhook-concurrency", "4", "webhook deliveries in flight per subscription on one replica", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errors.New("want an integer from 1 to 1000")
		}
		c.WebhookConcurrency = n
		return nil
	}},
	{"dns-server", "", "host:port of the DNS server that checks domain ownership TXT records (default: the system resolver)", func(c *Config, v string) error {
		if v != "" {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("want host:port: %w", err)
			}
		}
		c.DNSServer = v
		return nil
	}},
	{"trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (login throttling keys on it)",
		func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f == "" {
					continue
				}
				p, err := netip.ParsePrefix(f)
				if err != nil {
					return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", f)
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
}

var validPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]{1,48}$`)

func intSetting(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want an integer from %d to %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func boolSetting(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*field(c) = b
		return nil
	}
}

func urlSetting(field func(*Config) *string, schemes ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil {
			return fmt.Errorf("not a URL: %w", err)
		}
		ok := false
		for _, s := range schemes {
			ok = ok || u.Scheme == s
		}
		if !ok {
			return fmt.Errorf("scheme must be one of %s", strings.Join(schemes, ", "))
		}
		*field(c) = v
		return nil
	}
}

// Load parses args (without the program and subcommand names) over the
// environment. environ is os.Environ()-shaped.
func Load(args []string, environ []string, usage io.Writer) (Config, []string, error) {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "QUORUM_") {
			env[k] = v
		}
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env()] = true
	}
	var unknown []string
	for k := range env {
		if !known[k] && !strings.HasPrefix(k, "QUORUM_TEST_") {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Config{}, nil, fmt.Errorf("unknown setting %s", strings.Join(unknown, ", "))
	}

	var c Config
	fs := flag.NewFlagSet("quorum", flag.ContinueOnError)
	fs.SetOutput(usage)
	values := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		if v, ok := env[s.env()]; ok {
			def = v
		}
		v := def
		values[s.name] = &v
		fs.Var(textFlag{v: &v, boolean: s.boolean()}, s.name, s.usage+" ($"+s.env()+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	for _, s := range settings {
		if err := s.set(&c, *values[s.name]); err != nil {
			return Config{}, nil, fmt.Errorf("invalid %s (--%s) %q: %w", s.env(), s.name, *values[s.name], err)
		}
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "quorum.db")
	}
	if c.BlobURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
		if err != nil {
			return Config{}, nil, fmt.Errorf("resolve data dir: %w", err)
		}
		c.BlobURL = "file://" + abs
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, fs.Args(), nil
}
