package main

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// The API every configuration of the service must serve: the suite, and
// the configurations it runs on.

// suite is what every configuration of the service must pass.
type suite struct {
	seed       int
	driver     string // "sqlite" or "postgres"
	backend    string // the cache backend
	adminToken string
	hardened   bool // debug endpoints need a session
}

func (s suite) run(t *testing.T, in *instance) {
	t.Run("health", func(t *testing.T) {
		var h map[string]any
		decode(t, in.do(t, "GET", "/healthz", "", false), 200, &h)
		if h["status"] != "ok" {
			t.Errorf("GET /healthz = %v, want status ok", h)
		}
		decode(t, in.do(t, "GET", "/readyz", "", false), 200, &h)
		if h["status"] != "ok" || !reflect.DeepEqual(h["checks"], map[string]any{"database": "ok", "cache": "ok"}) {
			t.Errorf("GET /readyz = %v, want status ok with both checks ok", h)
		}
	})

	t.Run("pagination through all rows", func(t *testing.T) {
		for _, limit := range []int{1, 5, 7, 100} {
			t.Run("limit="+strconv.Itoa(limit), func(t *testing.T) {
				pageSize := limit
				path := "/items?limit=" + strconv.Itoa(limit)
				var ids []int64
				pages := 0
				for path != "" {
					pages++
					if pages > s.seed+2 {
						t.Fatalf("more than %d pages", pages)
					}
					r := in.do(t, "GET", path, "", false)
					var env struct {
						Items   []Item `json:"items"`
						Next    string `json:"next"`
						HasMore bool   `json:"has_more"`
					}
					decode(t, r, 200, &env)
					if env.HasMore != (env.Next != "") {
						t.Fatalf("page %d: has_more %v with next %q", pages, env.HasMore, env.Next)
					}
					if strings.ContainsAny(env.Next, "/?&=") {
						t.Fatalf("page %d: next %q, want a cursor token, not a URL", pages, env.Next)
					}
					if env.HasMore && len(env.Items) != pageSize || len(env.Items) > pageSize {
						t.Fatalf("page %d: %d items, want %d (has_more %v)", pages, len(env.Items), pageSize, env.HasMore)
					}
					link := r.header.Get("Link")
					nextURL := "/items?cursor=" + env.Next + "&limit=" + strconv.Itoa(limit)
					if env.Next != "" && !strings.Contains(link, "<"+nextURL+`>; rel="next"`) {
						t.Fatalf("page %d: Link %q lacks the next page %q", pages, link, nextURL)
					}
					if env.Next == "" && strings.Contains(link, `rel="next"`) {
						t.Fatalf("last page: Link %q has a next page", link)
					}
					for _, it := range env.Items {
						if it.Name == "" || it.UpdatedAt.IsZero() || it.UpdatedAt.Location() != time.UTC {
							t.Fatalf("item %+v: want a name and an updated_at in UTC", it)
						}
						ids = append(ids, it.ID)
					}
					path = ""
					if env.Next != "" {
						path = "/items?limit=" + strconv.Itoa(limit) + "&cursor=" + url.QueryEscape(env.Next)
					}
				}
				if len(ids) != s.seed {
					t.Fatalf("%d items in %d pages, want %d", len(ids), pages, s.seed)
				}
				for i, id := range ids {
					if id != int64(i+1) {
						t.Fatalf("item %d has id %d, want %d: a gap or a duplicate", i, id, i+1)
					}
				}
				if want := (s.seed + pageSize - 1) / pageSize; pages != want {
					t.Errorf("%d pages, want %d", pages, want)
				}
			})
		}
	})

	t.Run("bad pagination parameters", func(t *testing.T) {
		var env struct{ Next string }
		decode(t, in.do(t, "GET", "/items?limit=3", "", false), 200, &env)
		cursor := env.Next
		tampered := cursor[:len(cursor)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(cursor, "AA")]
		tests := []struct{ query, param string }{
			{"limit=0", "limit"},
			{"limit=abc", "limit"},
			{"limit=-1", "limit"},
			{"limit=99999999999", "limit"},
			{"limit=101", "limit"}, // above MAX_PAGE_SIZE
			{"limit=1000", "limit"},
			{"limit=1&limit=2", "limit"},
			{"cursor=garbage", "cursor"},
			{"cursor=" + tampered, "cursor"},
			{"page=2", "page"},
			{"offset=10", "offset"},
		}
		for _, tt := range tests {
			r := in.do(t, "GET", "/items?"+tt.query, "", false)
			if code, param := r.errorCode(); r.status != 400 || code != "invalid_parameter" || param != tt.param {
				t.Errorf("GET /items?%.40s = %s, want 400 invalid_parameter for %s", tt.query, r, tt.param)
			}
		}
	})

	t.Run("get", func(t *testing.T) {
		var it Item
		decode(t, in.do(t, "GET", "/items/"+strconv.Itoa(s.seed), "", false), 200, &it)
		if it.ID != int64(s.seed) {
			t.Errorf("GET /items/%d = %+v", s.seed, it)
		}
		for _, tt := range []struct {
			path   string
			status int
			code   string
		}{
			{"/items/" + strconv.Itoa(s.seed+1000), 404, "not_found"},
			{"/items/abc", 400, "invalid_parameter"},
			{"/items/0", 400, "invalid_parameter"},
			{"/items/-1", 400, "invalid_parameter"},
			{"/items/+1", 400, "invalid_parameter"},
			{"/items/99999999999999999999", 400, "invalid_parameter"},
			{"/nothing-here", 404, "not_found"},
		} {
			r := in.do(t, "GET", tt.path, "", false)
			if code, _ := r.errorCode(); r.status != tt.status || code != tt.code {
				t.Errorf("GET %s = %s, want %d %s", tt.path, r, tt.status, tt.code)
			}
		}
		r := in.do(t, "DELETE", "/items/1", "", false)
		if code, _ := r.errorCode(); r.status != 405 || code != "method_not_allowed" || !strings.Contains(r.header.Get("Allow"), "PUT") {
			t.Errorf("DELETE /items/1 = %s (Allow %q), want 405 method_not_allowed", r, r.header.Get("Allow"))
		}
	})

	t.Run("session", func(t *testing.T) {
		saved := in.cookie
		in.cookie = nil
		defer func() {
			if in.cookie == nil {
				in.cookie = saved
			}
		}()
		for _, tt := range []struct {
			method, path, body string
			status             int
			code               string
		}{
			{"GET", "/me", "", 401, "unauthorized"},
			{"GET", "/debug/config", "", 401, "unauthorized"},
			{"PUT", "/items/1", `{"name":"x","price_cents":1}`, 401, "unauthorized"},
			{"POST", "/items", `{"name":"x","price_cents":1}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"not-the-token"}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":""}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"` + s.adminToken + `x"}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"x","admin":true}`, 400, "bad_request"},
			{"POST", "/login", `{"token":`, 400, "bad_request"},
		} {
			r := in.do(t, tt.method, tt.path, tt.body, false)
			if code, _ := r.errorCode(); r.status != tt.status || code != tt.code {
				t.Errorf("%s %s without a session = %s, want %d %s", tt.method, tt.path, r, tt.status, tt.code)
			}
			if len(r.header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s %s without a session set a cookie: %v", tt.method, tt.path, r.header.Values("Set-Cookie"))
			}
		}
		// A forged cookie is no session.
		in.cookie = &http.Cookie{Name: "session", Value: "v1.eyJ1c2VyIjoiYWRtaW4ifQ.AAABnJ.AAAA"}
		if s.hardened {
			in.cookie.Name = "__Host-session"
		}
		if r := in.do(t, "GET", "/me", "", true); r.status != 401 {
			t.Errorf("GET /me with a forged cookie = %s, want 401", r)
		}
		in.cookie = nil
		in.login(t, s.adminToken)
		if s.hardened && (!in.cookie.Secure || in.cookie.Name != "__Host-session") {
			t.Errorf("production cookie %s: want Secure and named __Host-session", in.cookie.Name)
		}
		var me struct {
			User  string    `json:"user"`
			Since time.Time `json:"since"`
		}
		decode(t, in.do(t, "GET", "/me", "", true), 200, &me)
		if me.User != "admin" || time.Since(me.Since) > time.Minute {
			t.Errorf("GET /me = %+v, want user admin since now", me)
		}
		if r := in.do(t, "POST", "/logout", "", true); r.status != 415 {
			t.Errorf("POST /logout without a Content-Type = %s, want 415: a form of another site could log out", r)
		}
		r := in.do(t, "POST", "/logout", "{}", true)
		if r.status != 204 || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), "Max-Age=0") {
			t.Errorf("POST /logout = %s %v, want 204 and a cookie deleted", r, r.header.Values("Set-Cookie"))
		}
	})
	if in.cookie == nil {
		in.login(t, s.adminToken)
	}

	t.Run("debug endpoints need a session in production", func(t *testing.T) {
		saved := in.cookie
		in.cookie = nil
		defer func() { in.cookie = saved }()
		for _, p := range []string{"/debug/cache", "/debug/db"} {
			r := in.do(t, "GET", p, "", true)
			if want := map[bool]int{true: 401, false: 200}[s.hardened]; r.status != want {
				t.Errorf("GET %s without a session = %s, want %d", p, r, want)
			}
		}
	})

	t.Run("cache hit after first read", func(t *testing.T) {
		path := "/items/" + strconv.Itoa(s.seed/2)
		before, q0 := in.cacheStats(t), in.queries(t)
		var first, second Item
		decode(t, in.do(t, "GET", path, "", false), 200, &first)
		mid, q1 := in.cacheStats(t), in.queries(t)
		decode(t, in.do(t, "GET", path, "", false), 200, &second)
		after, q2 := in.cacheStats(t), in.queries(t)
		if mid.Misses != before.Misses+1 || mid.Loads != before.Loads+1 || mid.Hits != before.Hits {
			t.Errorf("first GET: stats %+v -> %+v, want one miss and one load", before, mid)
		}
		if after.Hits != mid.Hits+1 || after.Misses != mid.Misses || after.Loads != mid.Loads {
			t.Errorf("second GET: stats %+v -> %+v, want one hit", mid, after)
		}
		if q1 != q0+1 || q2 != q1 {
			t.Errorf("queries %d -> %d -> %d, want one for the first GET and none for the second", q0, q1, q2)
		}
		if !first.UpdatedAt.Equal(second.UpdatedAt) || first != second {
			t.Errorf("cached item %+v differs from loaded %+v", second, first)
		}
		if after.Backend != s.backend || after.Ratio <= 0 {
			t.Errorf("GET /debug/cache = %+v, want backend %s and a hit ratio", after, s.backend)
		}
	})

	t.Run("invalidation after write", func(t *testing.T) {
		path := "/items/" + strconv.Itoa(s.seed/3)
		var old Item
		decode(t, in.do(t, "GET", path, "", false), 200, &old)
		decode(t, in.do(t, "GET", path, "", false), 200, &old) // cached
		name := "renamed " + randomText(t, 6)
		var put Item
		decode(t, in.do(t, "PUT", path, `{"name":"`+name+`","price_cents":1234}`, true), 200, &put)
		if put.ID != old.ID || put.Name != name || put.PriceCents != 1234 || !put.UpdatedAt.After(old.UpdatedAt) {
			t.Errorf("PUT %s = %+v, want the new values and a later updated_at than %v", path, put, old.UpdatedAt)
		}
		var got Item
		decode(t, in.do(t, "GET", path, "", false), 200, &got)
		if got != put || !got.UpdatedAt.Equal(put.UpdatedAt) {
			t.Errorf("GET after PUT = %+v, want %+v", got, put)
		}
		if r := in.do(t, "PUT", "/items/"+strconv.Itoa(s.seed+1000), `{"name":"x","price_cents":1}`, true); r.status != 404 {
			t.Errorf("PUT of a missing item = %s, want 404", r)
		}
	})

	t.Run("create", func(t *testing.T) {
		missing := "/items/" + strconv.Itoa(s.seed+1)
		if r := in.do(t, "GET", missing, "", false); r.status != 404 {
			t.Fatalf("GET %s before create = %s, want 404", missing, r) // and cached as not found
		}
		r := in.do(t, "POST", "/items", `{"name":"brand new","price_cents":0}`, true)
		var it Item
		decode(t, r, 201, &it)
		if loc := r.header.Get("Location"); loc != "/items/"+strconv.FormatInt(it.ID, 10) || it.Name != "brand new" {
			t.Errorf("POST /items = %+v, Location %q", it, loc)
		}
		var got Item
		decode(t, in.do(t, "GET", r.header.Get("Location"), "", false), 200, &got)
		if got != it {
			t.Errorf("GET %s = %+v, want %+v", r.header.Get("Location"), got, it)
		}
	})

	t.Run("write validation", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 70<<10) + `","price_cents":1}`
		tests := []struct {
			name, method, body, ctype string
			status                    int
			code, param               string
		}{
			{"empty name", "PUT", `{"name":"","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"long name", "PUT", `{"name":"` + strings.Repeat("é", 101) + `","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"control character", "PUT", `{"name":"a\u0007b","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"negative price", "PUT", `{"name":"a","price_cents":-1}`, "", 400, "invalid_parameter", "price_cents"},
			{"huge price", "PUT", `{"name":"a","price_cents":1000000000001}`, "", 400, "invalid_parameter", "price_cents"},
			{"price as text", "PUT", `{"name":"a","price_cents":"1"}`, "", 400, "invalid_parameter", "price_cents"},
			{"missing price", "POST", `{"name":"a"}`, "", 400, "invalid_parameter", "price_cents"},
			{"unknown field", "POST", `{"name":"a","price_cents":1,"id":5}`, "", 400, "bad_request", ""},
			{"two values", "POST", `{"name":"a","price_cents":1}{}`, "", 400, "bad_request", ""},
			{"not JSON", "POST", `name=a`, "", 400, "bad_request", ""},
			{"too large", "POST", big, "", 413, "payload_too_large", ""},
			{"form", "POST", `{"name":"a","price_cents":1}`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		}
		for _, tt := range tests {
			path := "/items"
			if tt.method == "PUT" {
				path = "/items/1"
			}
			req, _ := http.NewRequest(tt.method, in.base+path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", cmp.Or(tt.ctype, "application/json"))
			req.AddCookie(&http.Cookie{Name: in.cookie.Name, Value: in.cookie.Value})
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := response{status: resp.StatusCode, header: resp.Header, body: b}
			if code, param := r.errorCode(); r.status != tt.status || code != tt.code || param != tt.param {
				t.Errorf("%s: %s %s = %s, want %d %s %q", tt.name, tt.method, path, r, tt.status, tt.code, tt.param)
			}
		}
	})

	t.Run("debug", func(t *testing.T) {
		var db storeStats
		decode(t, in.do(t, "GET", "/debug/db", "", true), 200, &db)
		if db.Driver != s.driver || db.Queries == 0 || db.OpenConns < 1 {
			t.Errorf("GET /debug/db = %+v, want driver %s", db, s.driver)
		}
		// /debug/config is "itemsapi config print --format json" of the
		// same environment.
		var got, want map[string]any
		decode(t, in.do(t, "GET", "/debug/config", "", true), 200, &got)
		// and the fingerprint report (configfingerprint_test.go tests it).
		if fp, ok := got["fingerprint"].(map[string]any); !ok || fp["version"] != 1.0 {
			t.Errorf("GET /debug/config fingerprint = %v, want a report of version 1", got["fingerprint"])
		}
		delete(got, "fingerprint")
		stdout, stderr, code := runCommand(t, in.dir, in.env, "config", "print", "--format", "json")
		if code != 0 {
			t.Fatalf("config print: status %d\n%s", code, stderr)
		}
		if err := json.Unmarshal([]byte(stdout), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET /debug/config = %v\nwant (config print --format json) %v", got, want)
		}
		vars := map[string]map[string]any{}
		for _, v := range got["vars"].([]any) {
			vars[v.(map[string]any)["name"].(string)] = v.(map[string]any)
		}
		for _, name := range []string{"SECRET_KEY", "ADMIN_TOKEN"} {
			if v := vars[name]; v["secret"] != true || v["value"] != "[redacted]" && v["set"] == true {
				t.Errorf("/debug/config %s = %v, want a redacted secret", name, v)
			}
		}
		checkNoLeak(t, "config print", stdout+stderr, in.secrets)
	})
}

