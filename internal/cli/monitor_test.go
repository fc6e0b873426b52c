package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The monitor prints each record the daemon streams: time, client, request,
// status, duration, the Spanish line and the daemon's error message.
func TestMonitorOutput(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /bolsillo/monitor", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, strings.Join([]string{
			`{"Time":"2025-06-01T12:00:00.125Z","Method":"HEAD","URI":"/_ping","Status":200,"Duration":41000,"UserAgent":"Docker-Client/28.2.2 (linux)","PeerUID":1000,"PeerPID":4242}`,
			`{"Time":"2025-06-01T12:00:00.130Z","Method":"POST","URI":"/v1.50/containers/create?name=web","Status":201,"Duration":3100000,"UserAgent":"Docker-Client/28.2.2 (linux)","PeerUID":1000,"PeerPID":4242}`,
			`{"Time":"2025-06-01T12:00:00.140Z","Method":"POST","URI":"/v1.50/containers/web/attach?stderr=1&stdout=1&stream=1","Status":101,"Duration":250000,"UserAgent":"Docker-Client/28.2.2 (linux)","PeerUID":1000,"PeerPID":4242}`,
			`{"Dropped":3}`,
			`{"Time":"2025-06-01T12:00:01Z","Method":"GET","URI":"/v1.50/images/nada/json","Status":404,"Duration":72000,"UserAgent":"docker-sdk-python/7.1.0","Error":"No such image: nada:latest"}`,
			`{"Time":"2025-06-01T12:00:02Z","Method":"GET","URI":"/v1.50/containers/json","Status":200,"Duration":1500000000,"UserAgent":"bolsillo/0.1.0","PeerUID":0,"PeerPID":99}`,
		}, "\n")+"\n")
	})
	f, out, errOut := testFactory(d.host, nil)
	code := execute(t.Context(), f, []string{"monitor"})
	if code != exitGeneric {
		t.Errorf("exit code when the daemon hangs up = %d, want %d", code, exitGeneric)
	}
	if !strings.Contains(errOut.String(), "cerró la conexión del monitor") {
		t.Errorf("stderr = %q, want the hang-up explained", errOut)
	}
	assertGolden(t, "monitor", out.String())
	if reqs := d.requests(); len(reqs) != 1 || reqs[0] != "GET /bolsillo/monitor" {
		t.Errorf("requests = %q, want only GET /bolsillo/monitor", reqs)
	}
}

// A daemon without the monitor (Docker) or one that refuses the user gets a
// Spanish explanation, not a stack of HTTP.
func TestMonitorRefused(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: the route does not exist, as in Docker
		want    []string
	}{
		{"docker", nil, []string{"`bolsillo monitor` necesita bolsillod", "--explicar-api", "404 page not found"}},
		{"forbidden", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"solo pueden verlo root y los miembros del grupo \"bolsillo\""}`)
		}, []string{"El daemon no te deja ver el monitor: solo pueden verlo root", "403"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			if tt.handler != nil {
				d.handle("GET /bolsillo/monitor", tt.handler)
			}
			f, out, errOut := testFactory(d.host, nil)
			if code := execute(t.Context(), f, []string{"monitor"}); code != exitGeneric {
				t.Errorf("exit code = %d, want %d", code, exitGeneric)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr = %q, want it to contain %q", errOut, w)
				}
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestMonitorNoDaemon(t *testing.T) {
	f, _, errOut := testFactory("unix:///nonexistent/bolsillo.sock", nil)
	if code := execute(t.Context(), f, []string{"monitor"}); code != exitGeneric {
		t.Errorf("exit code = %d, want %d", code, exitGeneric)
	}
	if !strings.Contains(errOut.String(), "/nonexistent/bolsillo.sock") {
		t.Errorf("stderr = %q, want the daemon address", errOut)
	}
}
