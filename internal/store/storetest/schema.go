package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/store"
)

// Schema is a snapshot of a database's tables in a vocabulary both dialects
// share, so that two snapshots can be compared with [DiffSchemas].
type Schema struct {
	// Name labels the snapshot in a diff, e.g. "sqlite".
	Name   string
	Tables map[string]Table
}

// Table is one table of a [Schema].
type Table struct {
	Columns map[string]Column
	// PrimaryKey lists the key's columns in key order.
	PrimaryKey []string
	// Indexes are the indexes created by CREATE INDEX, by name.
	Indexes map[string]Index
	// Unique lists the columns of each UNIQUE constraint, comma-joined and
	// sorted; the dialects name the indexes behind them differently.
	Unique []string
}

// Column is one column of a [Table].
type Column struct {
	// Type is one of int, float, text, bytes, bool, time, or the dialect's
	// own lowercased name for any other type.
	Type    string
	NotNull bool
	// Default is the normalized default expression, empty when none.
	Default string
}

// Index is one index of a [Table].
type Index struct {
	Columns []string
	Unique  bool
}

// ignoredTable reports tables that belong to goose or River, not to
// Quorum's migrations.
func ignoredTable(name string) bool {
	return name == "goose_db_version" || strings.HasPrefix(name, "river_")
}

// Inspect takes a snapshot of db's schema, named after its dialect.
func Inspect(ctx context.Context, db *store.DB) (Schema, error) {
	if db.Dialect == store.Postgres {
		return inspectPostgres(ctx, db.R)
	}
	return inspectSQLite(ctx, db.R)
}

