package prodready_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// scrubHelper tells the test binary, re-executed, which part to play:
// "load" loads with Options.ScrubEnvironment and starts a child, "child"
// lists what it inherited.
const scrubHelper = "PRODREADY_TEST_SCRUB_HELPER"

const (
	scrubCanary = "CANARY-scrub-5d1e0f7a9b3c2846-do-not-inherit"
	scrubTest   = "^TestScrubEnvironmentHidesSecretsFromChildren$"
)

type scrubConfig struct {
	Token prodready.Secret    `env:"TOKEN"`
	DB    prodready.SecretURL `env:"DB_URL"`
	Key   prodready.Secret    `env:"KEY"` // from KEY_FILE
	Old   []prodready.Secret  `env:"OLD_KEYS"`
	Plain string              `env:"PLAIN"`
	Port  int                 `env:"PORT"`
	Peers []struct {
		Name  string           `env:"NAME"`
		Token prodready.Secret `env:"TOKEN"`
	} `prefix:"PEER_"`
}

// A service's secrets stayed in the process environment after Load, so
// every child it started inherited them (Trust issue). With
// ScrubEnvironment, a successful load unsets them: the test runs a service
// (this test binary, re-executed) that loads and starts a child (the binary
// again), which reports what it inherited.
func TestScrubEnvironmentHidesSecretsFromChildren(t *testing.T) {
	switch os.Getenv(scrubHelper) {
	case "load":
		scrubLoadAndSpawn()
		return
	case "child":
		scrubReportInherited()
		return
	}
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(scrubCanary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secretVars := []string{"PFX_TOKEN", "PFX_DB_URL", "PFX_KEY_FILE", "PFX_OLD_KEYS", "PFX_PEER_0_TOKEN"}
	tests := []struct {
		name        string
		scrub       bool
		port        string // "x" makes the load fail
		wantLoadErr bool
		wantChild   []string // the PFX_ variables the child inherits
	}{
		{"scrubbed after a successful load", true, "8080", false, []string{"PFX_PLAIN", "PFX_PORT", "PFX_PEER_0_NAME"}},
		{"left alone without the option", false, "8080", false, append([]string{"PFX_PLAIN", "PFX_PORT", "PFX_PEER_0_NAME"}, secretVars...)},
		{"left alone when the load fails", true, "x", true, append([]string{"PFX_PLAIN", "PFX_PORT", "PFX_PEER_0_NAME"}, secretVars...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run="+scrubTest)
			cmd.Env = []string{
				scrubHelper + "=load",
				fmt.Sprintf("SCRUB=%v", tt.scrub),
				"PFX_TOKEN=" + scrubCanary,
				"PFX_DB_URL=postgres://app:" + scrubCanary + "@db.internal:5432/app",
				"PFX_KEY_FILE=" + keyFile,
				"PFX_OLD_KEYS=" + scrubCanary + "-old",
				"PFX_PLAIN=visible",
				"PFX_PORT=" + tt.port,
				"PFX_PEER_0_NAME=peer",
				"PFX_PEER_0_TOKEN=" + scrubCanary + "-peer",
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			var inherited []string
			var loadFailed, childSawCanary, selfEnvironKeeps bool
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				k, v, _ := strings.Cut(sc.Text(), " ")
				switch k {
				case "child-inherits":
					inherited = append(inherited, v)
				case "child-sees-canary":
					childSawCanary = v == "true"
				case "load-failed":
					loadFailed = v == "true"
				case "self-environ-keeps-canary":
					selfEnvironKeeps = v == "true"
				}
			}
			slices.Sort(inherited)
			want := slices.Sorted(slices.Values(tt.wantChild))
			if !slices.Equal(inherited, want) {
				t.Errorf("child inherited %v, want %v\n%s", inherited, want, out)
			}
			if loadFailed != tt.wantLoadErr {
				t.Errorf("load failed = %v, want %v\n%s", loadFailed, tt.wantLoadErr, out)
			}
			if wantSee := !tt.scrub || tt.wantLoadErr; childSawCanary != wantSee {
				t.Errorf("child sees the secret in its environment or /proc/self/environ = %v, want %v", childSawCanary, wantSee)
			}
			// The documented limit of ScrubEnvironment: the kernel keeps
			// showing the environment the service started with in its
			// own /proc/<pid>/environ. If this fails, fix the doc.
			if runtime.GOOS == "linux" && !selfEnvironKeeps {
				t.Errorf("the service's /proc/self/environ no longer shows the secret: update the Options.ScrubEnvironment doc")
			}
		})
	}
}

// scrubLoadAndSpawn plays the service: it loads, then starts a child.
func scrubLoadAndSpawn() {
	var c scrubConfig
	o := &prodready.Options{
		Prefix:           "PFX_",
		ScrubEnvironment: os.Getenv("SCRUB") == "true",
		NoDotEnv:         true,
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	err := prodready.Load(context.Background(), &c, o)
	fmt.Printf("load-failed %v\n", err != nil)
	if err == nil && (c.Token.Reveal() != scrubCanary || c.Key.Reveal() != scrubCanary) {
		fmt.Println("secrets not loaded")
		os.Exit(1)
	}
	if b, err := os.ReadFile("/proc/self/environ"); err == nil {
		fmt.Printf("self-environ-keeps-canary %v\n", bytes.Contains(b, []byte(scrubCanary)))
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, scrubHelper+"=") {
			env = append(env, kv)
		}
	}
	child := exec.Command(os.Args[0], "-test.run="+scrubTest)
	child.Env = append(env, scrubHelper+"=child")
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Run(); err != nil {
		fmt.Println("child:", err)
		os.Exit(1)
	}
}

// scrubReportInherited plays the child: it lists the PFX_ variables it
// inherited and says whether the secret shows anywhere in its environment.
func scrubReportInherited() {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "PFX_") {
			fmt.Println("child-inherits", name)
		}
	}
	sees := strings.Contains(strings.Join(os.Environ(), "\n"), scrubCanary)
	if b, err := os.ReadFile("/proc/self/environ"); err == nil && bytes.Contains(b, []byte(scrubCanary)) {
		sees = true
	}
	fmt.Printf("child-sees-canary %v\n", sees)
}
