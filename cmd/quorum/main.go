// Command quorum is the Quorum server and its administration tool.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // X-Client-Timezone must work on hosts without zoneinfo

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
)

const usage = `Quorum: self-hosted meeting intelligence.

Usage:
  quorum serve   [flags]     run the HTTP API and background workers
  quorum migrate [flags]     apply database migrations and exit
  quorum admin <command>     manage organizations, users, apps and tokens
  quorum eval qmsum          score search, answers and summaries on QMSum through the API
  quorum search explain      show how one search is answered (candidates, time per stage)
  quorum version             print the version

Every flag can also be set as a QUORUM_* environment variable; flags win.
Run "quorum serve -h" for the list.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quorum:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		cfg, _, err := config.Load(rest, environ, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, newLogger(cfg, stderr))
	case "migrate":
		cfg, _, err := config.Load(rest, environ, stderr)
		if err != nil {
			return err
		}
		return migrate(ctx, cfg, newLogger(cfg, stderr))
	case "admin":
		return admin(ctx, rest, environ, stdout, stderr)
	case "eval":
		return evalCmd(ctx, rest, stdout, stderr)
	case "search":
		return searchCmd(ctx, rest, environ, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "quorum", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newLogger builds the configured logger and makes it the default, so
// libraries that log through slog's default use it too.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var logger *slog.Logger
	if cfg.LogFormat == "json" {
		logger = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		logger = slog.New(slog.NewTextHandler(w, opts))
	}
	slog.SetDefault(logger)
	return logger
}
