package store

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		in      string
		want    string
	}{
		{"sqlite keeps placeholders", SQLite, "SELECT ? , ?", "SELECT ? , ?"},
		{"postgres numbers placeholders", Postgres, "SELECT ? , ?", "SELECT $1 , $2"},
		{"no placeholders", Postgres, "SELECT 1", "SELECT 1"},
		{"string literal", Postgres, "SELECT '?' , ?", "SELECT '?' , $1"},
		{"escaped quote in literal", Postgres, "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"quoted identifier", Postgres, `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"line comment", Postgres, "SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"line comment at end", Postgres, "SELECT ? -- why?", "SELECT $1 -- why?"},
		{"block comment", Postgres, "SELECT /* ? */ ?, ?", "SELECT /* ? */ $1, $2"},
		{"unterminated literal", Postgres, "SELECT ?, 'oops ?", "SELECT $1, 'oops ?"},
		{"non-ASCII around placeholder", Postgres, "SELECT 'é?', ? AS ü", "SELECT 'é?', $1 AS ü"},
		{"ten and more", Postgres, strings.Repeat("?,", 10) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rebind(tt.dialect, tt.in); got != tt.want {
				t.Errorf("Rebind(%s, %q) = %q, want %q", tt.dialect, tt.in, got, tt.want)
			}
		})
	}
}

func TestToSQLite(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"identity key", "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,", "id INTEGER PRIMARY KEY,"},
		{"identity key over lines", "id bigint generated\n  always as identity primary key", "id INTEGER PRIMARY KEY"},
		{"bigint", "org_id BIGINT NOT NULL", "org_id INTEGER NOT NULL"},
		{"bigint primary key without identity", "meeting_id BIGINT PRIMARY KEY", "meeting_id INTEGER PRIMARY KEY"},
		{"timestamptz", "created_at TIMESTAMPTZ NOT NULL", "created_at TIMESTAMP NOT NULL"},
		{"bytea", "body BYTEA", "body BLOB"},
		{"double precision", "x DOUBLE PRECISION NOT NULL DEFAULT 0", "x REAL NOT NULL DEFAULT 0"},
		{"whole words only", "bigint_total INTEGER, xbytea TEXT, timestamptz2 TEXT", "bigint_total INTEGER, xbytea TEXT, timestamptz2 TEXT"},
		{"not in string literals", "note TEXT DEFAULT 'BIGINT and BYTEA'", "note TEXT DEFAULT 'BIGINT and BYTEA'"},
		{"not in quoted identifiers", `"BIGINT" BIGINT`, `"BIGINT" INTEGER`},
		{"not in comments", "-- BIGINT stays\nx BIGINT /* BYTEA */", "-- BIGINT stays\nx INTEGER /* BYTEA */"},
		{"other types untouched", "n INTEGER, t TEXT, b BOOLEAN", "n INTEGER, t TEXT, b BOOLEAN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toSQLite(tt.in); got != tt.want {
				t.Errorf("toSQLite(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMigrationsFor(t *testing.T) {
	src := fstest.MapFS{
		"00001_a.sql":          {Data: []byte("CREATE TABLE a (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);")},
		"00002_b.sql":          {Data: []byte("shared BIGINT")},
		"00002_b.postgres.sql": {Data: []byte("postgres BIGINT")},
		"00003_c.sql":          {Data: []byte("shared BIGINT")},
		"00003_c.sqlite.sql":   {Data: []byte("sqlite BIGINT")},
		"README.md":            {Data: []byte("not a migration")},
	}
	want := map[Dialect]map[string]string{
		SQLite: {
			"00001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
			"00002_b.sql": "shared INTEGER",
			"00003_c.sql": "sqlite BIGINT", // an override is used as written
		},
		Postgres: {
			"00001_a.sql": "CREATE TABLE a (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
			"00002_b.sql": "postgres BIGINT",
			"00003_c.sql": "shared BIGINT",
		},
	}
	for d, files := range want {
		fsys, err := MigrationsFor(d, src)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		names, err := fs.Glob(fsys, "*")
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != len(files) {
			t.Errorf("%s: files %v, want %d", d, names, len(files))
		}
		for name, body := range files {
			got, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Errorf("%s: %v", d, err)
				continue
			}
			if string(got) != body {
				t.Errorf("%s: %s = %q, want %q", d, name, got, body)
			}
		}
	}

	bad := map[string]fstest.MapFS{
		"override without shared file": {"00001_a.sqlite.sql": {Data: []byte("x")}},
		"unknown dialect":              {"00001_a.sql": {Data: []byte("x")}, "00001_a.mysql.sql": {Data: []byte("x")}},
	}
	for name, src := range bad {
		for _, d := range []Dialect{SQLite, Postgres} {
			if _, err := MigrationsFor(d, src); err == nil {
				t.Errorf("%s on %s: no error", name, d)
			}
		}
	}
}
