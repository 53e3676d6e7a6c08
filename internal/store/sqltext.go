package store

import (
	"regexp"
	"strconv"
	"strings"
)

// skipNonCode returns the index just past the string literal ('...'),
// quoted identifier ("..."), line comment (-- ...) or block comment
// (/* ... */) that starts at q[i], or i when none starts there. A doubled
// quote inside a quoted run is an escaped quote. An unterminated run extends
// to the end of q. PostgreSQL dollar-quoted strings and nested comments are
// not recognised; Quorum's SQL uses neither.
func skipNonCode(q string, i int) int {
	switch c := q[i]; {
	case c == '\'' || c == '"':
		for j := i + 1; j < len(q); j++ {
			if q[j] != c {
				continue
			}
			if j+1 < len(q) && q[j+1] == c {
				j++
				continue
			}
			return j + 1
		}
		return len(q)
	case strings.HasPrefix(q[i:], "--"):
		if n := strings.IndexByte(q[i:], '\n'); n >= 0 {
			return i + n + 1
		}
		return len(q)
	case strings.HasPrefix(q[i:], "/*"):
		if n := strings.Index(q[i+2:], "*/"); n >= 0 {
			return i + 2 + n + 2
		}
		return len(q)
	}
	return i
}

// mapCode returns q with f applied to every run of SQL code, leaving string
// literals, quoted identifiers and comments as they are.
func mapCode(q string, f func(code string) string) string {
	var b strings.Builder
	b.Grow(len(q))
	start := 0 // start of the current code run
	for i := 0; i < len(q); {
		j := skipNonCode(q, i)
		if j == i {
			i++
			continue
		}
		b.WriteString(f(q[start:i]))
		b.WriteString(q[i:j])
		start, i = j, j
	}
	b.WriteString(f(q[start:]))
	return b.String()
}

// Rebind turns the "?" placeholders used throughout Quorum's SQL into the
// dialect's own ("$1", "$2", ... on PostgreSQL). A "?" inside a string
// literal, a quoted identifier or a comment is left alone.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	n := 0
	return mapCode(query, func(code string) string {
		if !strings.Contains(code, "?") {
			return code
		}
		var b strings.Builder
		b.Grow(len(code) + 8)
		for i := 0; i < len(code); i++ {
			if code[i] != '?' {
				b.WriteByte(code[i])
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		}
		return b.String()
	})
}

// sqliteTypes is the mapping applied, in this order, to a shared migration
// (written in PostgreSQL types) before SQLite runs it. Each entry matches
// whole words only, case-insensitively, with any whitespace between words,
// and never inside string literals, quoted identifiers or comments. Anything
// else a migration needs to say differently goes in a per-dialect override
// file (see the package comment).
var sqliteTypes = []struct{ Postgres, SQLite string }{
	{"BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "INTEGER PRIMARY KEY"},
	{"TIMESTAMPTZ", "TIMESTAMP"},
	{"BYTEA", "BLOB"},
	{"DOUBLE PRECISION", "REAL"},
	{"BIGINT", "INTEGER"},
}

var sqliteTypePattern, sqliteTypeReplacement = compileTypeMapping()

func compileTypeMapping() (*regexp.Regexp, map[string]string) {
	alts := make([]string, len(sqliteTypes))
	repl := make(map[string]string, len(sqliteTypes))
	for i, m := range sqliteTypes {
		words := strings.Fields(m.Postgres)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		alts[i] = strings.Join(words, `\s+`)
		repl[m.Postgres] = m.SQLite
	}
	// Go's alternation prefers the leftmost alternative, so the identity
	// column wins over the bare BIGINT it starts with.
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(alts, "|") + `)\b`), repl
}

// toSQLite applies sqliteTypes to a shared migration.
func toSQLite(sql string) string {
	return mapCode(sql, func(code string) string {
		return sqliteTypePattern.ReplaceAllStringFunc(code, func(m string) string {
			return sqliteTypeReplacement[strings.ToUpper(strings.Join(strings.Fields(m), " "))]
		})
	})
}

// Placeholders returns n "?" placeholders separated by commas, for an IN
// list or a VALUES row.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Args returns vals as query arguments.
func Args[T any](vals []T) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}
