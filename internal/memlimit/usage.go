package memlimit

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Usage file names: cgroup v2 keeps the usage in memory.current and the
// page cache in memory.stat (inactive_file); v1 in memory.usage_in_bytes
// and memory.stat (total_inactive_file).
const (
	v2UsageFile = "memory.current"
	v1UsageFile = "memory.usage_in_bytes"
	statFile    = "memory.stat"
)

// A Level is one cgroup directory, the process's own or an ancestor, that
// has a memory limit: the limit applies to everything under it, so the
// process can run out of memory at any such level.
type Level struct {
	// File is the limit file, as Limit names it in its source:
	// "cgroup v2 /sys/fs/cgroup/<path>/memory.max".
	File string
	// Limit is the limit in bytes.
	Limit int64
	// Usage is the memory the level uses, page cache included; -1 when
	// its usage file cannot be read.
	Usage int64
	// InactiveFile is the page cache the kernel reclaims first, before it
	// counts the level as out of memory; 0 when memory.stat cannot be
	// read.
	InactiveFile int64
}

// WorkingSet is Usage minus InactiveFile (as the kubelet computes it for
// its eviction decisions): the memory the level cannot give back without
// reclaiming anonymous memory. It is -1 when Usage is unknown.
func (l Level) WorkingSet() int64 {
	if l.Usage < 0 {
		return -1
	}
	return max(l.Usage-l.InactiveFile, 0)
}

// Levels returns every cgroup level above the process (its own included)
// that has a memory limit, with its usage, from the process's own cgroup
// up: cgroup v2 first, then v1. fsys is the root file system, as for
// Limit. A level whose limit is "max", missing, garbage, 0 or 1<<62 and
// more has no limit and is left out; no level at all (no container limit,
// or no cgroup) is an empty result, not an error. The files are read anew
// at each call: usage changes.
func Levels(fsys fs.FS) []Level {
	v2Path, v1Path, err := readProcCgroup(fsys)
	if err != nil {
		v2Path, v1Path = "/", "/"
	}
	var out []Level
	add := func(root, dir, limitFile, usageFile, inactiveKey, label string) {
		name := path.Join(root, dir, limitFile)
		n, err := readCgroupLimit(fsys, name)
		if err != nil || n <= 0 || n >= unlimitedThreshold {
			return
		}
		l := Level{File: label + " /" + name, Limit: n, Usage: -1}
		if u, err := readCount(fsys, path.Join(root, dir, usageFile)); err == nil {
			l.Usage = u
		}
		l.InactiveFile = readStat(fsys, path.Join(root, dir, statFile), inactiveKey)
		out = append(out, l)
	}
	if v2Path != "" {
		for _, dir := range ancestors(v2Path) {
			add(cgroupRoot, dir, v2LimitFile, v2UsageFile, "inactive_file", "cgroup v2")
		}
	}
	if v1Path != "" {
		for _, dir := range ancestors(v1Path) {
			add(cgroupV1Memory, dir, v1LimitFile, v1UsageFile, "total_inactive_file", "cgroup v1")
		}
	}
	return out
}

// readCount reads a file holding one non-negative byte count.
func readCount(fsys fs.FS, name string) (int64, error) {
	data, err := readFile(fsys, name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n < 0 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// readStat returns the value of key in a memory.stat file ("key value"
// lines), or 0 when the file or the key is missing or garbage.
func readStat(fsys fs.FS, name, key string) int64 {
	data, err := readFile(fsys, name)
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if !ok || k != key {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	return 0
}
