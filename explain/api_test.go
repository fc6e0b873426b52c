package explain

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// apiCalls are requests as the docker CLI 28, docker-py 7.1 and bolsillo
// send them; the golden file holds one sentence per request.
var apiCalls = []struct {
	method, uri string
	status      int
}{
	{"HEAD", "/_ping", 200},
	{"GET", "/v1.50/_ping", 200},
	{"GET", "/version", 200},
	{"GET", "/v1.50/info", 200},
	{"GET", "/v1.50/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D", 200},
	{"GET", "/v1.50/events?since=1&until=2", 200},
	{"GET", "/v1.50/system/df", 200},
	{"POST", "/v1.50/auth", 401},
	{"GET", "/bolsillo/monitor", 200},

	{"POST", "/v1.50/containers/create?name=web", 201},
	{"POST", "/v1.50/containers/create", 201},
	{"POST", "/v1.50/containers/create?name=web", 404},
	{"POST", "/v1.50/containers/create?name=web", 409},
	{"GET", "/v1.50/containers/json", 200},
	{"GET", "/v1.50/containers/json?all=1", 200},
	{"GET", "/v1.50/containers/json?all=True&limit=1", 200},
	{"GET", "/v1.50/containers/json?limit=3&size=1", 200},
	{"GET", "/v1.50/containers/json?all=1&filters=%7B%22status%22%3A%7B%22exited%22%3Atrue%7D%7D", 200},
	{"POST", "/v1.50/containers/prune", 200},
	{"GET", "/v1.50/containers/web/json", 200},
	{"GET", "/v1.50/containers/3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c/json", 404},
	{"GET", "/v1.50/containers/web/logs?stdout=1&stderr=1&tail=all", 200},
	{"GET", "/v1.50/containers/web/logs?follow=1&stdout=1&stderr=1&tail=5", 200},
	{"GET", "/v1.50/containers/web/logs?stdout=1&tail=1", 200},
	{"POST", "/v1.50/containers/web/start", 204},
	{"POST", "/v1.50/containers/web/start", 304},
	{"POST", "/v1.50/containers/web/stop", 204},
	{"POST", "/v1.50/containers/web/stop?t=1", 204},
	{"POST", "/v1.50/containers/web/stop?signal=SIGINT&t=3", 204},
	{"POST", "/v1.50/containers/web/restart?t=2", 204},
	{"POST", "/v1.50/containers/web/kill", 204},
	{"POST", "/v1.50/containers/web/kill?signal=HUP", 409},
	{"POST", "/v1.50/containers/web/wait?condition=next-exit", 200},
	{"POST", "/v1.50/containers/web/wait?condition=removed", 200},
	{"POST", "/v1.50/containers/web/wait", 200},
	{"POST", "/v1.50/containers/web/attach?stream=1&stdout=1&stderr=1", 101},
	{"POST", "/v1.50/containers/web/attach?stderr=1&stdin=1&stdout=1&stream=1", 101},
	{"POST", "/v1.50/containers/web/resize?h=40&w=120", 200},
	{"POST", "/v1.50/containers/web/exec", 201},
	{"POST", "/v1.50/exec/4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f/start", 101},
	{"GET", "/v1.50/exec/4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f/json", 200},
	{"POST", "/v1.50/exec/4e5f6a7b8c9d/resize?h=24&w=80", 200},
	{"HEAD", "/v1.50/containers/web/archive?path=%2Ftmp", 200},
	{"GET", "/v1.50/containers/web/archive?path=%2Fetc%2Fhostname", 200},
	{"GET", "/v1.50/containers/web/archive?path=%2Fnada", 404},
	{"PUT", "/v1.50/containers/web/archive?noOverwriteDirNonDir=true&path=%2Ftmp", 200},
	{"GET", "/v1.50/containers/web/changes", 200},
	{"GET", "/v1.50/containers/web/export", 200},
	{"POST", "/v1.50/containers/web/rename?name=api", 204},
	{"GET", "/v1.50/containers/web/stats?stream=1", 200},
	{"GET", "/v1.50/containers/web/stats?stream=0", 200},
	{"POST", "/v1.50/containers/web/update", 200},
	{"GET", "/v1.50/containers/web/top", 200},
	{"POST", "/v1.50/containers/web/pause", 204},
	{"POST", "/v1.50/containers/web/unpause", 204},
	{"DELETE", "/v1.50/containers/web", 204},
	{"DELETE", "/v1.50/containers/web?force=1&v=1", 204},
	{"DELETE", "/v1.50/containers/web", 409},
	{"POST", "/v1.50/commit?author=&comment=&container=web&repo=docker.io%2Flibrary%2Fmiweb&tag=1", 201},
	{"POST", "/v1.50/commit?container=web", 201},

	{"POST", "/v1.50/images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest", 200},
	{"POST", "/v1.50/images/create?fromImage=alpine", 200},
	{"POST", "/v1.50/images/create?fromImage=localhost%3A5000%2Fweb&tag=sha256%3Aabc", 200},
	{"POST", "/v1.50/images/create?fromImage=docker.io%2Flibrary%2Fnoexiste&tag=latest", 404},
	{"POST", "/v1.50/images/create?fromSrc=-&repo=miimagen%3A1", 200},
	{"POST", "/v1.50/images/create?fromSrc=http%3A%2F%2F127.0.0.1%2Frootfs.tar&repo=web&tag=2", 200},
	{"GET", "/v1.50/images/json", 200},
	{"GET", "/v1.50/images/json?all=1", 200},
	{"GET", "/v1.50/images/json?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D", 200},
	{"GET", "/v1.50/images/json?filters=%7B%22reference%22%3A%7B%22web%22%3Atrue%7D%7D", 200},
	{"POST", "/v1.50/images/prune?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D", 200},
	{"POST", "/v1.50/images/prune?filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D", 200},
	{"GET", "/v1.50/images/search?term=nginx", 200},
	{"GET", "/v1.50/images/get?names=busybox&names=web%3A1", 200},
	{"GET", "/v1.50/images/get?names=busybox", 200},
	{"POST", "/v1.50/images/load?quiet=0", 200},
	{"GET", "/v1.50/images/busybox:latest/json", 200},
	{"GET", "/v1.50/images/localhost:5000/web:1/json", 404},
	{"GET", "/v1.50/images/sha256:5a1d0f6e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6/history", 200},
	{"GET", "/v1.50/images/busybox/get", 200},
	{"POST", "/v1.50/images/localhost:5000/web/push?tag=1", 200},
	{"POST", "/v1.50/images/busybox/tag?repo=docker.io%2Flibrary%2Fmibusybox&tag=1.0", 201},
	{"DELETE", "/v1.50/images/web:1", 200},
	{"DELETE", "/v1.50/images/web:1?force=1", 409},
	{"POST", "/v1.50/build?dockerfile=Dockerfile&t=web%3A1&version=1", 200},
	{"POST", "/v1.50/build?dockerfile=docker%2FDockerfile.prod&nocache=1&t=web%3A1&t=web%3Alatest", 200},
	{"POST", "/v1.50/build", 200},
	{"POST", "/v1.50/build/prune", 200},
	{"GET", "/v1.50/distribution/busybox:latest/json", 200},
	{"POST", "/session", 101},
	{"POST", "/grpc", 200},

	{"POST", "/v1.50/volumes/create", 201},
	{"GET", "/v1.50/volumes", 200},
	{"POST", "/v1.50/volumes/prune", 200},
	{"GET", "/v1.50/volumes/datos", 200},
	{"DELETE", "/v1.50/volumes/datos", 409},
	{"GET", "/v1.50/networks", 200},
	{"POST", "/v1.50/networks/create", 201},
	{"POST", "/v1.50/networks/prune", 200},
	{"POST", "/v1.50/networks/red1/connect", 200},
	{"POST", "/v1.50/networks/red1/disconnect", 200},
	{"GET", "/v1.50/networks/bridge", 200},
	{"DELETE", "/v1.50/networks/red1", 204},
	{"GET", "/v1.50/plugins/web/json", 404},

	{"GET", "/v1.50/swarm", 503},
	{"GET", "/v1.50/nodes", 500},
	{"PATCH", "/v1.50/containers/web", 404},
	{"GET", "/v1.50/containers/web/start", 404},
}

