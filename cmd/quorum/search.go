package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/index"
)

// searchUsage lists the search commands.
const searchUsage = `Usage:
  quorum search explain --org ID --query Q [--meeting UUID]... [--source transcript|document] [--limit N] [--runs N]

explain runs one search against the database the server uses and prints
how it was answered: the query's words, the postings read and the
candidate groups they named, the groups and chunks ranked, and the time
spent in retrieval, loading and reranking. With --runs N the search runs N
times and the last run is shown, with this process's caches warm.
`

func searchCmd(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "explain" {
		fmt.Fprint(stderr, searchUsage)
		return errors.New("search needs a command: explain")
	}
	c := newAdminCmd("search explain", stderr)
	c.fs.Init("quorum search explain", c.fs.ErrorHandling())
	org := c.fs.String("org", "", "organization id or uuid")
	query := c.fs.String("query", "", "the search query")
	var meetings multi
	c.fs.Var(&meetings, "meeting", "limit to this meeting's uuid (repeatable)")
	source := c.fs.String("source", "", "transcript or document (default: both)")
	limit := c.fs.Int("limit", 10, "hits to return")
	runs := c.fs.Int("runs", 1, "times to run the search; the last run is shown")
	if err := c.fs.Parse(args[1:]); err != nil {
		return err
	}
	if c.fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(c.fs.Args(), " "))
	}
	if strings.TrimSpace(*query) == "" {
		return errors.New("--query is required")
	}
	if *source != "" && *source != index.SourceTranscript && *source != index.SourceDocument {
		return fmt.Errorf("--source: want %s or %s", index.SourceTranscript, index.SourceDocument)
	}
	a, err := c.open(ctx, environ, stderr)
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	orgID, err := resolveOrg(ctx, a, *org)
	if err != nil {
		return err
	}
	q := index.Query{OrgID: orgID, Text: *query, MeetingUUIDs: meetings, Source: *source, Limit: *limit}
	return explain(ctx, a, q, max(*runs, 1), c, stdout)
}

// explain runs q runs times and prints the last run's plan and hits, as
// JSON when c asks for it.
func explain(ctx context.Context, a *app.App, q index.Query, runs int, c *adminCmd, w io.Writer) error {
	var plan index.Plan
	var hits []searchHit
	for range runs {
		p, found, err := a.Index.Explain(ctx, q)
		if err != nil {
			return err
		}
		plan, hits = p, hits[:0]
		for _, h := range found {
			hits = append(hits, searchHit{Score: h.Score, Source: string(h.Source), Meeting: h.MeetingID, Document: h.DocumentID,
				Segments: fmt.Sprintf("%d-%d", h.SegmentStart, h.SegmentEnd), Speaker: h.Speaker, Text: h.Text})
		}
	}
	if *c.asJSON {
		return c.print(w, map[string]any{"version": plan.Version, "words": plan.Words, "postings": plan.Postings,
			"candidates": plan.Candidates, "groups": plan.Groups, "cached_groups": plan.CachedGroups, "chunks": plan.Chunks,
			"retrieval_ms": ms(plan.Retrieval), "load_ms": ms(plan.Load), "rerank_ms": ms(plan.Rerank), "hits": hits})
	}
	fmt.Fprintf(w, "index version %d, words: %s\n", plan.Version, strings.Join(plan.Words, " "))
	fmt.Fprintf(w, "retrieval %8.2f ms  %d postings read, %d candidate groups\n", ms(plan.Retrieval), plan.Postings, plan.Candidates)
	fmt.Fprintf(w, "load      %8.2f ms  %d groups ranked (%d from cache), %d chunks\n", ms(plan.Load), plan.Groups, plan.CachedGroups, plan.Chunks)
	fmt.Fprintf(w, "rerank    %8.2f ms\n", ms(plan.Rerank))
	for i, h := range hits {
		owner := h.Meeting
		if h.Document != "" {
			owner = "document " + h.Document
		}
		text := strings.Join(strings.Fields(h.Text), " ")
		if len(text) > 100 {
			text = text[:100] + "..."
		}
		fmt.Fprintf(w, "%2d. %.4f %s %s [%s] %s: %s\n", i+1, h.Score, h.Source, owner, h.Segments, h.Speaker, text)
	}
	return nil
}

// searchHit is a hit as explain prints it.
type searchHit struct {
	Score    float64 `json:"score"`
	Source   string  `json:"source"`
	Meeting  string  `json:"meeting_id,omitempty"`
	Document string  `json:"document_id,omitempty"`
	Segments string  `json:"segments"`
	Speaker  string  `json:"speaker,omitempty"`
	Text     string  `json:"text"`
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }
