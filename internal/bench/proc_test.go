package main

import (
	"slices"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{
			name:   "daemon",
			status: "Name:\tbolsillod\nState:\tS (sleeping)\nVmPeak:\t 1262840 kB\nVmRSS:\t   15448 kB\nRssAnon:\t    6016 kB\n",
			want:   15448 * 1024,
		},
		{name: "no trailing newline", status: "VmRSS:\t1 kB", want: 1024},
		{name: "kernel thread has no VmRSS", status: "Name:\tkthreadd\nState:\tS (sleeping)\n", wantErr: true},
		{name: "unknown unit", status: "VmRSS:\t15 MB\n", wantErr: true},
		{name: "not a number", status: "VmRSS:\tmany kB\n", wantErr: true},
		{name: "VmRSSX is not VmRSS", status: "VmRSSX:\t3 kB\nVmRSS:\t2 kB\n", want: 2048},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.status))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseVmRSS(%q) error = %v, wantErr %v", tt.status, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseVmRSS(%q) = %d, want %d", tt.status, got, tt.want)
			}
		})
	}
}

func TestMountsUnder(t *testing.T) {
	mounts := `overlay / overlay rw,relatime,lowerdir=/a,upperdir=/b,workdir=/c 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
overlay /tmp/bolsillo-bench-1/root/containers/abc/rootfs overlay rw 0 0
tmpfs /tmp/bolsillo-bench-1 tmpfs rw 0 0
tmpfs /tmp/bolsillo-bench-10/x tmpfs rw 0 0
tmpfs /tmp/bolsillo-bench-1/with\040space tmpfs rw 0 0
`
	got := mountsUnder([]byte(mounts), "/tmp/bolsillo-bench-1/")
	want := []string{
		"/tmp/bolsillo-bench-1/root/containers/abc/rootfs",
		"/tmp/bolsillo-bench-1",
		"/tmp/bolsillo-bench-1/with space",
	}
	if !slices.Equal(got, want) {
		t.Errorf("mountsUnder() = %q, want %q", got, want)
	}
	if got := mountsUnder([]byte(mounts), "/srv"); got != nil {
		t.Errorf("mountsUnder(/srv) = %q, want none", got)
	}
}

func TestUnescapeMount(t *testing.T) {
	tests := []struct{ in, want string }{
		{`/plain`, `/plain`},
		{`/a\040b`, `/a b`},
		{`/tab\011x\012y`, "/tab\tx\ny"},
		{`/back\134slash`, `/back\slash`},
		{`/short\04`, `/short\04`},
		{`/not\999octal`, `/not\999octal`},
	}
	for _, tt := range tests {
		if got := unescapeMount(tt.in); got != tt.want {
			t.Errorf("unescapeMount(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
