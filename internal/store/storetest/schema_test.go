package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeDefault(t *testing.T) {
	tests := []struct {
		def, typ, want string
	}{
		{"'active'::text", "text", "'active'"},
		{"'active'", "text", "'active'"},
		{"''::text", "text", "''"},
		{"'[]'::character varying", "text", "'[]'"},
		{"FALSE", "bool", "false"},
		{"false", "bool", "false"},
		{"0", "bool", "false"},
		{"TRUE", "bool", "true"},
		{"1", "bool", "true"},
		{"0", "float", "0"},
		{"'0'::double precision", "float", "0"},
		{"1.0", "float", "1"},
		{"(0)", "int", "0"},
		{"", "text", ""},
		{"CURRENT_TIMESTAMP", "time", "CURRENT_TIMESTAMP"},
	}
	for _, tt := range tests {
		if got := normalizeDefault(tt.def, tt.typ); got != tt.want {
			t.Errorf("normalizeDefault(%q, %s) = %q, want %q", tt.def, tt.typ, got, tt.want)
		}
	}
}

func TestCommonType(t *testing.T) {
	for in, want := range map[string]string{
		"INTEGER": "int", "bigint": "int", "TIMESTAMP": "time", "timestamp with time zone": "time",
		"TEXT": "text", "BLOB": "bytes", "bytea": "bytes", "REAL": "float", "double precision": "float",
		"BOOLEAN": "bool", "boolean": "bool", "character varying": "character varying",
	} {
		if got := commonType(in); got != want {
			t.Errorf("commonType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiffSchemas(t *testing.T) {
	base := func() Table {
		return Table{
			Columns: map[string]Column{
				"id":     {Type: "int", NotNull: true},
				"status": {Type: "text", NotNull: true, Default: "'active'"},
			},
			PrimaryKey: []string{"id"},
			Indexes:    map[string]Index{"t_status_idx": {Columns: []string{"status"}}},
			Unique:     []string{"status"},
		}
	}
	tests := []struct {
		name   string
		change func(t *Table)
		want   []string
	}{
		{"same", func(*Table) {}, nil},
		{"extra column", func(t *Table) { t.Columns["note"] = Column{Type: "text"} },
			[]string{"table t: column note only in b"}},
		{"type", func(t *Table) { t.Columns["status"] = Column{Type: "int", NotNull: true, Default: "'active'"} },
			[]string{"table t: column status: type text in a, int in b"}},
		{"nullability", func(t *Table) { t.Columns["status"] = Column{Type: "text", Default: "'active'"} },
			[]string{"table t: column status: NOT NULL in a, nullable in b"}},
		{"default", func(t *Table) { t.Columns["status"] = Column{Type: "text", NotNull: true, Default: "'paused'"} },
			[]string{`table t: column status: default "'active'" in a, "'paused'" in b`}},
		{"primary key", func(t *Table) { t.PrimaryKey = []string{"id", "status"} },
			[]string{"table t: primary key (id) in a, (id,status) in b"}},
		{"index columns", func(t *Table) { t.Indexes["t_status_idx"] = Index{Columns: []string{"status", "id"}} },
			[]string{"table t: index t_status_idx: (status) in a, (status,id) in b"}},
		{"index unique", func(t *Table) { t.Indexes["t_status_idx"] = Index{Columns: []string{"status"}, Unique: true} },
			[]string{"table t: index t_status_idx: (status) in a, unique (status) in b"}},
		{"index missing", func(t *Table) { delete(t.Indexes, "t_status_idx") },
			[]string{"table t: index t_status_idx only in a"}},
		{"unique constraint", func(t *Table) { t.Unique = []string{"id,status"} },
			[]string{"table t: unique (status) only in a", "table t: unique (id,status) only in b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := base()
			tt.change(&changed)
			a := Schema{Name: "a", Tables: map[string]Table{"t": base(), "same": base()}}
			b := Schema{Name: "b", Tables: map[string]Table{"t": changed, "same": base()}}
			require.Equal(t, tt.want, DiffSchemas(a, b))
		})
	}
	t.Run("missing table", func(t *testing.T) {
		a := Schema{Name: "a", Tables: map[string]Table{"t": base()}}
		b := Schema{Name: "b", Tables: map[string]Table{"u": base()}}
		require.Equal(t, []string{"table t: only in a", "table u: only in b"}, DiffSchemas(a, b))
	})
}
