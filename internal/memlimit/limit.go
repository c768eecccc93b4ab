package memlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// File names inside the root file system passed to Limit.
const (
	procSelfCgroup = "proc/self/cgroup"
	procMeminfo    = "proc/meminfo"
	cgroupRoot     = "sys/fs/cgroup"
	cgroupV1Memory = "sys/fs/cgroup/memory"
	v2LimitFile    = "memory.max"
	v1LimitFile    = "memory.limit_in_bytes"
)

// unlimitedThreshold is the value from which a cgroup limit counts as "no
// limit". cgroup v1 reports an unset limit as a page-rounded
// math.MaxInt64, such as 9223372036854771712.
const unlimitedThreshold = int64(1) << 62

// Limit returns the memory available to the process in bytes and where that
// number came from: "cgroup v2 /sys/fs/cgroup/<path>/memory.max",
// "cgroup v1 /sys/fs/cgroup/memory/<path>/memory.limit_in_bytes" or
// "/proc/meminfo MemTotal".
//
// fsys is the root file system: os.DirFS("/") in production, an
// fstest.MapFS in tests. Paths inside it have no leading slash, such as
// "proc/self/cgroup".
//
// Limit looks at, in order:
//
//   - cgroup v2: the "0::/path" line of proc/self/cgroup names the cgroup;
//     Limit reads sys/fs/cgroup/<path>/memory.max and the memory.max of every
//     parent directory up to sys/fs/cgroup, since a parent's limit applies
//     to its children too. "max" means no limit at that level.
//   - cgroup v1: the proc/self/cgroup line whose controller list contains
//     "memory" names the cgroup; Limit reads
//     sys/fs/cgroup/memory/<path>/memory.limit_in_bytes and that of every
//     parent directory, down to sys/fs/cgroup/memory/memory.limit_in_bytes.
//   - MemTotal in proc/meminfo.
//
// If proc/self/cgroup cannot be read, only the top-level files
// sys/fs/cgroup/memory.max and sys/fs/cgroup/memory/memory.limit_in_bytes
// are tried, which is where a container with its own cgroup namespace sees
// its limit. A cgroup value of 1<<62 or more, 0, or more than MemTotal means
// no limit. Files that are missing or hold garbage are skipped.
//
// The result is the smallest limit found, and never more than MemTotal when
// MemTotal is readable. Limit returns an error, naming every file it tried,
// only when it found no limit and could not read MemTotal.
func Limit(fsys fs.FS) (bytes int64, source string, err error) {
	var tried []string
	note := func(name, what string) {
		tried = append(tried, "/"+name+": "+what)
	}

	memTotal, memErr := readMemTotal(fsys)
	if memErr != nil {
		note(procMeminfo, memErr.Error())
	}

	var (
		best       int64 = -1
		bestSource string
	)
	consider := func(name, label string) {
		n, err := readCgroupLimit(fsys, name)
		switch {
		case err != nil:
			note(name, err.Error())
		case n <= 0 || n >= unlimitedThreshold:
			note(name, "no limit")
		case memErr == nil && n > memTotal:
			note(name, "more than MemTotal, no limit")
		case best < 0 || n < best:
			best, bestSource = n, label+" /"+name
		}
	}

	v2Path, v1Path, cgErr := readProcCgroup(fsys)
	if cgErr != nil {
		note(procSelfCgroup, cgErr.Error())
		v2Path, v1Path = "/", "/"
	}
	if v2Path != "" {
		for _, dir := range ancestors(v2Path) {
			consider(path.Join(cgroupRoot, dir, v2LimitFile), "cgroup v2")
		}
	}
	if v1Path != "" {
		for _, dir := range ancestors(v1Path) {
			consider(path.Join(cgroupV1Memory, dir, v1LimitFile), "cgroup v1")
		}
	}

	switch {
	case best > 0 && (memErr != nil || best <= memTotal):
		return best, bestSource, nil
	case memErr == nil:
		return memTotal, "/proc/meminfo MemTotal", nil
	}
	return 0, "", fmt.Errorf("no memory limit found: tried %s", strings.Join(tried, "; "))
}

// readProcCgroup returns the cgroup v2 path and the cgroup v1 memory
// controller path from proc/self/cgroup. Either is "" when there is no such
// line. Lines have the form "hierarchy-ID:controller-list:cgroup-path".
func readProcCgroup(fsys fs.FS) (v2Path, v1Path string, err error) {
	data, err := readFile(fsys, procSelfCgroup)
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.SplitN(line, ":", 3)
		if len(fields) != 3 || fields[2] == "" {
			continue
		}
		id, controllers, p := fields[0], fields[1], fields[2]
		if id == "0" && controllers == "" {
			if v2Path == "" {
				v2Path = p
			}
			continue
		}
		for _, c := range strings.Split(controllers, ",") {
			if c == "memory" && v1Path == "" {
				v1Path = p
			}
		}
	}
	if v2Path == "" && v1Path == "" {
		return "", "", errors.New("no cgroup v2 or memory controller line")
	}
	return v2Path, v1Path, nil
}

// ancestors returns the directories of cgroup path p relative to the
// hierarchy root, from p itself up to the root ".". A path that is not
// absolute or that climbs out of the root with ".." (as a cgroup outside the
// process's cgroup namespace is shown) yields only the root.
func ancestors(p string) []string {
	if !strings.HasPrefix(p, "/") {
		return []string{"."}
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return []string{"."}
		}
	}
	rel := strings.TrimPrefix(path.Clean(p), "/")
	if rel == "" || !fs.ValidPath(rel) {
		return []string{"."}
	}
	var dirs []string
	for {
		dirs = append(dirs, rel)
		if rel == "." {
			return dirs
		}
		rel = path.Dir(rel)
	}
}

// readCgroupLimit reads a memory.max or memory.limit_in_bytes file. It
// returns 0 for "max".
func readCgroupLimit(fsys fs.FS, name string) (int64, error) {
	data, err := readFile(fsys, name)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a byte count or \"max\", got %q", truncate(s))
	}
	return n, nil
}

// readMemTotal returns MemTotal from proc/meminfo in bytes.
func readMemTotal(fsys fs.FS) (int64, error) {
	data, err := readFile(fsys, procMeminfo)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "MemTotal:" {
			continue
		}
		if len(fields) != 3 || fields[2] != "kB" {
			return 0, fmt.Errorf("want a line like \"MemTotal: 16384 kB\", got %q", truncate(line))
		}
		kb, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil || kb <= 0 || kb > math.MaxInt64/1024 {
			return 0, fmt.Errorf("want a positive number of kB for MemTotal, got %q", truncate(fields[1]))
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no MemTotal line")
}

// readFile reads a file and reports errors without repeating its name.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	data, err := fs.ReadFile(fsys, name)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	return data, err
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const maxLen = 40
	if len(s) <= maxLen {
		return s
	}
	return s[:maxLen] + "..."
}
