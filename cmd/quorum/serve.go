package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/store"
)

// shutdownGrace bounds how long in-flight requests and jobs may take to
// finish after SIGINT/SIGTERM.
const shutdownGrace = 30 * time.Second

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	start := time.Now()
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.Close(context.Background())
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.Start(ctx); err != nil {
		a.Close(context.Background())
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("quorum serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "database", string(a.DB.Dialect),
		"version", app.Version, "startup", time.Since(start).Round(time.Millisecond).String())

	select {
	case err := <-errc:
		a.Close(context.Background())
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests and jobs")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	herr := srv.Shutdown(sctx)
	if errors.Is(herr, http.ErrServerClosed) {
		herr = nil
	}
	return errors.Join(herr, a.Close(sctx))
}

func migrate(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := app.Migrate(ctx, db); err != nil {
		return err
	}
	logger.Info("migrations applied", "database", string(db.Dialect))
	return nil
}
