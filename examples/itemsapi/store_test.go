package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/redact"
	"github.com/prodready/prodready/internal/testserver"
)

// A storeBackend is a database the store tests run against.
type storeBackend struct {
	name string
	// url returns the DATABASE_URL of a new, empty database for t.
	url func(t *testing.T) string
	// shared: two openStore calls on one URL reach the same database
	// (not so for sqlite::memory:).
	shared bool
}

var storeBackends = []storeBackend{
	{name: "sqlite", shared: true, url: func(t *testing.T) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "items.db")
	}},
	{name: "sqlite-memory", url: func(t *testing.T) string { return "sqlite::memory:" }},
	{name: "postgres", shared: true, url: func(t *testing.T) string { return testserver.PostgresDatabase(t) }},
}

// forEachBackend runs test against every backend, in parallel.
func forEachBackend(t *testing.T, test func(t *testing.T, b storeBackend)) {
	t.Helper()
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}

// mustOpen opens a store on databaseURL, closed when t ends.
func mustOpen(t *testing.T, databaseURL string, seed int) store {
	t.Helper()
	s, err := openStore(t.Context(), databaseURL, seed, nil)
	if err != nil {
		t.Fatalf("openStore(%d items) = %v", seed, err)
	}
	t.Cleanup(func() {
		if err := s.close(); err != nil {
			t.Errorf("close() = %v", err)
		}
	})
	return s
}

// listAll pages through every item, pageSize at a time, as the server
// does, and fails t on a repeated or out-of-order id.
func listAll(t *testing.T, s store, pageSize int) []Item {
	t.Helper()
	var all []Item
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > 100_000 {
			t.Fatal("list never ends")
		}
		page, err := s.list(t.Context(), after, pageSize)
		if err != nil {
			t.Fatalf("list(after %d, %d) = %v", after, pageSize, err)
		}
		if len(page) > pageSize {
			t.Fatalf("list(after %d, %d) returned %d items", after, pageSize, len(page))
		}
		for _, it := range page {
			if it.ID <= after {
				t.Fatalf("list(after %d) returned id %d, out of order or repeated", after, it.ID)
			}
			after = it.ID
		}
		all = append(all, page...)
		if len(page) < pageSize {
			return all
		}
	}
}

func TestStoreSeed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		const seed = 10_000
		u := b.url(t)
		s := mustOpen(t, u, seed)
		first := listAll(t, s, 1000)
		if len(first) != seed {
			t.Fatalf("after seeding %d items, list returns %d", seed, len(first))
		}
		for i, it := range first {
			want := seedItem(i + 1)
			if it.ID != int64(i+1) || it.Name != want.Name || it.PriceCents != want.PriceCents {
				t.Fatalf("item %d = %+v, want id %d, %+v", i, it, i+1, want)
			}
		}
		if !b.shared {
			return
		}
		// A second start finds the rows and seeds nothing, even when asked
		// for more; a changed row stays changed.
		changed, err := s.update(t.Context(), 7, ItemInput{Name: "changed", PriceCents: 1})
		if err != nil {
			t.Fatalf("update(7) = %v", err)
		}
		first[6] = changed
		again := mustOpen(t, u, seed+5)
		if got := listAll(t, again, 999); !reflect.DeepEqual(got, first) {
			t.Errorf("after a second open, list returns %d items, want the %d of the first (first difference at %d)", len(got), len(first), firstDiff(got, first))
		}
	})
}

func firstDiff(a, b []Item) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestStoreSeedZero(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		s := mustOpen(t, b.url(t), 0)
		if got := listAll(t, s, 10); len(got) != 0 {
			t.Errorf("seed 0: list returns %d items, want none", len(got))
		}
	})
}

// Instances starting at once against one database seed it once, whether
// they find no table or an empty one.
func TestStoreConcurrentOpenSeedsOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		if !b.shared {
			t.Skip("each open is a database of its own")
		}
		for _, emptyTable := range []bool{false, true} {
			t.Run(fmt.Sprintf("empty table %v", emptyTable), func(t *testing.T) {
				const instances, seed = 4, 2000
				u := b.url(t)
				if emptyTable {
					mustOpen(t, u, 0).close()
				}
				stores := make([]store, instances)
				errs := make([]error, instances)
				var wg sync.WaitGroup
				for i := range instances {
					wg.Go(func() { stores[i], errs[i] = openStore(t.Context(), u, seed, nil) })
				}
				wg.Wait()
				for i, s := range stores {
					if s != nil {
						t.Cleanup(func() { s.close() })
					}
					if errs[i] != nil {
						t.Errorf("instance %d: openStore = %v", i, errs[i])
					}
				}
				if t.Failed() {
					return
				}
				if got := listAll(t, stores[0], 500); len(got) != seed {
					t.Errorf("%d instances seeding %d items at once left %d items", instances, seed, len(got))
				}
			})
		}
	})
}

