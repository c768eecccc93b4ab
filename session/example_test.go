package session_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/session"
)

func ExampleManager_Middleware() {
	// A service passes its own configuration struct, loaded by
	// prodready.Load; a fixed key keeps the example's output stable.
	type Config struct {
		prodready.Base
		Extra string `env:"EXTRA"`
	}
	cfg := Config{Base: prodready.Base{
		AppEnv:    "production",
		SecretKey: prodready.NewSecret("an-example-key-of-43-characters-for-tests-1"),
	}}
	sessions, err := session.New(cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := sessions.Save(w, session.Values{"user": "42"}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		v, ok := session.FromContext(r.Context())
		if !ok {
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "user %s", v["user"])
	})
	srv := httptest.NewServer(sessions.Middleware(mux))
	defer srv.Close()

	resp, _ := http.Post(srv.URL+"/login", "", nil)
	resp.Body.Close()
	setCookie := resp.Header.Get("Set-Cookie")
	name, _, _ := strings.Cut(setCookie, "=")
	fmt.Println(name, strings.Join(strings.Split(setCookie, "; ")[1:], "; "))
	fmt.Println("Cache-Control:", resp.Header.Get("Cache-Control"), "Vary:", resp.Header.Get("Vary"))

	req, _ := http.NewRequest("GET", srv.URL+"/me", nil)
	req.AddCookie(resp.Cookies()[0])
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	// A tampered cookie is no session, never a server error.
	req.Header.Set("Cookie", sessions.CookieName()+"=v1.eyJ1c2VyIjoiMSJ9.AAAA.AAAA")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// __Host-session Path=/; Max-Age=1209600; HttpOnly; Secure; SameSite=Lax
	// Cache-Control: no-store Vary: Cookie
	// 200 user 42
	// 401
}
