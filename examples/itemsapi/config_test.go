package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     prodready.MapEnv
		wantIDs []string
		wantErr bool
	}{
		{"development defaults", prodready.MapEnv{}, nil, false},
		{"production ready", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": testToken,
			"DATABASE_URL": "postgres://db/app?sslmode=require"}, nil, false},
		{"development token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": devAdminToken}, []string{"ITEMS-E001"}, true},
		{"short token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "Xy7"}, []string{"ITEMS-E001"}, true},
		{"short token in development", prodready.MapEnv{"ADMIN_TOKEN": "Xy7"}, nil, false},
		// The Trust issue: ADMIN_TOKEN had the key rule's holes; phrases,
		// sequences, repeats and bytes that are not UTF-8 passed.
		{"phrase token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "the quick brown fox jumps over the lazy dog"}, []string{"ITEMS-E001"}, true},
		{"sequence token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "abcdefghijklmnopqrstuvwxyz012345"}, []string{"ITEMS-E001"}, true},
		{"repeat token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "Summer2024!Summer2024!Summer2024!x"}, []string{"ITEMS-E001"}, true},
		{"0xFF token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": strings.Repeat("\xff", 32)}, []string{"ITEMS-E001"}, true},
		{"zero timeouts", prodready.MapEnv{"READ_TIMEOUT": "0s", "SHUTDOWN_TIMEOUT": "-1s"}, []string{"ITEMS-E002", "ITEMS-E002"}, true},
		{"negative seed", prodready.MapEnv{"SEED_ITEMS": "-5"}, []string{"ITEMS-E002"}, true},
		{"request timeout too long", prodready.MapEnv{"REQUEST_TIMEOUT": "10s"}, []string{"ITEMS-W003"}, false},
		{"negative drain", prodready.MapEnv{"SHUTDOWN_DRAIN": "-1s"}, []string{"ITEMS-E002"}, true},
		{"drain", prodready.MapEnv{"SHUTDOWN_DRAIN": "10s"}, nil, false},
		{"listen address without a port", prodready.MapEnv{"LISTEN_ADDR": "bogus"}, []string{"ITEMS-E004"}, true},
		{"listen port out of range", prodready.MapEnv{"LISTEN_ADDR": "127.0.0.1:70000"}, []string{"ITEMS-E004"}, true},
		{"listen port by name", prodready.MapEnv{"LISTEN_ADDR": "127.0.0.1:http"}, []string{"ITEMS-E004"}, true},
		{"development token on every interface", prodready.MapEnv{"LISTEN_ADDR": ":8080"}, []string{"ITEMS-E005"}, true},
		{"development token on a public address", prodready.MapEnv{"LISTEN_ADDR": "0.0.0.0:8080"}, []string{"ITEMS-E005"}, true},
		{"development token on IPv6 loopback", prodready.MapEnv{"LISTEN_ADDR": "[::1]:8080"}, nil, false},
		{"development token on localhost", prodready.MapEnv{"LISTEN_ADDR": "localhost:0"}, nil, false},
		{"own token on every interface", prodready.MapEnv{"LISTEN_ADDR": ":8080", "ADMIN_TOKEN": testToken}, nil, false},
		{"production on every interface", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": testToken,
			"DATABASE_URL": "postgres://db/app?sslmode=require", "LISTEN_ADDR": ":8080"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			opts := loadOptions(tt.env)
			opts.NoDotEnv = true
			opts.Logger = slog.New(slog.DiscardHandler)
			rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("LoadWithReport() error = %v, want error %v", err, tt.wantErr)
			}
			var ids []string
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.ID, "ITEMS-") {
					ids = append(ids, f.ID)
					if strings.Contains(f.Message, testToken) || strings.Contains(f.Message, devAdminToken) {
						t.Errorf("finding %s quotes the token: %s", f.ID, f.Message)
					}
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("service findings %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}