func TestStoreList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		s := mustOpen(t, b.url(t), 25)
		tests := []struct {
			after   int64
			limit   int
			wantIDs []int64
		}{
			{after: 0, limit: 3, wantIDs: []int64{1, 2, 3}},
			{after: 3, limit: 2, wantIDs: []int64{4, 5}},
			{after: 23, limit: 10, wantIDs: []int64{24, 25}},
			{after: 25, limit: 10, wantIDs: []int64{}},
			{after: 1000, limit: 1, wantIDs: []int64{}},
			{after: -5, limit: 1, wantIDs: []int64{1}},
		}
		for _, tt := range tests {
			items, err := s.list(t.Context(), tt.after, tt.limit)
			if err != nil {
				t.Fatalf("list(%d, %d) = %v", tt.after, tt.limit, err)
			}
			ids := []int64{}
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("list(%d, %d) ids = %v, want %v", tt.after, tt.limit, ids, tt.wantIDs)
			}
		}
		for _, limit := range []int{0, -1} {
			if _, err := s.list(t.Context(), 0, limit); err == nil {
				t.Errorf("list(0, %d) = nil error, want one", limit)
			}
		}
		// Every page size pages through all rows, in order, no gap, no repeat.
		for _, size := range []int{1, 7, 25, 26} {
			got := listAll(t, s, size)
			if len(got) != 25 || got[0].ID != 1 || got[24].ID != 25 {
				t.Errorf("page size %d: listed %d items", size, len(got))
			}
		}
	})
}

func TestStoreGetCreateUpdate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		ctx := t.Context()
		s := mustOpen(t, b.url(t), 3)

		got, err := s.get(ctx, 2)
		if err != nil {
			t.Fatalf("get(2) = %v", err)
		}
		if want := seedItem(2); got.ID != 2 || got.Name != want.Name || got.PriceCents != want.PriceCents {
			t.Errorf("get(2) = %+v, want %+v", got, want)
		}

		in := ItemInput{Name: "Teekanne „Ölfleck“ 🫖", PriceCents: 1_000_000_000_000}
		created, err := s.create(ctx, in)
		if err != nil {
			t.Fatalf("create(%+v) = %v", in, err)
		}
		if created.ID != 4 || created.Name != in.Name || created.PriceCents != in.PriceCents {
			t.Errorf("create(%+v) = %+v, want id 4", in, created)
		}
		checkTime(t, "create", created.UpdatedAt)
		if got, err := s.get(ctx, created.ID); err != nil || got != created {
			t.Errorf("get(%d) = %+v, %v; want %+v as created", created.ID, got, err, created)
		}

		up := ItemInput{Name: "Kettle", PriceCents: 0}
		updated, err := s.update(ctx, created.ID, up)
		if err != nil {
			t.Fatalf("update(%d) = %v", created.ID, err)
		}
		if updated.ID != created.ID || updated.Name != up.Name || updated.PriceCents != 0 || updated.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("update(%d, %+v) = %+v (created %+v)", created.ID, up, updated, created)
		}
		checkTime(t, "update", updated.UpdatedAt)
		if got, err := s.get(ctx, created.ID); err != nil || got != updated {
			t.Errorf("get(%d) = %+v, %v; want %+v as updated", created.ID, got, err, updated)
		}
		page, err := s.list(ctx, created.ID-1, 5)
		if err != nil || len(page) != 1 || page[0] != updated {
			t.Errorf("list(%d, 5) = %+v, %v; want [%+v]", created.ID-1, page, err, updated)
		}

		for _, id := range []int64{0, -1, 5, 1 << 62} {
			if _, err := s.get(ctx, id); !errors.Is(err, errNotFound) {
				t.Errorf("get(%d) = %v, want errNotFound", id, err)
			}
			if _, err := s.update(ctx, id, up); !errors.Is(err, errNotFound) {
				t.Errorf("update(%d) = %v, want errNotFound", id, err)
			}
		}
	})
}

// checkTime fails t unless at is a UTC time to the microsecond.
func checkTime(t *testing.T, op string, at time.Time) {
	t.Helper()
	if at.Location() != time.UTC || at.Nanosecond()%1000 != 0 || at.IsZero() {
		t.Errorf("%s: updated_at = %v (%s), want a UTC time to the microsecond", op, at, at.Location())
	}
	if d := time.Since(at); d < -time.Minute || d > time.Hour {
		t.Errorf("%s: updated_at = %v, want about now", op, at)
	}
}

