package prodready_test

import (
	"context"
	"fmt"
	"log"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// A []struct or map[string]struct field with a prefix tag is a group: a
// list of elements numbered from 0 (UPSTREAM_0_HOST, UPSTREAM_1_HOST...),
// or a set named by keys (POOL_EU_WEST_HOST: key eu_west), each element a
// struct of variables with its own defaults, requirements and secrets. A
// config file gives the same groups as lists and maps of objects; the
// environment overrides one element field at a time.
func ExampleLoad_groups() {
	type Upstream struct {
		Host  string           `env:"HOST" required:"true"`
		Port  int              `env:"PORT" default:"80"`
		Token prodready.Secret `env:"TOKEN"`
	}
	type Config struct {
		Upstreams []Upstream          `prefix:"UPSTREAM_" doc:"backends, in order of preference"`
		Pools     map[string]Upstream `prefix:"POOL_"`
	}
	files := fstest.MapFS{"app.yaml": {Data: []byte(`
upstream:
  - host: a.internal
  - host: b.internal
    port: 8080
pool:
  primary:
    host: db1.internal
`)}}
	env := prodready.MapEnv{
		"UPSTREAM_1_PORT":   "9090", // overrides the file's port of element 1
		"UPSTREAM_2_HOST":   "c.internal",
		"UPSTREAM_2_TOKEN":  "s3cr3t-token-value",
		"POOL_EU_WEST_HOST": "db2.internal", // key eu_west: PORT and HOST are the field names
	}
	var cfg Config
	rep, err := prodready.LoadWithReport(context.Background(), &cfg, &prodready.Options{
		Env: env, FS: files, ConfigFiles: []string{"app.yaml"}, NoDotEnv: true, Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, u := range cfg.Upstreams {
		fmt.Println(i, u.Host, u.Port, u.Token)
	}
	fmt.Println(cfg.Pools["primary"].Host, cfg.Pools["eu_west"].Host, cfg.Pools["eu_west"].Port)
	for _, name := range []string{"UPSTREAM_1_HOST", "UPSTREAM_1_PORT", "UPSTREAM_2_TOKEN", "POOL_EU_WEST_PORT"} {
		v, _ := rep.Var(name)
		fmt.Printf("%s=%s (%s)\n", v.Name, v.Value, v.Origin)
	}
	// Output:
	// 0 a.internal 80 [redacted]
	// 1 b.internal 9090 [redacted]
	// 2 c.internal 80 [redacted]
	// db1.internal db2.internal 80
	// UPSTREAM_1_HOST=b.internal (app.yaml:4)
	// UPSTREAM_1_PORT=9090 (env)
	// UPSTREAM_2_TOKEN=[redacted] (env)
	// POOL_EU_WEST_PORT=80 (default)
}