const seedItems = 250

// TestSQLite runs the suite on the default set-up: SQLite and the
// in-process cache, development profile.
func TestSQLite(t *testing.T) {
	t.Parallel()
	token, key := randomText(t, 32), randomText(t, 48)
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"SEED_ITEMS":   strconv.Itoa(seedItems),
		"DATABASE_URL": "sqlite:items.db",
		"ADMIN_TOKEN":  token,
		"SECRET_KEY":   key,
	}, token, key)
	suite{seed: seedItems, driver: "sqlite", backend: "memory", adminToken: token}.run(t, in)
}

// TestSQLiteDefaults starts the service as the README does, with no
// variable at all, and logs in with the development token.
func TestSQLiteDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := start(t, "itemsapi", dir, map[string]string{"SEED_ITEMS": "30"})
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err != nil {
		t.Errorf("no app.db in the working directory: %v", err)
	}
	suite{seed: 30, driver: "sqlite", backend: "memory", adminToken: devAdminToken}.run(t, in)
}

// TestProductionSQLite runs the suite under the production profile:
// JSON logs, Secure cookies, debug endpoints behind the session; the
// warnings about SQLite and the in-process cache do not stop start-up.
func TestProductionSQLite(t *testing.T) {
	t.Parallel()
	token, key := randomText(t, 32), randomText(t, 48)
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"APP_ENV":      "production",
		"SEED_ITEMS":   strconv.Itoa(seedItems),
		"DATABASE_URL": "sqlite:items.db",
		"ADMIN_TOKEN":  token,
		"SECRET_KEY":   key,
	}, token, key)
	suite{seed: seedItems, driver: "sqlite", backend: "memory", adminToken: token, hardened: true}.run(t, in)
	logs := in.output()
	if !strings.Contains(logs, `"msg":"request"`) || !strings.Contains(logs, `"check":"PR-W041"`) {
		t.Errorf("production logs: want JSON access logs and the PR-W041 warning:\n%.2000s", logs)
	}
}

