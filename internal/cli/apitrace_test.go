package cli

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

// hijack101 answers an attach or exec start as bolsillod does: 101, then a
// stdout frame, then the end of the stream.
func hijack101(out string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		var frame bytes.Buffer
		frame.Write([]byte{1, 0, 0, 0})
		binary.Write(&frame, binary.BigEndian, uint32(len(out)))
		frame.WriteString(out)
		conn.Write([]byte("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n" +
			"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"))
		conn.Write(frame.Bytes())
	}
}

// --explicar-api prints every request, the hijacked exec start included,
// with its status and its Spanish line, on stderr; stdout stays docker's.
func TestExplicarAPI(t *testing.T) {
	tests := []struct {
		name    string
		argv    []string
		code    int
		wantOut string
	}{
		{"explicar-api-exec", []string{"--explicar-api", "exec", "web", "cat", "/etc/hostname"}, 0, "web\n"},
		{"explicar-api-rm-missing", []string{"--explicar-api", "rm", "-f", "fantasma"}, 1, ""},
		{"explicar-api-ps", []string{"--explicar-api", "ps", "-a"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("GET /containers/web/json", http.StatusOK, container.InspectResponse{
				ID: webID, Name: "/web", State: &container.State{Status: "running", Running: true, Pid: 42},
			})
			d.json("POST /containers/web/exec", http.StatusCreated, map[string]string{"Id": "e1"})
			d.handle("POST /exec/e1/start", hijack101("web\n"))
			d.json("GET /exec/e1/json", http.StatusOK, map[string]any{"ID": "e1", "Running": false, "ExitCode": 0})
			d.json("DELETE /containers/fantasma", http.StatusNotFound, map[string]string{"message": "No such container: fantasma"})
			d.json("GET /containers/json", http.StatusOK, []container.Summary{})
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, tt.argv); code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			var trace []string
			for _, line := range strings.Split(errOut.String(), "\n") {
				if strings.HasPrefix(line, "→ ") {
					trace = append(trace, line)
				}
			}
			assertGolden(t, tt.name, strings.Join(trace, "\n")+"\n")
		})
	}
}

// Without the flag, nothing is traced.
func TestExplicarAPIOff(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("GET /containers/json", http.StatusOK, []container.Summary{})
	f, _, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"ps"}); code != 0 {
		t.Fatalf("exit code = %d", code)
	}
	if strings.Contains(errOut.String(), "→") {
		t.Errorf("stderr without --explicar-api = %q", errOut)
	}
}

// Two identical requests in flight are paired with their answers in order.
func TestAPITracerDurations(t *testing.T) {
	now := fixedNow
	var out bytes.Buffer
	tr := newAPITracer(&out, func() time.Time { return now })
	req, _ := http.NewRequest("GET", "http://api/v1.50/containers/json?all=1", nil)
	tr.request(req)
	now = now.Add(2 * time.Millisecond)
	tr.request(req)
	now = now.Add(3 * time.Millisecond)
	tr.response(&http.Response{StatusCode: 200, Request: req})
	now = now.Add(5 * time.Millisecond)
	tr.response(&http.Response{StatusCode: 200, Request: req})
	tr.response(&http.Response{StatusCode: 200}) // no request: nothing to say
	want := "→ GET /v1.50/containers/json?all=1  200  5.0 ms  lista los contenedores, también los parados\n" +
		"→ GET /v1.50/containers/json?all=1  200  8.0 ms  lista los contenedores, también los parados\n"
	if out.String() != want {
		t.Errorf("trace =\n%s\nwant\n%s", out.String(), want)
	}
	if len(tr.pending) != 0 {
		t.Errorf("pending = %v, want none", tr.pending)
	}
}
