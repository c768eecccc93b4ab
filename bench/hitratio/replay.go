package hitratio

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A Row is the hit ratios, in percent, of each cache at one size.
type Row struct {
	Size   int
	Ratios []float64 // in the order of the makers, then OPT
}

// Replay runs trace through a cache of each maker at each size, side by
// side (each request goes to every cache before the next), and computes
// OPT. The key of each request is built once and shared.
func Replay(trace []uint64, sizes []int, makers []Maker, opt bool) ([]Row, error) {
	rows := make([]Row, 0, len(sizes))
	for _, size := range sizes {
		ps := make([]Policy, len(makers))
		for i, m := range makers {
			p, err := m.New(size)
			if err != nil {
				for _, q := range ps[:i] {
					q.Close()
				}
				return nil, fmt.Errorf("%s, %d entries: %w", m.Name, size, err)
			}
			ps[i] = p
		}
		hits := make([]int, len(ps))
		for _, k := range trace {
			key := Key(k)
			for i, p := range ps {
				if p.Access(key) {
					hits[i]++
				}
			}
		}
		for _, p := range ps {
			p.Close()
		}
		row := Row{Size: size}
		for _, h := range hits {
			row.Ratios = append(row.Ratios, percent(h, len(trace)))
		}
		if opt {
			row.Ratios = append(row.Ratios, percent(OPT(trace, size), len(trace)))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func percent(hits, n int) float64 {
	if n == 0 {
		return 0
	}
	return 100 * float64(hits) / float64(n)
}

// Markdown writes rows as a table titled name, one column per cache.
func Markdown(w io.Writer, name string, makers []Maker, opt bool, rows []Row) {
	var b strings.Builder
	b.WriteString("| " + name + ", entries |")
	sep := "|---:|"
	for _, m := range makers {
		b.WriteString(" " + m.Name + " |")
		sep += "---:|"
	}
	if opt {
		b.WriteString(" OPT |")
		sep += "---:|"
	}
	fmt.Fprintln(w, b.String())
	fmt.Fprintln(w, sep)
	for _, r := range rows {
		b.Reset()
		b.WriteString("| " + thousands(r.Size) + " |")
		for _, x := range r.Ratios {
			fmt.Fprintf(&b, " %.2f |", x)
		}
		fmt.Fprintln(w, b.String())
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
