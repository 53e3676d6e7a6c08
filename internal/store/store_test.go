package store

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct {
		dialect Dialect
		in      string
		want    string
	}{
		{SQLite, "SELECT ? , ?", "SELECT ? , ?"},
		{Postgres, "SELECT ? , ?", "SELECT $1 , $2"},
		{Postgres, "SELECT 1", "SELECT 1"},
	}
	for _, tt := range tests {
		if got := Rebind(tt.dialect, tt.in); got != tt.want {
			t.Errorf("Rebind(%s, %q) = %q, want %q", tt.dialect, tt.in, got, tt.want)
		}
	}
}
