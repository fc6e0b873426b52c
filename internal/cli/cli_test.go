package cli

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestHostPrecedence(t *testing.T) {
	tests := []struct {
		name string
		flag string
		env  string
		want string
	}{
		{"default", "", "", DefaultHost},
		{"env", "", "unix:///tmp/env.sock", "unix:///tmp/env.sock"},
		{"flag wins over env", "unix:///tmp/flag.sock", "unix:///tmp/env.sock", "unix:///tmp/flag.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFactory()
			f.getenv = func(k string) string {
				if k == envHost {
					return tt.env
				}
				return ""
			}
			root := newRootCommand(f)
			args := []string{"version"}
			if tt.flag != "" {
				args = append([]string{"-H", tt.flag}, args...)
			}
			if err := root.ParseFlags(args); err != nil {
				t.Fatal(err)
			}
			if got := f.Host(); got != tt.want {
				t.Errorf("Host() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExplicarPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want bool
	}{
		{"default on", nil, "", true},
		{"env 0", nil, "0", false},
		{"env false", nil, "False", false},
		{"env 1", nil, "1", true},
		{"flag off", []string{"--explicar=false"}, "", false},
		{"flag on beats env", []string{"--explicar=true"}, "0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("GET /containers/json", http.StatusOK, []container.Summary{})
			f, _, _ := testFactory(d.host, map[string]string{envExplicar: tt.env})
			if code := execute(t.Context(), f, append(tt.args, "ps")); code != 0 {
				t.Fatalf("exit code = %d", code)
			}
			if got := f.Explaining(); got != tt.want {
				t.Errorf("Explaining() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStartExitCode(t *testing.T) {
	tests := []struct {
		msg  string
		want int
	}{
		{`Error response from daemon: failed to create task: exec: "nada": executable file not found in $PATH`, 127},
		{"Error response from daemon: open /x: no such file or directory", 127},
		{"Error response from daemon: exec /etc/passwd: permission denied", 126},
		{"Error response from daemon: exec /tmp: is a directory", 126},
		{"Error response from daemon: cgroup: invalid memory", 125},
	}
	for _, tt := range tests {
		if got := startExitCode(errors.New(tt.msg)); got != tt.want {
			t.Errorf("startExitCode(%q) = %d, want %d", tt.msg, got, tt.want)
		}
	}
}

func TestHandleErrorCodes(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		want       int
		wantStderr string
	}{
		{"nil", nil, 0, ""},
		{"container exit code", statusError{code: 3}, 3, ""},
		{"flag error", invalidFlag("Falta algo.", errors.New("bad")), 125, "Falta algo."},
		{"daemon error in run", statusError{code: 125, err: errors.New("Error response from daemon: boom")}, 125, "boom"},
		{"other command", errors.New("Error response from daemon: No such container: web"), 1, "No such container: web"},
		{"hinted", hintedError{hint: "Haz esto.", err: errors.New("orig")}, 1, "Haz esto."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory(DefaultHost, nil)
			if got := handleError(f, tt.err); got != tt.want {
				t.Errorf("handleError() = %d, want %d", got, tt.want)
			}
			if tt.wantStderr == "" && errOut.Len() != 0 {
				t.Errorf("stderr = %q, want empty", errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestInspectIndentation(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /containers/web/json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Id":"` + webID + `","Name":"/web","State":{"Status":"running","Pid":4242},"Config":{"Image":"busybox","Cmd":["sh"]}}`))
	})
	d.json("GET /images/web/json", http.StatusNotFound, map[string]string{"message": "No such image: web"})
	d.json("GET /containers/nada/json", http.StatusNotFound, map[string]string{"message": "No such container: nada"})
	d.json("GET /images/nada/json", http.StatusNotFound, map[string]string{"message": "No such image: nada"})

	f, out, _ := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"inspect", "web"}); code != 0 {
		t.Fatalf("exit code = %d", code)
	}
	assertGolden(t, "TestInspectIndentation/default", out.String())

	f, out, _ = testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"inspect", "-f", "{{.State.Pid}} {{.Name}} {{json .Config.Cmd}}", "web"}); code != 0 {
		t.Fatalf("exit code = %d", code)
	}
	if got, want := out.String(), "4242 /web [\"sh\"]\n"; got != want {
		t.Errorf("inspect -f output = %q, want %q", got, want)
	}

	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"inspect", "nada"}); code != 1 {
		t.Errorf("inspect of a missing object: exit code = %d, want 1", code)
	}
	if got := out.String(); got != "[]\n" {
		t.Errorf("stdout = %q, want %q", got, "[]\n")
	}
	if !strings.Contains(errOut.String(), "No such object: nada") {
		t.Errorf("stderr = %q, want docker's 'No such object' message", errOut)
	}
}
