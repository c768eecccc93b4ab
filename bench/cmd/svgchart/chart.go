package main

import (
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
)

const (
	width      = 960
	height     = 720
	panelW     = 440
	panelH     = 250
	plotLeft   = 64 // inside a panel: room for the y tick labels
	plotTop    = 34 // room for the panel title
	plotBottom = 40 // room for the database names
	colorOff   = "#a0a0a0"
	colorOn    = "#2b6cb0"
)

// A metric is one panel.
type metric struct {
	title string
	value func(Scenario) float64
}

var metrics = []metric{
	{"p50 latency, ms (lower is better)", func(s Scenario) float64 { return s.P50ms }},
	{"p99 latency, ms (lower is better)", func(s Scenario) float64 { return s.P99ms }},
	{"throughput, requests/s (higher is better)", func(s Scenario) float64 { return s.RPS }},
	{"DB queries per request (lower is better)", func(s Scenario) float64 { return s.QueriesPerRequest }},
}

// niceTicks returns tick values from 0 to at least max, about n steps of
// 1, 2 or 5 times a power of ten.
func niceTicks(max float64, n int) []float64 {
	if !(max > 0) || math.IsInf(max, 0) {
		return []float64{0, 1}
	}
	raw := max / float64(n)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := pow * 10
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		v := float64(i) * step
		ticks = append(ticks, v)
		if v >= max {
			return ticks
		}
	}
}

// format prints v with about three significant digits.
func format(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a == 0:
		return "0"
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// formatTick prints tick t with as many decimals as the step needs.
func formatTick(t, step float64) string {
	d := 0
	for d < 6 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9 {
		d++
	}
	return fmt.Sprintf("%.*f", d, t)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func displayName(db string) string {
	switch db {
	case "sqlite":
		return "SQLite"
	case "postgres":
		return "PostgreSQL"
	}
	return db
}

// databases returns the databases of rs in order of first appearance.
func databases(rs []Scenario) []string {
	var dbs []string
	for _, s := range rs {
		if !slices.Contains(dbs, s.Database) {
			dbs = append(dbs, s.Database)
		}
	}
	return dbs
}

func find(rs []Scenario, db string, cache bool) (Scenario, bool) {
	i := slices.IndexFunc(rs, func(s Scenario) bool { return s.Database == db && s.Cache == cache })
	if i < 0 {
		return Scenario{}, false
	}
	return rs[i], true
}

// render returns the whole SVG document.
func render(r Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="26" text-anchor="middle" font-size="17" font-weight="bold">%s</text>`+"\n", width/2,
		esc("examples/itemsapi under load: item cache off vs on"))
	sub := fmt.Sprintf("GET /items/{id}, Zipf s=%g over %d items, %d requests per scenario, concurrency %d",
		r.Settings.ZipfS, r.Settings.Items, r.Settings.Requests, r.Settings.Concurrency)
	if r.Settings.WriteShare > 0 {
		sub += fmt.Sprintf(", %.0f%% writes", 100*r.Settings.WriteShare)
	}
	if r.Settings.Rounds > 1 {
		sub += fmt.Sprintf(", medians of %d rounds", r.Settings.Rounds)
	}
	fmt.Fprintf(&b, `<text x="%d" y="46" text-anchor="middle" fill="#333333">%s</text>`+"\n", width/2, esc(sub))

	// Legend.
	lx := width/2 - 150
	fmt.Fprintf(&b, `<g id="legend"><rect x="%d" y="58" width="14" height="14" fill="%s"/><text x="%d" y="70">cache off (CACHE_ITEMS=false)</text>`, lx, colorOff, lx+20)
	fmt.Fprintf(&b, `<rect x="%d" y="58" width="14" height="14" fill="%s"/><text x="%d" y="70">cache on</text></g>`+"\n", lx+230, colorOn, lx+250)

	dbs := databases(r.Scenarios)
	for i, m := range metrics {
		x0 := 30 + (i%2)*(panelW+30)
		y0 := 90 + (i/2)*(panelH+40)
		panel(&b, r.Scenarios, dbs, m, x0, y0)
	}

	// Footer: hit ratios and the machine.
	var hits []string
	for _, db := range dbs {
		if s, ok := find(r.Scenarios, db, true); ok {
			hits = append(hits, fmt.Sprintf("%s %.1f%%", displayName(db), 100*s.HitRatio))
		}
	}
	foot := "cache hit ratio in the measured window: " + strings.Join(hits, ", ")
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#333333">%s</text>`+"\n", width/2, height-32, esc(foot))
	machine := fmt.Sprintf("%d shared CPU cores, load average %s at the start (%s); compare on vs off, not absolute values",
		r.CPUs, r.LoadBefore, r.Started)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#666666" font-size="11">%s</text>`+"\n", width/2, height-14, esc(machine))
	b.WriteString("</svg>\n")
	return b.String()
}

// panel draws one metric at (x0, y0).
func panel(b *strings.Builder, rs []Scenario, dbs []string, m metric, x0, y0 int) {
	plotW := panelW - plotLeft - 10
	plotH := panelH - plotTop - plotBottom
	px, py := x0+plotLeft, y0+plotTop // top-left of the plot area
	maxV := 0.0
	for _, s := range rs {
		maxV = max(maxV, m.value(s))
	}
	ticks := niceTicks(maxV*1.08, 4) // room above the tallest bar for its label
	top := ticks[len(ticks)-1]
	yOf := func(v float64) float64 { return float64(py+plotH) - v/top*float64(plotH) }

	fmt.Fprintf(b, `<g class="panel">`+"\n")
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", x0, y0+16, esc(m.title))
	step := 0.0
	if len(ticks) > 1 {
		step = ticks[1]
	}
	for _, t := range ticks {
		y := yOf(t)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e2e2e2"/>`, px, y, px+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" fill="#555555">%s</text>`+"\n", px-6, y+4, esc(formatTick(t, step)))
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`, px, py, px, py+plotH)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`+"\n", px, py+plotH, px+plotW, py+plotH)

	groupW := float64(plotW) / float64(max(len(dbs), 1))
	barW := min(groupW/3, 70)
	for g, db := range dbs {
		cx := float64(px) + groupW*(float64(g)+0.5)
		for j, cache := range []bool{false, true} {
			x := cx - barW - 2 + float64(j)*(barW+4)
			color := colorOff
			if cache {
				color = colorOn
			}
			s, ok := find(rs, db, cache)
			if !ok {
				fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#999999">n/a</text>`+"\n", x+barW/2, py+plotH-4)
				continue
			}
			v := m.value(s)
			y := yOf(v)
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, cache %s: %s</title></rect>`,
				x, y, barW, float64(py+plotH)-y, color, esc(displayName(db)), onOff(cache), esc(format(v)))
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">%s</text>`+"\n", x+barW/2, y-4, esc(format(v)))
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="13">%s</text>`+"\n", cx, py+plotH+20, esc(displayName(db)))
	}
	b.WriteString("</g>\n")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
