package testserver

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A test's database exists while it runs, is its own, and is dropped when
// it ends, even with a connection still open to it.
func TestPostgresDatabase(t *testing.T) {
	t.Parallel()
	admin := Postgres(t)
	ctx := context.Background()
	names := map[string]bool{}
	var open []*pgx.Conn
	defer func() {
		for _, c := range open {
			c.Close(ctx)
		}
	}()
	for i := range 2 {
		t.Run("database", func(t *testing.T) {
			u := PostgresDatabase(t)
			conn, err := pgx.Connect(ctx, u)
			if err != nil {
				t.Fatalf("connect to database %d: %v", i, err)
			}
			open = append(open, conn) // left open: the drop must end it
			var name string
			if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(name, "prodready_test_") || names[name] {
				t.Errorf("database %d is %q, want a new prodready_test_ name (have %v)", i, name, names)
			}
			names[name] = true
			if _, err := conn.Exec(ctx, "CREATE TABLE t (id int)"); err != nil {
				t.Fatal(err)
			}
		})
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for name := range names {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists after its test ended", name)
		}
	}
	if len(names) != 2 {
		t.Errorf("made %d databases, want 2", len(names))
	}
}
