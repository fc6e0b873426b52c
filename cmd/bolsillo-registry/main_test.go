package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"bolsillo/internal/golden"
)

func ipNet(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}

func TestPullHost(t *testing.T) {
	classroom := []net.Addr{ipNet("127.0.0.1/8"), ipNet("::1/128"), ipNet("fe80::1/64"), ipNet("192.168.1.20/24")}
	loopbackOnly := []net.Addr{ipNet("127.0.0.1/8"), ipNet("::1/128")}
	tests := []struct {
		listen string
		addrs  []net.Addr
		want   string
	}{
		{listen: "0.0.0.0:5000", addrs: classroom, want: "192.168.1.20:5000"},
		{listen: "[::]:5000", addrs: classroom, want: "192.168.1.20:5000"},
		{listen: ":5000", addrs: classroom, want: "192.168.1.20:5000"},
		{listen: "0.0.0.0:5000", addrs: loopbackOnly, want: "localhost:5000"},
		{listen: "0.0.0.0:5000", addrs: nil, want: "localhost:5000"},
		{listen: "127.0.0.1:5000", addrs: classroom, want: "127.0.0.1:5000"},
		{listen: "10.0.0.7:5001", addrs: classroom, want: "10.0.0.7:5001"},
		{listen: "profesor.local:5000", addrs: classroom, want: "profesor.local:5000"},
		{listen: "[fd00::7]:5000", addrs: classroom, want: "[fd00::7]:5000"},
		{listen: "sin-puerto", addrs: classroom, want: "sin-puerto"},
	}
	for _, tt := range tests {
		if got := pullHost(tt.listen, tt.addrs); got != tt.want {
			t.Errorf("pullHost(%q) = %q, want %q", tt.listen, got, tt.want)
		}
	}
}

func TestBanner(t *testing.T) {
	got := banner("0.0.0.0:5000", "/srv/aula", "192.168.1.20:5000")
	golden.Assert(t, golden.Path("banner"), []byte(got))
}

func TestRunBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // substring of the error
	}{
		{name: "unknown flag", args: []string{"--puerto", "5000"}, want: "flag provided but not defined"},
		{name: "extra argument", args: []string{"/srv/aula"}, want: `argumento de más: "/srv/aula"`},
		{name: "bad address", args: []string{"--addr", "127.0.0.1:99999", "--root", "ROOT"}, want: "no pude escuchar en 127.0.0.1:99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "ROOT", t.TempDir())
			}
			var stdout, stderr bytes.Buffer
			err := run(args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing before listening", stdout.String())
			}
		})
	}
}