func TestStoreContextCanceled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		u := b.url(t)
		s := mustOpen(t, u, 3)
		canceled, cancel := context.WithCancel(t.Context())
		cancel()
		expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel2()
		in := ItemInput{Name: "x", PriceCents: 1}
		calls := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"list", func(ctx context.Context) error { _, err := s.list(ctx, 0, 10); return err }},
			{"get", func(ctx context.Context) error { _, err := s.get(ctx, 1); return err }},
			{"create", func(ctx context.Context) error { _, err := s.create(ctx, in); return err }},
			{"update", func(ctx context.Context) error { _, err := s.update(ctx, 1, in); return err }},
			{"ping", s.ping},
			{"openStore", func(ctx context.Context) error {
				s2, err := openStore(ctx, u, 3, nil)
				if err == nil {
					s2.close()
				}
				return err
			}},
		}
		for _, c := range calls {
			if err := c.call(canceled); !errors.Is(err, context.Canceled) {
				t.Errorf("%s(canceled ctx) = %v, want context.Canceled", c.name, err)
			}
			if err := c.call(expired); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s(expired ctx) = %v, want context.DeadlineExceeded", c.name, err)
			}
		}
		// Nothing was written.
		if got, err := s.get(t.Context(), 1); err != nil || got.Name == in.Name {
			t.Errorf("get(1) = %+v, %v after canceled writes", got, err)
		}
		if _, err := s.get(t.Context(), 4); !errors.Is(err, errNotFound) {
			t.Errorf("get(4) = %v after a canceled create, want errNotFound", err)
		}
	})
}

func TestStoreStats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		ctx := t.Context()
		s := mustOpen(t, b.url(t), 3)
		in := ItemInput{Name: "x", PriceCents: 1}
		calls := []struct {
			name string
			call func() error
		}{
			{"get", func() error { _, err := s.get(ctx, 1); return err }},
			{"get missing", func() error { _, err := s.get(ctx, 99); return ignore(err, errNotFound) }},
			{"list", func() error { _, err := s.list(ctx, 0, 10); return err }},
			{"create", func() error { _, err := s.create(ctx, in); return err }},
			{"update", func() error { _, err := s.update(ctx, 1, in); return err }},
			{"update missing", func() error { _, err := s.update(ctx, 99, in); return ignore(err, errNotFound) }},
			{"ping", func() error { return s.ping(ctx) }},
		}
		for _, c := range calls {
			before := s.stats().Queries
			if err := c.call(); err != nil {
				t.Fatalf("%s = %v", c.name, err)
			}
			if got := s.stats().Queries - before; got != 1 {
				t.Errorf("%s ran %d queries by stats(), want 1", c.name, got)
			}
		}
		st := s.stats()
		wantDriver := strings.TrimSuffix(b.name, "-memory")
		if st.Driver != wantDriver || st.OpenConns < 1 || st.InUse != 0 || st.InUse > st.OpenConns {
			t.Errorf("stats() = %+v, want driver %q, open connections, none in use", st, wantDriver)
		}
	})
}

func ignore(err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("nil error, want %v", target)
	}
	return err
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return fmt.Sprint(port)
}

