package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/eval"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

// corpus is the QMSum material the bench replicates: the meetings of train
// and val, and the distinct query texts of both, val first. The test split
// is never read, so that it stays unseen for evaluation.
type corpus struct {
	base []eval.Meeting
	// queries are the distinct texts of train and val, more than Quorum's
	// result cache holds: cycling through them, every search is new.
	queries []string
	// repeated are the distinct val texts, few enough to stay cached.
	repeated []string
}

func loadCorpus(dir string) (*corpus, error) {
	var c corpus
	for _, split := range []string{"train", "val"} {
		ms, err := eval.LoadQMSum(split, dir)
		if err != nil {
			return nil, fmt.Errorf("load QMSum %s from %s (see -data): %w", split, dir, err)
		}
		c.base = append(c.base, ms...)
		seen := map[string]bool{}
		var texts []string
		for _, m := range ms {
			for _, qa := range append(append([]eval.QA(nil), m.Specific...), m.General...) {
				if !seen[qa.Query] {
					seen[qa.Query] = true
					texts = append(texts, qa.Query)
				}
			}
		}
		if split == "val" {
			c.repeated = texts
			c.queries = append(texts, c.queries...)
		} else {
			c.queries = append(c.queries, texts...)
		}
	}
	if len(c.base) == 0 || len(c.repeated) == 0 {
		return nil, fmt.Errorf("QMSum in %s has no meetings or no val queries", dir)
	}
	return &c, nil
}

// replica returns the transcript of meeting i of a generated corpus: QMSum
// meeting i mod B (B base meetings) as replica k = i / B. Replica k starts
// at turn (k*step) mod L of the meeting's L turns, with step coprime to L,
// so the first L replicas all start at different turns, and successive ones
// far apart; replicas past the first L also drop their last k/L turns, so
// no two replicas are the same transcript. Turns get synthetic times (6 s
// apart), since QMSum has none.
func (c *corpus) replica(i int) (title string, segs []ai.Segment) {
	m := c.base[i%len(c.base)]
	k := i / len(c.base)
	l := len(m.Segments)
	offset := (k % l) * rotationStep(l) % l
	keep := l - min(k/l, l-1)
	segs = make([]ai.Segment, keep)
	for j := range segs {
		s := m.Segments[(offset+j)%l]
		s.Start, s.End = float64(6*j), float64(6*j+5)
		segs[j] = s
	}
	return fmt.Sprintf("%s replica %d", m.ID, k), segs
}

