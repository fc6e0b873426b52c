package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer serves body on 127.0.0.1 with status and counts the TCP
// connections it accepts.
func countingServer(t *testing.T, status int, body string, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestHTTPLoadCountBound(t *testing.T) {
	srv, conns := countingServer(t, http.StatusOK, httpBody, 0)
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	load := httpLoad{url: srv.URL + "/", workers: 4, maxRequests: 50, duration: time.Minute, body: httpBody}
	got, err := load.run(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	if got.Requests != 50 {
		t.Errorf("Requests = %d, want 50", got.Requests)
	}
	if n := conns.Load(); n != 50 {
		t.Errorf("the server accepted %d connections, want 50: one per request, no keep-alive", n)
	}
	if got.Elapsed <= 0 || got.Rate() <= 0 {
		t.Errorf("Elapsed = %s, Rate() = %v; want both positive", got.Elapsed, got.Rate())
	}
}

func TestHTTPLoadTimeBound(t *testing.T) {
	srv, _ := countingServer(t, http.StatusOK, httpBody, 10*time.Millisecond)
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	const duration = 200 * time.Millisecond
	load := httpLoad{url: srv.URL + "/", workers: 2, maxRequests: 1_000_000, duration: duration, body: httpBody}
	got, err := load.run(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	// Each worker sends one request at a time, 10 ms each at least.
	if maxRequests := 2 * int(duration/(10*time.Millisecond)); got.Requests < 2 || got.Requests > maxRequests {
		t.Errorf("Requests = %d, want between 2 and %d", got.Requests, maxRequests)
	}
	if got.Elapsed < duration || got.Elapsed > duration+httpRequestTimeout {
		t.Errorf("Elapsed = %s, want from %s to %s", got.Elapsed, duration, duration+httpRequestTimeout)
	}
}

func TestHTTPLoadFailures(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		load    func(url string) httpLoad
		wantErr string
	}{
		{
			name: "an error status", status: http.StatusInternalServerError, body: httpBody,
			load: func(url string) httpLoad {
				return httpLoad{url: url, workers: 4, maxRequests: 10, duration: time.Second, body: httpBody}
			},
			wantErr: "500 Internal Server Error",
		},
		{
			name: "another body", status: http.StatusOK, body: "chau\n",
			load: func(url string) httpLoad {
				return httpLoad{url: url, workers: 4, maxRequests: 10, duration: time.Second, body: httpBody}
			},
			wantErr: `body "chau\n", want "hola\n"`,
		},
		{
			name: "no workers", status: http.StatusOK, body: httpBody,
			load: func(url string) httpLoad {
				return httpLoad{url: url, workers: 0, maxRequests: 10, duration: time.Second, body: httpBody}
			},
			wantErr: "invalid load",
		},
		{
			name: "no time", status: http.StatusOK, body: httpBody,
			load:    func(url string) httpLoad { return httpLoad{url: url, workers: 1, maxRequests: 10, body: httpBody} },
			wantErr: "invalid load",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := countingServer(t, tt.status, tt.body, 0)
			client := newHTTPClient()
			defer client.CloseIdleConnections()
			got, err := tt.load(srv.URL+"/").run(context.Background(), client)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run() error = %v, want one containing %q", err, tt.wantErr)
			}
			if got != (loadResult{}) {
				t.Errorf("run() = %+v with an error, want the zero result", got)
			}
		})
	}
}

func TestHTTPClientDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/otra", http.StatusFound) })
	mux.HandleFunc("/otra", func(w http.ResponseWriter, r *http.Request) { followed.Store(true) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	if err := get(context.Background(), client, srv.URL+"/", httpBody); err == nil || !strings.Contains(err.Error(), "302") {
		t.Errorf("get() error = %v, want the 302", err)
	}
	if followed.Load() {
		t.Error("the client followed the redirect")
	}
}

func TestWaitHTTP(t *testing.T) {
	srv, _ := countingServer(t, http.StatusOK, httpBody, 0)
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	if err := waitHTTP(context.Background(), client, srv.URL+"/", httpBody, time.Second); err != nil {
		t.Errorf("waitHTTP() on a server that answers = %v, want nil", err)
	}
	if err := waitHTTP(context.Background(), client, srv.URL+"/", "otra\n", 100*time.Millisecond); err == nil {
		t.Error("waitHTTP() on a server with another page = nil, want an error")
	}
}

func TestParsePublishedAddress(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    string
		wantErr bool
	}{
		{"one address", "127.0.0.1:40975\n", "127.0.0.1:40975", false},
		{"IPv6 first", "[::1]:40975\n127.0.0.1:40975\n", "127.0.0.1:40975", false},
		{"every address only", "0.0.0.0:40975\n", "", true},
		{"another address", "192.168.1.7:40975\n", "", true},
		{"port zero", "127.0.0.1:0\n", "", true},
		{"an error", "Error: no public port '80/tcp' published for bench-web\n", "", true},
		{"nothing", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePublishedAddress([]byte(tt.out))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parsePublishedAddress(%q) error = %v, want error %v", tt.out, err, tt.wantErr)
			}
			if err == nil && got.String() != tt.want {
				t.Errorf("parsePublishedAddress(%q) = %s, want %s", tt.out, got, tt.want)
			}
		})
	}
}