func TestOpenStoreErrors(t *testing.T) {
	t.Parallel()
	const canary = "Canary-pw-7f3a9c"
	port := closedPort(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		url  string
		want []string // in the message
	}{
		{"unknown scheme", "mysql://app:" + canary + "@127.0.0.1:3306/app", []string{"DATABASE_URL", `"mysql"`, "mysql://app:[redacted]@127.0.0.1:3306/app", "sqlite:FILE", "postgres://"}},
		{"not a URL", "127.0.0.1:5432", []string{"DATABASE_URL", "sqlite:FILE"}},
		{"empty", "", []string{"DATABASE_URL", "empty"}},
		{"password with @", "postgres://app:" + canary + "@x@127.0.0.1:" + port + "/app", []string{"DATABASE_URL"}},
		{"postgres closed port", "postgres://app:" + canary + "@127.0.0.1:" + port + "/app?sslmode=disable", []string{"DATABASE_URL", "postgres://app:[redacted]@127.0.0.1:" + port, "connect"}},
		{"postgresql closed port", "postgresql://app:" + canary + "@127.0.0.1:" + port + "/app?sslmode=disable&password=" + canary, []string{"DATABASE_URL", "connect"}},
		{"postgres bad option", "postgres://app:" + canary + "@127.0.0.1:" + port + "/app?sslmode=bogus", []string{"DATABASE_URL"}},
		{"sqlite no file", "sqlite:", []string{"DATABASE_URL", "names no file"}},
		{"sqlite query", "sqlite:" + filepath.Join(dir, "a.db") + "?mode=ro", []string{"DATABASE_URL", "query"}},
		{"sqlite missing directory", "sqlite:" + filepath.Join(dir, "missing", "a.db"), []string{"DATABASE_URL", "open " + filepath.Join(dir, "missing", "a.db"), "directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			s, err := openStore(ctx, tt.url, 1, nil)
			if err == nil {
				s.close()
				t.Fatal("openStore() = nil error, want one")
			}
			for _, msg := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(msg, canary) {
					t.Fatalf("openStore() error shows the password: %s", msg)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("openStore() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestSQLitePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
		wantErr   bool
	}{
		{url: "sqlite:app.db", want: "app.db"},
		{url: "sqlite://app.db", want: "app.db"},
		{url: "sqlite:data/app.db", want: "data/app.db"},
		{url: "sqlite:/var/lib/app.db", want: "/var/lib/app.db"},
		{url: "sqlite:///var/lib/app.db", want: "/var/lib/app.db"},
		{url: "SQLite:app.db", want: "app.db"},
		{url: "sqlite::memory:", want: ":memory:"},
		{url: "sqlite:my%20items.db", want: "my items.db"},
		{url: "sqlite:", wantErr: true},
		{url: "sqlite://", wantErr: true},
		{url: "sqlite:app.db?_pragma=x", wantErr: true},
		{url: "sqlite:app.db#x", wantErr: true},
		{url: "sqlite:bad%zz.db", wantErr: true},
	}
	for _, tt := range tests {
		got, err := sqlitePath(tt.url)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("sqlitePath(%q) = %q, %v; want %q, error %v", tt.url, got, err, tt.want, tt.wantErr)
		}
	}
}

// A relative sqlite: file is under the working directory.
func TestOpenStoreRelativeSQLite(t *testing.T) {
	t.Chdir(t.TempDir())
	s := mustOpen(t, "sqlite:rel.db", 2)
	if _, err := s.get(t.Context(), 2); err != nil {
		t.Fatalf("get(2) = %v", err)
	}
	s2 := mustOpen(t, "sqlite://rel.db", 0)
	if got := listAll(t, s2, 10); len(got) != 2 {
		t.Errorf("sqlite://rel.db lists %d items, want the 2 of sqlite:rel.db", len(got))
	}
}

// scrub removes the password from any message, in every form a driver
// could print it, and keeps the errors it wraps visible to errors.Is.
func TestScrub(t *testing.T) {
	t.Parallel()
	const canary = "p@ss w/rd-Canary"
	raw := "postgres://app:" + url.UserPassword("app", canary).String()[len("app:"):] + "@db:5432/app"
	u, err := prodready.ParseSecretURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := &sqlStore{url: u, redact: redact.ForURL(raw)}
	tests := []error{
		fmt.Errorf("dial %s: %w", raw, context.DeadlineExceeded),
		fmt.Errorf("auth with %q failed: %w", canary, context.DeadlineExceeded),
		fmt.Errorf("password=%s: %w", url.QueryEscape(canary), context.DeadlineExceeded),
		fmt.Errorf("path %s: %w", url.PathEscape(canary), context.DeadlineExceeded),
	}
	for _, in := range tests {
		got := s.scrub(in)
		for _, form := range []string{canary, url.QueryEscape(canary), url.PathEscape(canary)} {
			if strings.Contains(got.Error(), form) {
				t.Errorf("scrub(%q) = %q, shows the password", in, got)
			}
		}
		if !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("scrub(%q) = %v, lost the error it wraps", in, got)
		}
	}
	if got := s.scrub(nil); got != nil {
		t.Errorf("scrub(nil) = %v", got)
	}
	plain := errors.New("no secret here")
	if got := s.scrub(plain); got != plain {
		t.Errorf("scrub(%v) = %v, want it unchanged", plain, got)
	}
}

// Concurrent writers and readers neither fail nor lose a write (on SQLite,
// one writer connection beside several readers).
func TestStoreConcurrentUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b storeBackend) {
		const workers, writes = 8, 15
		s := mustOpen(t, b.url(t), 10)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range writes {
					it, err := s.create(t.Context(), ItemInput{Name: fmt.Sprintf("w%d-%d", w, i), PriceCents: int64(i)})
					if err != nil {
						t.Errorf("create = %v", err)
						return
					}
					if got, err := s.get(t.Context(), it.ID); err != nil || got != it {
						t.Errorf("get(%d) = %+v, %v; want %+v", it.ID, got, err, it)
						return
					}
					if _, err := s.update(t.Context(), int64(1+i%10), ItemInput{Name: "u", PriceCents: 1}); err != nil {
						t.Errorf("update = %v", err)
						return
					}
					if _, err := s.list(t.Context(), int64(i), 5); err != nil {
						t.Errorf("list = %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := listAll(t, s, 100); len(got) != 10+workers*writes {
			t.Errorf("after %d creates, %d items, want %d", workers*writes, len(got), 10+workers*writes)
		}
		if st := s.stats(); st.InUse != 0 {
			t.Errorf("stats() = %+v after every call returned, want none in use", st)
		}
	})
}