func TestAPICall(t *testing.T) {
	var b strings.Builder
	for _, c := range apiCalls {
		path, query, _ := strings.Cut(c.uri, "?")
		fmt.Fprintf(&b, "%s %s %d\n  %s\n", c.method, c.uri, c.status, APICall(c.method, path, query, c.status))
	}
	assertGolden(t, b.String())
}

// Every route of the table is reached by some request of apiCalls: a row
// that nothing exercises would be a sentence nobody reviewed.
func TestAPIRoutesCovered(t *testing.T) {
	used := make([]bool, len(apiRoutes()))
	for _, c := range apiCalls {
		path, _, _ := strings.Cut(c.uri, "?")
		path = apiVersionPrefix().ReplaceAllString(path, "")
		for i, r := range apiRoutes() {
			if (r.method == c.method || r.headToo && c.method == "HEAD") && r.pattern.MatchString(path) {
				used[i] = true
				break
			}
		}
	}
	for i, u := range used {
		if !u {
			t.Errorf("route %s %s is not exercised by any request in apiCalls", apiRoutes()[i].method, apiRoutes()[i].pattern)
		}
	}
}

func TestAPILine(t *testing.T) {
	tests := []struct {
		method, uri string
		status      int
		d           time.Duration
		want        string
	}{
		{"POST", "/v1.50/containers/create?name=x", 201, 3100 * time.Microsecond,
			"POST /v1.50/containers/create?name=x  201  3.1 ms  pide al daemon que cree el contenedor `x` (aún no arranca)"},
		{"HEAD", "/_ping", 200, 420 * time.Microsecond,
			"HEAD /_ping  200  420 µs  comprueba que el daemon responde y qué versión de la API habla"},
		{"POST", "/v1.50/containers/x/wait?condition=removed", 200, 1234 * time.Millisecond,
			"POST /v1.50/containers/x/wait?condition=removed  200  1.23 s  espera a que el contenedor `x` termine y se borre (--rm), para saber su código de salida"},
		{"GET", "/v1.50/containers/x/json", 0, 250 * time.Millisecond,
			"GET /v1.50/containers/x/json  ---  250 ms  pide todos los datos del contenedor `x` (inspect): estado, configuración, red, montajes"},
	}
	for _, tt := range tests {
		if got := APILine(tt.method, tt.uri, tt.status, tt.d); got != tt.want {
			t.Errorf("APILine(%s %s) = %q, want %q", tt.method, tt.uri, got, tt.want)
		}
	}
}

func TestAPIClientName(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"Docker-Client/28.2.2 (linux)", "docker CLI 28.2.2"},
		{"docker-sdk-python/7.1.0", "docker-py 7.1.0"},
		{"bolsillo/0.1.0-dev", "bolsillo 0.1.0-dev"},
		{"Go-http-client/1.1", "programa en Go 1.1"},
		{"curl/7.88.1", "curl 7.88.1"},
		{"", "cliente sin nombre"},
		{"mi-script", "mi-script"},
	}
	for _, tt := range tests {
		if got := APIClientName(tt.ua); got != tt.want {
			t.Errorf("APIClientName(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

func TestAPIDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{850 * time.Microsecond, "850 µs"},
		{3140 * time.Microsecond, "3.1 ms"},
		{99 * time.Millisecond, "99.0 ms"},
		{120 * time.Millisecond, "120 ms"},
		{2500 * time.Millisecond, "2.50 s"},
	}
	for _, tt := range tests {
		if got := APIDuration(tt.d); got != tt.want {
			t.Errorf("APIDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func BenchmarkAPICall(b *testing.B) {
	for b.Loop() {
		APICall("POST", "/v1.50/containers/web/attach", "stream=1&stdout=1&stderr=1", 101)
	}
}
