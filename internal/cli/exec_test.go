package cli

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

// execDaemon is a fake daemon with one container, web, and no other. Exec
// create answers as bolsillod does: 409 when web is not running, else 400
// with refusal when one is given, else the exec e1.
func execDaemon(t *testing.T, running bool, refusal string) *fakeDaemon {
	t.Helper()
	d := newFakeDaemon(t)
	state := &container.State{Status: "running", Running: true, Pid: 42}
	if !running {
		state = &container.State{Status: "exited", ExitCode: 0}
	}
	d.json("GET /containers/web/json", http.StatusOK, container.InspectResponse{ID: webID, Name: "/web", State: state})
	switch {
	case !running:
		d.json("POST /containers/web/exec", http.StatusConflict, map[string]string{"message": "container " + webID + " is not running"})
	case refusal != "":
		d.json("POST /containers/web/exec", http.StatusBadRequest, map[string]string{"message": refusal})
	default:
		d.json("POST /containers/web/exec", http.StatusCreated, container.ExecCreateResponse{ID: "e1"})
	}
	d.handle("POST /exec/e1/start", hijack101("hola\n"))
	d.json("GET /exec/e1/json", http.StatusOK, map[string]any{"ID": "e1", "Running": false, "ExitCode": 0})
	notFound := map[string]string{"message": "No such container: fantasma"}
	d.json("GET /containers/fantasma/json", http.StatusNotFound, notFound)
	d.json("POST /containers/fantasma/exec", http.StatusNotFound, notFound)
	return d
}

// Every way exec fails before its process starts reads the same with
// explanations on and off: off, the exec is created without looking the
// container up first, and the container is looked up only after a failure,
// so that a missing or stopped container is still what is reported.
func TestExecErrors(t *testing.T) {
	missingEnvFile := filepath.Join(t.TempDir(), "no-existe.env")
	const (
		inspectWeb      = "GET /containers/web/json"
		createWeb       = "POST /containers/web/exec"
		inspectFantasma = "GET /containers/fantasma/json"
		createFantasma  = "POST /containers/fantasma/exec"
	)
	tests := []struct {
		name    string
		running bool
		refusal string // exec create's answer to a running web
		args    []string
		want    string   // in stderr
		wantOn  []string // requests with explanations
		wantOff []string // and without
	}{
		{
			name: "no such container", running: true,
			args:    []string{"fantasma", "true"},
			want:    "Error response from daemon: No such container: fantasma",
			wantOn:  []string{inspectFantasma},
			wantOff: []string{createFantasma, inspectFantasma},
		},
		{
			name:    "not running",
			args:    []string{"web", "true"},
			want:    "`exec` necesita un contenedor en marcha",
			wantOn:  []string{inspectWeb},
			wantOff: []string{createWeb, inspectWeb},
		},
		{
			name: "no terminal", running: true,
			args:    []string{"-it", "web", "sh"},
			want:    "the input device is not a TTY",
			wantOn:  []string{inspectWeb},
			wantOff: []string{inspectWeb},
		},
		{
			name: "no terminal, no such container", running: true,
			args:    []string{"-it", "fantasma", "sh"},
			want:    "Error response from daemon: No such container: fantasma",
			wantOn:  []string{inspectFantasma},
			wantOff: []string{inspectFantasma},
		},
		{
			name:    "no terminal, not running",
			args:    []string{"-it", "web", "sh"},
			want:    "`exec` necesita un contenedor en marcha",
			wantOn:  []string{inspectWeb},
			wantOff: []string{inspectWeb},
		},
		{
			name: "env file missing, no such container", running: true,
			args:    []string{"--env-file", missingEnvFile, "fantasma", "true"},
			want:    "Error response from daemon: No such container: fantasma",
			wantOn:  []string{inspectFantasma},
			wantOff: []string{inspectFantasma},
		},
		{
			name: "create refused", running: true, refusal: "privileged exec is not supported",
			args:    []string{"--privileged", "web", "true"},
			want:    "Error response from daemon: privileged exec is not supported",
			wantOn:  []string{inspectWeb, createWeb},
			wantOff: []string{createWeb, inspectWeb},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := append([]string{"exec"}, tt.args...)

			on := execDaemon(t, tt.running, tt.refusal)
			f, outOn, errOn := testFactory(on.host, nil)
			codeOn := execute(t.Context(), f, argv)

			off := execDaemon(t, tt.running, tt.refusal)
			f, outOff, errOff := testFactory(off.host, map[string]string{envExplicar: "0"})
			codeOff := execute(t.Context(), f, argv)

			if codeOn == 0 || codeOff != codeOn {
				t.Errorf("exit code = %d with explanations, %d without; want the same, not 0", codeOn, codeOff)
			}
			if outOn.Len() != 0 || outOff.Len() != 0 {
				t.Errorf("stdout = %q with explanations, %q without; want nothing", outOn, outOff)
			}
			if errOff.String() != errOn.String() {
				t.Errorf("stderr without explanations:\n%s\nwant the same as with them:\n%s", errOff, errOn)
			}
			if !strings.Contains(errOff.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", errOff, tt.want)
			}
			if got := on.requests(); !slices.Equal(got, tt.wantOn) {
				t.Errorf("requests with explanations = %q, want %q", got, tt.wantOn)
			}
			if got := off.requests(); !slices.Equal(got, tt.wantOff) {
				t.Errorf("requests without explanations = %q, want %q", got, tt.wantOff)
			}
		})
	}
}

// Without explanations a successful exec sends no inspect at all: create,
// start, and the exit code.
func TestExecNoExplanationsRequests(t *testing.T) {
	d := execDaemon(t, true, "")
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"exec", "web", "echo", "hola"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if out.String() != "hola\n" || errOut.Len() != 0 {
		t.Errorf("stdout = %q, stderr = %q; want %q and nothing", out, errOut, "hola\n")
	}
	want := []string{"POST /containers/web/exec", "POST /exec/e1/start", "GET /exec/e1/json"}
	if got := d.requests(); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}