func TestParseBridgeAddress(t *testing.T) {
	tests := []struct {
		name    string
		addr    string
		subnets string
		want    string
		wantErr bool
	}{
		{"in the subnet", "10.100.161.2\n", "10.100.161.0/24 \n", "10.100.161.2", false},
		{"in the second subnet", "10.9.0.5\n", "10.100.161.0/24 10.9.0.0/16 \n", "10.9.0.5", false},
		{"outside the subnet", "10.100.162.2\n", "10.100.161.0/24 \n", "", true},
		{"the loopback", "127.0.0.1\n", "10.100.161.0/24 \n", "", true},
		{"the subnet's own address", "10.100.161.0\n", "10.100.161.0/24 \n", "", true},
		{"no address: not on a network", "\n", "10.100.161.0/24 \n", "", true},
		{"two addresses run together", "10.100.161.210.100.161.3\n", "10.100.161.0/24 \n", "", true},
		{"no subnet", "10.100.161.2\n", "\n", "", true},
		{"not a subnet", "10.100.161.2\n", "bridge\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBridgeAddress([]byte(tt.addr), []byte(tt.subnets))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseBridgeAddress(%q, %q) error = %v, want error %v", tt.addr, tt.subnets, err, tt.wantErr)
			}
			if err == nil && got.String() != tt.want {
				t.Errorf("parseBridgeAddress(%q, %q) = %s, want %s", tt.addr, tt.subnets, got, tt.want)
			}
		})
	}
}

func TestHTTPURL(t *testing.T) {
	ap := netip.AddrPortFrom(netip.MustParseAddr("10.100.161.2"), 80)
	if got, want := httpURL(ap), "http://10.100.161.2:80/"; got != want {
		t.Errorf("httpURL(%s) = %q, want %q", ap, got, want)
	}
}

func TestRate(t *testing.T) {
	tests := []struct {
		l    loadResult
		want float64
	}{
		{loadResult{Requests: 2000, Elapsed: 2 * time.Second}, 1000},
		{loadResult{Requests: 300, Elapsed: 3 * time.Second}, 100},
		{loadResult{Requests: 0, Elapsed: time.Second}, 0},
		{loadResult{Requests: 5}, 0},
	}
	for _, tt := range tests {
		if got := tt.l.Rate(); got != tt.want {
			t.Errorf("%+v.Rate() = %v, want %v", tt.l, got, tt.want)
		}
	}
}

// rateRow returns a measured HTTP row of rate requests per second.
func rateRow(key string, rate int) HTTPRow {
	return HTTPRow{Key: key, loadResult: loadResult{Requests: rate * 2, Elapsed: 2 * time.Second}}
}

func TestHTTPTarget(t *testing.T) {
	tests := []struct {
		name  string
		http  *HTTPBench
		value float64
		met   *bool
	}{
		{"exactly 70 %", &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 700), rateRow(rowHTTPDirect, 1000)}}, 0.7, ptr(true)},
		{"faster than direct", &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 1100), rateRow(rowHTTPDirect, 1000)}}, 1.1, ptr(true)},
		{"under 70 %", &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 600), rateRow(rowHTTPDirect, 1000)}}, 0.6, ptr(false)},
		{"the proxy failed", &HTTPBench{Rows: []HTTPRow{{Key: rowHTTPPublished, Err: "connection reset"}, rateRow(rowHTTPDirect, 1000)}}, 0, nil},
		{"direct failed", &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 700), {Key: rowHTTPDirect, Err: "timeout"}}}, 0, nil},
		{"not run", nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := (&Report{HTTP: tt.http}).httpTarget()
			if got.Key != "http-published/http-direct" || got.Limit != minHTTPProxyShare {
				t.Errorf("key, limit = %q, %v; want http-published/http-direct, %v", got.Key, got.Limit, minHTTPProxyShare)
			}
			if diff := got.Value - tt.value; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("value = %v, want %v", got.Value, tt.value)
			}
			switch {
			case (got.Met == nil) != (tt.met == nil):
				t.Errorf("met = %v, want %v", got.Met, tt.met)
			case got.Met != nil && *got.Met != *tt.met:
				t.Errorf("met = %v, want %v", *got.Met, *tt.met)
			case got.Met == nil && got.Note != "sin medir":
				t.Errorf("note = %q, want %q", got.Note, "sin medir")
			case got.Met != nil && got.Note != "":
				t.Errorf("note = %q on a measured target, want none", got.Note)
			}
		})
	}
}

func TestShellJoin(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"sleep", "1000"}, "sleep 1000"},
		{httpServer, "sh -c 'mkdir -p /www && echo hola > /www/index.html && httpd -f -p 80 -h /www'"},
		{[]string{"echo", "it's"}, `echo 'it'\''s'`},
		{[]string{"echo", ""}, "echo ''"},
	}
	for _, tt := range tests {
		if got := shellJoin(tt.argv); got != tt.want {
			t.Errorf("shellJoin(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}

func TestLoadResultAdd(t *testing.T) {
	var total loadResult
	for _, r := range []loadResult{{Requests: 300, Elapsed: 500 * time.Millisecond}, {Requests: 200, Elapsed: 500 * time.Millisecond}} {
		total.add(r)
	}
	if total.Requests != 500 || total.Elapsed != time.Second || total.Rate() != 500 {
		t.Errorf("total = %+v, rate %v; want 500 requests in 1s, 500 req/s", total, total.Rate())
	}
}
