package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// parseVmRSS returns the resident set size, in bytes, from the text of a
// /proc/PID/status file. The kernel prints it in kibibytes ("VmRSS: 15448 kB").
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		value, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS line (a kernel thread or a zombie has none)")
}

// readVmRSS reads the resident set size of process pid, in bytes.
func readVmRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	rss, err := parseVmRSS(status)
	if err != nil {
		return 0, fmt.Errorf("reading RSS of process %d: %w", pid, err)
	}
	return rss, nil
}

// mountsUnder returns the mount points in mounts (the text of
// /proc/self/mounts) that are dir or lie below it.
func mountsUnder(mounts []byte, dir string) []string {
	dir = filepath.Clean(dir)
	var found []string
	for line := range strings.Lines(string(mounts)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		target := unescapeMount(f[1])
		if target == dir || strings.HasPrefix(target, dir+"/") {
			found = append(found, target)
		}
	}
	return found
}

// unescapeMount undoes the octal escapes (\040 for a space, \011, \012,
// \134) the kernel writes in the fields of /proc/self/mounts.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
