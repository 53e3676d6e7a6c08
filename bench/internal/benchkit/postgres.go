package benchkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

// UniqueName is a database name that no other run uses, even one at the
// same time on the same server: prefix, this process's id and random
// hex.
func UniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return fmt.Sprintf("%s_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
}

// CreateDatabase creates the database name on the PostgreSQL server at
// server, on which the caller may create databases, and returns the new
// database's URL and a function that drops it. Creating and dropping are
// each bounded by a minute, so that a stuck server cannot hang a bench
// that has an end to reach; the drop goes on after ctx has ended, since it
// is cleanup.
func CreateDatabase(ctx context.Context, server *url.URL, name string) (string, func() error, error) {
	ident := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", server.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, server.String())
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	db := *server
	db.Path = "/" + name
	return db.String(), drop, nil
}
