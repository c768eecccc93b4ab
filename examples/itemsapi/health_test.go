package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestDraining: after SIGTERM, GET /readyz answers 503 while the rest is
// served.
func TestDraining(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	h := s.handler()
	s.draining.Store(true)
	w := do(h, "GET", "/readyz", "", "")
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != http.StatusServiceUnavailable || err != nil || body["status"] != "draining" {
		t.Errorf("GET /readyz while draining = %d %s, want 503 draining", w.Code, w.Body)
	}
	if w := do(h, "GET", "/healthz", "", ""); w.Code != http.StatusOK {
		t.Errorf("GET /healthz while draining = %d, want 200", w.Code)
	}
}