// rotationStep is the first integer from 0.618*l up that is coprime to l,
// so that its multiples modulo l visit every turn once.
func rotationStep(l int) int {
	if l <= 2 {
		return 1
	}
	for s := max(1, int(float64(l)*0.618)); ; s++ {
		if gcd(s, l) == 1 {
			return s
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// manifest describes a generated and indexed database, so that a kept
// one can be measured again without generating it (see -dir and -keep).
// It is written once generation and indexing have finished: a database
// without one is incomplete.
type manifest struct {
	DB           string    `json:"db"`
	DatabaseURL  string    `json:"databaseUrl"`
	DataDir      string    `json:"dataDir"`
	OrgID        int64     `json:"orgId"`
	BaseMeetings int       `json:"baseMeetings"`
	Segments     int       `json:"segments"`
	GenerateSecs float64   `json:"generateSeconds"`
	IndexSecs    float64   `json:"indexSeconds"`
	Created      time.Time `json:"created"`
	// MeetingIDs are the public ids in generation order: meeting i is
	// c.replica(i).
	MeetingIDs []string `json:"meetingIds"`
}

func readManifest(path string) (*manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &m, nil
}

func (m *manifest) write(path string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(path+".tmp", path)
}

// openApp opens the application in process on the bench database with no
// job workers: jobs the services queue are inserted, never run, so the
// only indexing is the bench's own.
func openApp(ctx context.Context, dataDir, dbURL string, logger *slog.Logger) (*app.App, error) {
	cfg, _, err := config.Load([]string{"--data-dir", dataDir, "--database-url", dbURL, "--workers", "0"}, nil, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("open app on %s: %w", redact(dbURL), err)
	}
	return a, nil
}

func closeApp(a *app.App) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return a.Close(ctx)
}

// build generates n meetings in a fresh organization, indexes them, and
// clears the job queue; it returns the database's manifest.
func build(ctx context.Context, a *app.App, c *corpus, n int, o options, logger *slog.Logger) (*manifest, error) {
	org, err := a.Identities.CreateOrg(ctx, "Search scale bench")
	if err != nil {
		return nil, fmt.Errorf("create organization: %w", err)
	}
	sys := caller.ForSystem(org.ID)
	ids := make([]int64, n)
	uuids := make([]string, n)
	var segments atomic.Int64
	epoch := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	start := time.Now()
	err = pool(ctx, "generate", n, o.genWorkers, logger, func(ctx context.Context, i int) error {
		title, segs := c.replica(i)
		in := meeting.New{Title: title, StartTime: epoch.Add(time.Duration(i) * time.Hour), Segments: make([]transcript.Segment, len(segs))}
		for j, s := range segs {
			in.Segments[j] = transcript.Segment{Speaker: s.Speaker, Text: s.Text, Start: s.Start, End: s.End}
		}
		m, err := a.Meetings.Create(ctx, sys, in)
		if err != nil {
			return fmt.Errorf("create meeting %d (%s): %w", i, title, err)
		}
		ids[i], uuids[i] = m.ID, m.UUID
		segments.Add(int64(len(segs)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	generated := time.Since(start)
	logger.Info("generated", "meetings", n, "segments", segments.Load(), "seconds", generated.Seconds(),
		"ms_per_meeting", float64(generated.Milliseconds())/float64(n))

	start = time.Now()
	err = pool(ctx, "index", n, o.indexWorkers, logger, func(ctx context.Context, i int) error {
		if err := a.Index.Reindex(ctx, index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: ids[i]}); err != nil {
			return fmt.Errorf("index meeting %s: %w", uuids[i], err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	indexed := time.Since(start)
	logger.Info("indexed", "meetings", n, "seconds", indexed.Seconds(), "meetings_per_second", float64(n)/indexed.Seconds())

	// Creating a meeting queued its indexing, its summary and its events;
	// the bench indexed already, and a server started on this database must
	// not spend the measurement working through them.
	res, err := a.DB.W.ExecContext(ctx, `DELETE FROM river_job`)
	if err != nil {
		return nil, fmt.Errorf("clear queued jobs: %w", err)
	}
	cleared, _ := res.RowsAffected()
	logger.Info("cleared queued jobs", "jobs", cleared)
	if a.DB.Dialect == store.Postgres {
		// Autovacuum would analyze the new tables sooner or later; doing it
		// now makes every measurement see the same plans.
		if _, err := a.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
	}
	return &manifest{OrgID: org.ID, BaseMeetings: len(c.base), Segments: int(segments.Load()), GenerateSecs: generated.Seconds(),
		IndexSecs: indexed.Seconds(), Created: time.Now().UTC(), MeetingIDs: uuids}, nil
}

// cloudToken creates an app in the organization and mints a Cloud API
// token for it, in process, so that a kept database needs no stored secret.
func cloudToken(ctx context.Context, a *app.App, orgID int64) (string, error) {
	_, creds, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: orgID, Name: "search-scale bench",
		RedirectURIs: []string{"http://127.0.0.1/cb"}})
	if err != nil {
		return "", fmt.Errorf("create app: %w", err)
	}
	tok, _, err := a.Cloud.Mint(ctx, creds.CloudAPIKey, "bench@quorum.local")
	if err != nil {
		return "", fmt.Errorf("mint cloud token: %w", err)
	}
	return tok, nil
}

// pool calls fn for 0..n-1 from workers goroutines, stops at the first
// error, and logs progress every 15 seconds.
func pool(ctx context.Context, what string, n, workers int, logger *slog.Logger, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	start := time.Now()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-finished:
			if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			if int(done.Load()) < n {
				return fmt.Errorf("%s: stopped after %d of %d: %w", what, done.Load(), n, context.Cause(ctx))
			}
			return nil
		case <-tick.C:
			d := done.Load()
			logger.Info(what, "done", d, "of", n, "per_second", float64(d)/time.Since(start).Seconds())
		}
	}
}

// diskSize is the database's size on disk: the SQLite file with its WAL,
// or PostgreSQL's pg_database_size.
func diskSize(ctx context.Context, m *manifest) (int64, error) {
	if m.DB == "postgres" {
		return pgDatabaseSize(ctx, m.DatabaseURL)
	}
	path := sqlitePath(m.DatabaseURL)
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

func sqlitePath(dbURL string) string {
	const prefix = "sqlite://"
	if len(dbURL) > len(prefix) && dbURL[:len(prefix)] == prefix {
		return dbURL[len(prefix):]
	}
	return dbURL
}

func sqliteURL(dataDir string) string { return "sqlite://" + filepath.Join(dataDir, "quorum.db") }
