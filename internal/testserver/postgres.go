package testserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgresURL names the shared PostgreSQL server; see [Postgres].
const EnvPostgresURL = "PRODREADY_TEST_POSTGRES_URL"

const (
	defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	postgresTimeout    = 10 * time.Second // bounds creating and dropping a database
)

// Postgres returns the URL of the shared PostgreSQL server, or skips tb
// (fails it under PRODREADY_REQUIRE_SERVERS=1) when no server answers
// there, or it refuses the connection. The URL names a database that
// exists, and a role that may create databases for [PostgresDatabase].
func Postgres(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(EnvPostgresURL)
	if raw == "" {
		raw = defaultPostgresURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("testserver: %s is not a postgres:// URL", EnvPostgresURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*probeTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, raw)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		// pgx never prints the password; the host is enough to act on.
		unavailable(tb, "postgres", fmt.Sprintf("no server answers at %s (set %s): %v", u.Host, EnvPostgresURL, err))
	}
	return raw
}

// PostgresDatabase creates a database of its own for tb on the server of
// [Postgres], and returns its URL. When tb ends, the database is dropped,
// its remaining connections terminated first (DROP DATABASE ... WITH
// (FORCE), PostgreSQL 13 and later). It skips or fails tb as Postgres does.
func PostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin := Postgres(tb)
	name := "prodready_test_" + strings.ToLower(rand.Text()[:16])
	if err := adminExec(admin, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("testserver: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("testserver: drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(admin) // parsed by Postgres
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// adminExec runs one statement on a connection of its own to the database
// of rawURL.
func adminExec(rawURL, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), postgresTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt)
	return err
}
