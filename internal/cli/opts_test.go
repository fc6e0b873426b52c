package cli

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/spf13/pflag"
)

// parseRunArgs parses argv as bolsillo run would, without any API call.
func parseRunArgs(argv []string, env map[string]string, files map[string]string) (*containerSpec, error) {
	var o containerFlags
	fl := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fl.BoolVarP(&o.detach, "detach", "d", false, "")
	addContainerFlags(fl, &o)
	if err := fl.Parse(argv); err != nil {
		return nil, err
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	read := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	return parseContainerFlags(&o, fl.Args(), fl.Changed("entrypoint"), lookup, read)
}

func TestParseContainerFlags(t *testing.T) {
	attachOut := func(c *container.Config) *container.Config {
		c.AttachStdout, c.AttachStderr = true, true
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		return c
	}
	tests := []struct {
		name     string
		argv     []string
		env      map[string]string
		files    map[string]string
		wantName string
		wantCfg  *container.Config
		wantHost *container.HostConfig
	}{
		{
			name:     "image only",
			argv:     []string{"busybox"},
			wantCfg:  attachOut(&container.Config{Image: "busybox"}),
			wantHost: &container.HostConfig{NetworkMode: "default"},
		},
		{
			name:     "command after image keeps its own flags",
			argv:     []string{"--rm", "busybox", "ls", "-l", "/"},
			wantCfg:  attachOut(&container.Config{Image: "busybox", Cmd: []string{"ls", "-l", "/"}}),
			wantHost: &container.HostConfig{AutoRemove: true, NetworkMode: "default"},
		},
		{
			name: "interactive tty",
			argv: []string{"-it", "busybox", "sh"},
			wantCfg: attachOut(&container.Config{Image: "busybox", Cmd: []string{"sh"}, Tty: true,
				OpenStdin: true, AttachStdin: true, StdinOnce: true}),
			wantHost: &container.HostConfig{NetworkMode: "default"},
		},
		{
			name:     "name, memory, cpuset, network",
			argv:     []string{"--name", "web", "-m", "512m", "--cpuset-cpus", "0,1", "--network", "none", "busybox"},
			wantName: "web",
			wantCfg:  attachOut(&container.Config{Image: "busybox"}),
			wantHost: &container.HostConfig{NetworkMode: "none", Resources: container.Resources{Memory: 512 << 20, CpusetCpus: "0,1"}},
		},
		{
			name:  "env from flags, env files and the client environment",
			argv:  []string{"--env-file", "vars.env", "-e", "A=1", "-e", "HOME", "-e", "MISSING", "busybox"},
			env:   map[string]string{"HOME": "/root"},
			files: map[string]string{"vars.env": "# comment\n\nFROM_FILE=x y\n  INDENTED=1\n"},
			wantCfg: attachOut(&container.Config{Image: "busybox",
				Env: []string{"FROM_FILE=x y", "INDENTED=1", "A=1", "HOME=/root", "MISSING"}}),
			wantHost: &container.HostConfig{NetworkMode: "default"},
		},
		{
			name: "user, workdir, hostname, entrypoint, labels",
			argv: []string{"-u", "1000", "-w", "/tmp", "-h", "caja", "--entrypoint", "env", "-l", "curso=docker", "-l", "vacia", "busybox"},
			wantCfg: attachOut(&container.Config{Image: "busybox", User: "1000", WorkingDir: "/tmp", Hostname: "caja",
				Entrypoint: []string{"env"}, Labels: map[string]string{"curso": "docker", "vacia": ""}}),
			wantHost: &container.HostConfig{NetworkMode: "default"},
		},
		{
			name:     "empty entrypoint resets the image's",
			argv:     []string{"--entrypoint", "", "busybox"},
			wantCfg:  attachOut(&container.Config{Image: "busybox", Entrypoint: []string{""}}),
			wantHost: &container.HostConfig{NetworkMode: "default"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseRunArgs(tt.argv, tt.env, tt.files)
			if err != nil {
				t.Fatalf("parse(%q) error = %v", tt.argv, err)
			}
			if spec.Name != tt.wantName {
				t.Errorf("Name = %q, want %q", spec.Name, tt.wantName)
			}
			if !reflect.DeepEqual(spec.Config, tt.wantCfg) {
				t.Errorf("Config = %+v\nwant %+v", spec.Config, tt.wantCfg)
			}
			if !reflect.DeepEqual(spec.HostConfig, tt.wantHost) {
				t.Errorf("HostConfig = %+v\nwant %+v", spec.HostConfig, tt.wantHost)
			}
		})
	}
}

func TestParseContainerFlagsErrors(t *testing.T) {
	tests := []struct {
		name  string
		argv  []string
		files map[string]string
	}{
		{"memory without a number", []string{"-m", "banana", "busybox"}, nil},
		{"bad cpuset", []string{"--cpuset-cpus", "a-b", "busybox"}, nil},
		{"cpuset open range", []string{"--cpuset-cpus", "0-", "busybox"}, nil},
		{"env without name", []string{"-e", "=x", "busybox"}, nil},
		{"label without name", []string{"-l", "=x", "busybox"}, nil},
		{"missing env file", []string{"--env-file", "nope.env", "busybox"}, nil},
		{"env file with spaces in a name", []string{"--env-file", "bad.env", "busybox"}, map[string]string{"bad.env": "MY VAR=1\n"}},
		{"no image", []string{"--rm"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseRunArgs(tt.argv, nil, tt.files)
			if err == nil {
				t.Fatalf("parse(%q) = %+v, want an error", tt.argv, spec)
			}
			var fe flagError
			var ive *pflag.InvalidValueError
			if !errors.As(err, &fe) && !errors.As(err, &ive) {
				t.Errorf("parse(%q) error = %T %v, want a flag error", tt.argv, err, err)
			}
		})
	}
}

// TestRunBadFlagsMakeNoAPICall checks exit 125, a Spanish message and that
// the daemon never hears about an invalid command line.
func TestRunBadFlagsMakeNoAPICall(t *testing.T) {
	for _, argv := range [][]string{
		{"run", "-m", "banana", "busybox"},
		{"run", "--cpuset-cpus", "x", "busybox"},
		{"run"},
		{"create", "-m", "1q", "busybox"},
		{"logs", "--tail", "x", "web"},
	} {
		d := newFakeDaemon(t)
		f, out, errOut := testFactory(d.host, nil)
		code := execute(t.Context(), f, argv)
		if code != exitDaemonError {
			t.Errorf("%q: exit code = %d, want %d", argv, code, exitDaemonError)
		}
		if got := d.requests(); len(got) != 0 {
			t.Errorf("%q: API calls = %q, want none", argv, got)
		}
		if out.Len() != 0 {
			t.Errorf("%q: stdout = %q, want empty", argv, out)
		}
		if !containsAny(errOut.String(), "opción", "Falta", "no es válido", "falta") {
			t.Errorf("%q: stderr = %q, want a Spanish explanation", argv, errOut)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