func inspectSQLite(ctx context.Context, db *sql.DB) (Schema, error) {
	s := Schema{Name: string(store.SQLite), Tables: map[string]Table{}}
	names, err := queryStrings(ctx, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return s, err
	}
	for _, name := range names {
		if ignoredTable(name) {
			continue
		}
		t := Table{Columns: map[string]Column{}, Indexes: map[string]Index{}}
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_info(?)`, name)
		if err != nil {
			return s, fmt.Errorf("columns of %s: %w", name, err)
		}
		pk := map[int]string{}
		types := map[string]string{}
		for rows.Next() {
			var col, typ, def string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&col, &typ, &notNull, &def, &pkPos); err != nil {
				rows.Close()
				return s, fmt.Errorf("columns of %s: %w", name, err)
			}
			if pkPos > 0 {
				pk[pkPos] = col
			}
			types[col] = typ
			t.Columns[col] = Column{Type: commonType(typ), NotNull: notNull, Default: normalizeDefault(def, commonType(typ))}
		}
		if err := closeRows(rows); err != nil {
			return s, fmt.Errorf("columns of %s: %w", name, err)
		}
		for i := 1; i <= len(pk); i++ {
			t.PrimaryKey = append(t.PrimaryKey, pk[i])
		}
		// A single INTEGER PRIMARY KEY is SQLite's rowid and cannot be NULL,
		// though pragma_table_info reports it nullable.
		if len(t.PrimaryKey) == 1 && strings.EqualFold(types[t.PrimaryKey[0]], "INTEGER") {
			c := t.Columns[t.PrimaryKey[0]]
			c.NotNull = true
			t.Columns[t.PrimaryKey[0]] = c
		}

		type idx struct {
			name, origin string
			unique       bool
		}
		var idxs []idx
		rows, err = db.QueryContext(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, name)
		if err != nil {
			return s, fmt.Errorf("indexes of %s: %w", name, err)
		}
		for rows.Next() {
			var i idx
			if err := rows.Scan(&i.name, &i.unique, &i.origin); err != nil {
				rows.Close()
				return s, fmt.Errorf("indexes of %s: %w", name, err)
			}
			idxs = append(idxs, i)
		}
		if err := closeRows(rows); err != nil {
			return s, fmt.Errorf("indexes of %s: %w", name, err)
		}
		for _, i := range idxs {
			if i.origin == "pk" {
				continue // the primary key is read from pragma_table_info
			}
			cols, err := queryStrings(ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, i.name)
			if err != nil {
				return s, fmt.Errorf("columns of index %s: %w", i.name, err)
			}
			if i.origin == "u" {
				t.Unique = append(t.Unique, joinColumns(cols))
				continue
			}
			t.Indexes[i.name] = Index{Columns: cols, Unique: i.unique}
		}
		sort.Strings(t.Unique)
		s.Tables[name] = t
	}
	return s, nil
}

func inspectPostgres(ctx context.Context, db *sql.DB) (Schema, error) {
	s := Schema{Name: string(store.Postgres), Tables: map[string]Table{}}
	names, err := queryStrings(ctx, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return s, err
	}
	for _, name := range names {
		if ignoredTable(name) {
			continue
		}
		t := Table{Columns: map[string]Column{}, Indexes: map[string]Index{}}
		rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable = 'NO', COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, name)
		if err != nil {
			return s, fmt.Errorf("columns of %s: %w", name, err)
		}
		for rows.Next() {
			var col, typ, def string
			var notNull bool
			if err := rows.Scan(&col, &typ, &notNull, &def); err != nil {
				rows.Close()
				return s, fmt.Errorf("columns of %s: %w", name, err)
			}
			t.Columns[col] = Column{Type: commonType(typ), NotNull: notNull, Default: normalizeDefault(def, commonType(typ))}
		}
		if err := closeRows(rows); err != nil {
			return s, fmt.Errorf("columns of %s: %w", name, err)
		}

		// Every index of the table, with the kind of constraint it backs
		// ('p' primary key, 'u' unique, '' none).
		rows, err = db.QueryContext(ctx, `SELECT ic.relname, i.indisunique, COALESCE(con.contype::text, ''),
				(SELECT string_agg(a.attname, ',' ORDER BY k.ord)
				   FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
				   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)
			FROM pg_index i
			JOIN pg_class ic ON ic.oid = i.indexrelid
			JOIN pg_class tc ON tc.oid = i.indrelid
			LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u')
			WHERE tc.relname = $1 AND tc.relnamespace = current_schema()::regnamespace`, name)
		if err != nil {
			return s, fmt.Errorf("indexes of %s: %w", name, err)
		}
		for rows.Next() {
			var idx, kind, cols string
			var unique bool
			if err := rows.Scan(&idx, &unique, &kind, &cols); err != nil {
				rows.Close()
				return s, fmt.Errorf("indexes of %s: %w", name, err)
			}
			colList := strings.Split(cols, ",")
			switch kind {
			case "p":
				t.PrimaryKey = colList
			case "u":
				t.Unique = append(t.Unique, joinColumns(colList))
			default:
				t.Indexes[idx] = Index{Columns: colList, Unique: unique}
			}
		}
		if err := closeRows(rows); err != nil {
			return s, fmt.Errorf("indexes of %s: %w", name, err)
		}
		sort.Strings(t.Unique)
		s.Tables[name] = t
	}
	return s, nil
}

// commonType maps a dialect's type name to the vocabulary of [Column.Type].
func commonType(t string) string {
	switch t = strings.ToLower(strings.TrimSpace(t)); t {
	case "integer", "int", "bigint", "int4", "int8", "smallint":
		return "int"
	case "real", "double", "double precision", "float", "float8":
		return "float"
	case "text":
		return "text"
	case "blob", "bytea":
		return "bytes"
	case "boolean", "bool":
		return "bool"
	case "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone":
		return "time"
	}
	return t
}

var castSuffix = regexp.MustCompile(`::[a-z][a-z0-9_ ]*(\[\])?$`)

// normalizeDefault writes a default expression the same way for both
// dialects: without PostgreSQL's casts ('active'::text is 'active') or
// wrapping parentheses, booleans as true/false (SQLite stores them as
// 0/1), numbers in their shortest form.
func normalizeDefault(def, typ string) string {
	def = strings.TrimSpace(def)
	for {
		stripped := castSuffix.ReplaceAllString(def, "")
		if len(stripped) > 1 && stripped[0] == '(' && stripped[len(stripped)-1] == ')' {
			stripped = strings.TrimSpace(stripped[1 : len(stripped)-1])
		}
		if stripped == def {
			break
		}
		def = stripped
	}
	if len(def) > 1 && def[0] == '\'' && def[len(def)-1] == '\'' {
		if _, err := strconv.ParseFloat(def[1:len(def)-1], 64); err == nil && (typ == "int" || typ == "float") {
			def = def[1 : len(def)-1] // PostgreSQL may quote a numeric default
		}
	}
	if typ == "bool" {
		switch strings.ToLower(def) {
		case "true", "1", "'t'", "'true'":
			return "true"
		case "false", "0", "'f'", "'false'":
			return "false"
		}
	}
	if f, err := strconv.ParseFloat(def, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return def
}

func joinColumns(cols []string) string {
	return strings.Join(cols, ",")
}

// DiffSchemas lists every difference between a and b, one readable line
// each, sorted; it is empty when the schemas agree.
func DiffSchemas(a, b Schema) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, name := range unionKeys(a.Tables, b.Tables) {
		ta, inA := a.Tables[name]
		tb, inB := b.Tables[name]
		switch {
		case !inB:
			add("table %s: only in %s", name, a.Name)
			continue
		case !inA:
			add("table %s: only in %s", name, b.Name)
			continue
		}
		for _, col := range unionKeys(ta.Columns, tb.Columns) {
			ca, inA := ta.Columns[col]
			cb, inB := tb.Columns[col]
			switch {
			case !inB:
				add("table %s: column %s only in %s", name, col, a.Name)
			case !inA:
				add("table %s: column %s only in %s", name, col, b.Name)
			default:
				if ca.Type != cb.Type {
					add("table %s: column %s: type %s in %s, %s in %s", name, col, ca.Type, a.Name, cb.Type, b.Name)
				}
				if ca.NotNull != cb.NotNull {
					add("table %s: column %s: %s in %s, %s in %s", name, col, nullability(ca), a.Name, nullability(cb), b.Name)
				}
				if ca.Default != cb.Default {
					add("table %s: column %s: default %q in %s, %q in %s", name, col, ca.Default, a.Name, cb.Default, b.Name)
				}
			}
		}
		if !slices.Equal(ta.PrimaryKey, tb.PrimaryKey) {
			add("table %s: primary key (%s) in %s, (%s) in %s", name, joinColumns(ta.PrimaryKey), a.Name, joinColumns(tb.PrimaryKey), b.Name)
		}
		for _, idx := range unionKeys(ta.Indexes, tb.Indexes) {
			ia, inA := ta.Indexes[idx]
			ib, inB := tb.Indexes[idx]
			switch {
			case !inB:
				add("table %s: index %s only in %s", name, idx, a.Name)
			case !inA:
				add("table %s: index %s only in %s", name, idx, b.Name)
			case !slices.Equal(ia.Columns, ib.Columns) || ia.Unique != ib.Unique:
				add("table %s: index %s: %s in %s, %s in %s", name, idx, describeIndex(ia), a.Name, describeIndex(ib), b.Name)
			}
		}
		for _, u := range ta.Unique {
			if !slices.Contains(tb.Unique, u) {
				add("table %s: unique (%s) only in %s", name, u, a.Name)
			}
		}
		for _, u := range tb.Unique {
			if !slices.Contains(ta.Unique, u) {
				add("table %s: unique (%s) only in %s", name, u, b.Name)
			}
		}
	}
	return out
}

func nullability(c Column) string {
	if c.NotNull {
		return "NOT NULL"
	}
	return "nullable"
}

func describeIndex(i Index) string {
	if i.Unique {
		return "unique (" + joinColumns(i.Columns) + ")"
	}
	return "(" + joinColumns(i.Columns) + ")"
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// queryStrings runs a query returning one text column and collects it.
func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	return out, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