// postgresEnv returns the production environment of an instance on the
// PostgreSQL database dbURL and the shared Redis, in namespace ns, and the
// secrets in it: SECRET_KEY, ADMIN_TOKEN and a password in DATABASE_URL,
// which the server ignores (trust authentication) and which must show
// nowhere.
func postgresEnv(t *testing.T, dbURL, redisURL, ns string) (map[string]string, []string) {
	t.Helper()
	key, token, password := randomText(t, 48), randomText(t, 32), randomText(t, 24)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return map[string]string{
		"APP_ENV":         "production",
		"SECRET_KEY":      key,
		"ADMIN_TOKEN":     token,
		"DATABASE_URL":    u.String(), // sslmode=disable: warning PR-W042, which must not stop start-up
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       redisURL,
		"CACHE_NAMESPACE": ns,
		"SEED_ITEMS":      strconv.Itoa(seedItems),
	}, []string{key, token, password}
}

// TestPostgresRedis runs the suite on PostgreSQL and Redis under the
// production profile.
func TestPostgresRedis(t *testing.T) {
	t.Parallel()
	env, secrets := postgresEnv(t, testserver.PostgresDatabase(t), testserver.Redis(t), testserver.Namespace(t))
	in := start(t, "itemsapi", t.TempDir(), env, secrets...)
	suite{seed: seedItems, driver: "postgres", backend: "redis", adminToken: env["ADMIN_TOKEN"], hardened: true}.run(t, in)
	if logs := in.output(); !strings.Contains(logs, `"check":"PR-W042"`) {
		t.Errorf("logs lack the PR-W042 warning (sslmode=disable):\n%.2000s", logs)
	}
}

// TestCacheOff runs with CACHE_ITEMS=false, the load test's baseline:
// every read goes to the database and the cache counts nothing.
func TestCacheOff(t *testing.T) {
	t.Parallel()
	in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "20", "CACHE_ITEMS": "false"})
	before, q0 := in.cacheStats(t), in.queries(t)
	for range 3 {
		decode(t, in.do(t, "GET", "/items/7", "", false), 200, nil)
	}
	if r := in.do(t, "GET", "/items/21", "", false); r.status != 404 {
		t.Errorf("GET /items/21 = %s, want 404", r)
	}
	after, q1 := in.cacheStats(t), in.queries(t)
	if q1 != q0+4 {
		t.Errorf("queries %d -> %d, want one per read (4)", q0, q1)
	}
	if after != before {
		t.Errorf("cache stats %+v -> %+v, want no change", before, after)
	}
}
