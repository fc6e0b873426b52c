package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// The fake's resource methods know three containers: "web" runs, "parado"
// is stopped, anything else does not exist.

func (f *fakeBackend) ContainerStats(ctx context.Context, ref string, opts backend.StatsOptions, out func(any) error) error {
	switch ref {
	case "web":
		n := 1
		if opts.Stream {
			n = 3
		}
		for i := range n {
			s := &backend.Stats{Name: "/web", ID: "abc", Networks: map[string]backend.NetworkStats{}}
			s.CPUStats.CPUUsage.TotalUsage = uint64(i + 1)
			if err := out(s); err != nil {
				return err
			}
		}
		return nil
	case "parado":
		return out(&backend.StoppedStats{Name: "/parado", ID: "def"})
	}
	return errdefs.NotFound("No such container: %s", ref)
}

func (f *fakeBackend) ContainerUpdate(ref string, upd apicontainer.UpdateConfig) (apicontainer.UpdateResponse, error) {
	if ref != "web" {
		return apicontainer.UpdateResponse{}, errdefs.NotFound("No such container: %s", ref)
	}
	if upd.Memory != 0 && upd.Memory < 6*1024*1024 {
		return apicontainer.UpdateResponse{}, errdefs.InvalidParameter("Minimum memory limit allowed is 6MB")
	}
	return apicontainer.UpdateResponse{}, nil
}

func (f *fakeBackend) ContainerTop(ref, psArgs string) (*backend.TopResult, error) {
	switch ref {
	case "web":
		return &backend.TopResult{Titles: []string{"PID", "CMD", psArgs}, Processes: [][]string{{"42", "sleep 100"}}}, nil
	case "parado":
		return nil, errdefs.Conflict("container def is not running")
	}
	return nil, errdefs.NotFound("No such container: %s", ref)
}

func (f *fakeBackend) ContainerPause(ref string) error {
	if ref == "parado" {
		return errdefs.Conflict("Container def is not running")
	}
	return nil
}

func (f *fakeBackend) ContainerUnpause(ref string) error {
	if ref == "parado" {
		return errdefs.Conflict("Container def is not paused")
	}
	return nil
}

func (f *fakeBackend) Events(ctx context.Context, flt backend.EventFilter, fn func(backend.Event) error) error {
	if err := fn(backend.Event{Type: "container", Action: "start", Actor: backend.EventActor{ID: "abc", Attributes: map[string]string{"filters": strings.Join(flt.Filters["type"], ",")}}}); err != nil {
		return err
	}
	if !flt.Until.IsZero() {
		return nil
	}
	<-ctx.Done()
	return nil
}

func TestResourceRoutes(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()

	tests := []routeCase{
		{"GET", "/v1.50/containers/web/stats?stream=0", "", 200, `"networks":{}`},
		{"GET", "/containers/parado/stats?stream=false", "", 200, `{"name":"/parado","id":"def"}`},
		{"GET", "/containers/fantasma/stats", "", 404, `{"message":"No such container: fantasma"}`},
		{"GET", "/containers/web/stats?stream=1&one-shot=1", "", 400, "cannot have stream=true and one-shot=true"},
		{"POST", "/containers/web/update", `{"Memory":134217728,"CpusetCpus":"0"}`, 200, `{"Warnings":[]}`},
		{"POST", "/containers/web/update", `{"Memory":1024}`, 400, "Minimum memory limit allowed is 6MB"},
		{"POST", "/containers/web/update", `{"Memory":`, 400, "invalid JSON"},
		{"POST", "/containers/fantasma/update", `{}`, 404, "No such container: fantasma"},
		{"GET", "/containers/web/top?ps_args=aux", "", 200, `{"Titles":["PID","CMD","aux"],"Processes":[["42","sleep 100"]]}`},
		{"GET", "/containers/parado/top", "", 409, "is not running"},
		{"POST", "/containers/web/pause", "", 204, ""},
		{"POST", "/containers/parado/pause", "", 409, "is not running"},
		{"POST", "/containers/web/unpause", "", 204, ""},
		{"POST", "/containers/parado/unpause", "", 409, "is not paused"},
		{"GET", `/events?until=1&filters={"type":{"container":true}}`, "", 200, `"Action":"start"`},
		{"GET", "/events?since=ayer", "", 400, "invalid value for since"},
	}
	checkRoutes(t, srv.URL, tests)
}

// A stats stream sends one object a line, flushed as they come.
func TestStatsStreamLines(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/containers/web/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var got []uint64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var s backend.Stats
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, s.CPUStats.CPUUsage.TotalUsage)
	}
	if want := []uint64{1, 2, 3}; len(got) != len(want) || got[0] != 1 || got[2] != 3 {
		t.Errorf("total_usage per line = %v, want %v", got, want)
	}
}

// The event stream's header arrives before any event: the docker CLI
// waits for it.
func TestEventsHeaderFirst(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, `"Type":"container"`) {
		t.Errorf("first event = %s", line)
	}
}
