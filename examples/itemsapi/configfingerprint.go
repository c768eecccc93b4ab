package main

import (
	"encoding/json"
	"sync"

	"github.com/prodready/prodready/cli"
)

// configFingerprint is the configuration's fingerprint report, as
// "itemsapi config fingerprint --json" prints it: the fingerprint and a
// digest per variable (secrets keyed by SECRET_KEY, revealing nothing), so
// that "prodready diff" tells which variables differ between two replicas.
//
// It costs an argon2id derivation, 0.2 to 0.8 s of one core and 64 MiB:
// start-up does not wait for it. serve starts it in the background once
// the server listens (logConfigFingerprint), and GET /debug/config, which
// shows it, waits for it only in the first second or so after start-up.
// Load never computes it.
type configFingerprint struct {
	once   sync.Once
	report json.RawMessage
	err    error
}

// configFingerprint returns the report, computing it on the first call.
func (s *server) configFingerprint() (json.RawMessage, error) {
	s.cfgFP.once.Do(func() {
		s.cfgFP.report, s.cfgFP.err = cli.FingerprintJSON(s.cfg, s.report, "")
	})
	return s.cfgFP.report, s.cfgFP.err
}

// logConfigFingerprint logs the fingerprint, once, at start-up: two
// replicas that log different ones have different configurations, and
// their GET /debug/config say which variables differ.
func (s *server) logConfigFingerprint() {
	report, err := s.configFingerprint()
	var r struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err == nil {
		err = json.Unmarshal(report, &r)
	}
	if err != nil {
		s.logger.Error("configuration fingerprint", "err", err)
		return
	}
	s.logger.Info("configuration fingerprint", "fingerprint", r.Fingerprint)
}

// fpJSON is the type of GET /debug/config's "fingerprint" member.
type fpJSON = json.RawMessage

// debugConfigFingerprint is the "fingerprint" member of GET /debug/config:
// the report, or null when it cannot be computed.
func (s *server) debugConfigFingerprint() fpJSON {
	report, err := s.configFingerprint()
	if err != nil {
		return nil
	}
	return report
}
