package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/<test name>.golden, or rewrites it with -update.
func golden(t *testing.T, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is meant)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// spread returns n samples around m: m-2ms ... m+2ms.
func spread(m time.Duration, n int) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = m + time.Duration(i%5-2)*time.Millisecond
	}
	return s
}

func sampleReports() map[string]*Report {
	base := func() *Report {
		return &Report{
			Date:     time.Date(2026, 11, 28, 2, 30, 0, 0, time.UTC),
			Kernel:   "6.1.0",
			CPUs:     2,
			Warmups:  3,
			Runs:     20,
			Binaries: []Binary{{Name: "bolsillod", Size: 9761456}, {Name: "bolsillo", Size: 17719561}},
		}
	}
	noDocker := base()
	noDocker.Rows = []Row{
		{Key: rowBolsillo, Label: "bolsillo run --rm busybox true", Command: []string{"bolsillo", "run"}, Samples: spread(60*time.Millisecond, 20)},
		{Key: rowRunc, Label: "runc run (mismo rootfs)", Command: []string{"runc", "run"}, Samples: spread(20*time.Millisecond, 20)},
	}
	noDocker.DockerNote = "Docker: no hay daemon en /var/run/docker.sock (" + dockerReference + ")"
	noDocker.RSSAfterInit, noDocker.RSSAfterRuns = 15448*1024, 18000*1024
	noDocker.Exec = &ExecBench{
		Rows: []Row{
			{Key: rowExecBolsillo, Label: execLabel("bolsillo"), Command: []string{"bolsillo", "exec", "bench-exec", "true"}, Samples: spread(15*time.Millisecond, 20)},
		},
		DockerNote: "docker exec: sin medir; no hay daemon en /var/run/docker.sock (" + dockerExecReference + ")",
	}
	noDocker.HTTP = &HTTPBench{Rounds: 6, Workers: 4, MaxRequests: 2000, Duration: 500 * time.Millisecond, Rows: []HTTPRow{
		{Key: rowHTTPPublished, Label: "HTTP a través del puerto publicado", URL: "http://127.0.0.1:40975/", loadResult: loadResult{Requests: 2000, Elapsed: 1600 * time.Millisecond}},
		{Key: rowHTTPDirect, Label: "HTTP directo a la IP del contenedor", URL: "http://10.100.161.2:80/", loadResult: loadResult{Requests: 2000, Elapsed: 1250 * time.Millisecond}},
	}, DockerNote: "sin medir el puerto publicado de Docker: no hay daemon en /var/run/docker.sock"}
	noDocker.Build = &BuildBench{
		Dockerfile: referenceDockerfile, NoCacheWarmups: 1, NoCacheRuns: 5, CachedWarmups: 1, CachedRuns: 10,
		Rows: []Row{
			{Key: rowBuildBolsillo, Label: buildLabel("bolsillo", false), Command: []string{"bolsillo", "build", "--no-cache"}, Samples: spread(70*time.Millisecond, 5)},
			{Key: rowBuildCachedBolsillo, Label: buildLabel("bolsillo", true), Command: []string{"bolsillo", "build"}, Samples: spread(12*time.Millisecond, 10)},
		},
		DockerNote: "docker build: sin medir; no hay daemon en /var/run/docker.sock (" + dockerBuildReference + ")",
	}
	noDocker.Pull = &PullBench{
		Image: "127.0.0.1:40000/bench/cinco:1", Layers: 5, CompressedBytes: 32_527_000, Warmups: 1, Runs: 5,
		Rows: []Row{
			{Key: rowPullBolsillo, Label: "bolsillo pull de una imagen de 5 capas (32.5 MB comprimidos)", Command: []string{"bolsillo", "pull"}, Samples: spread(400*time.Millisecond, 5)},
		},
		DockerNote: "docker pull: sin medir; no hay daemon en /var/run/docker.sock",
	}
	noDocker.Explain = &ExplainBench{Rows: explainRows(map[string][3]int{
		"ps":     {7, 7, 24},
		"images": {8, 8, 27},
		"run":    {90, 92, 106},
	})}
	noDocker.Course = &CourseBench{
		Row:     Row{Key: rowCourse, Label: "bolsillo leccion auto --todas", Command: []string{"bolsillo", "leccion", "auto", "--todas"}, Samples: ms(10840)},
		Lessons: 15,
	}
	noDocker.List = &ListBench{Containers: 200, Images: 101, Warmups: 3, Runs: 20, Rows: []Row{
		{Key: rowListPs, Label: "bolsillo ps -a con 200 contenedores", Command: []string{"bolsillo", "ps", "-a"}, Samples: spread(14*time.Millisecond, 20)},
		{Key: rowListImages, Label: "bolsillo images con 101 imágenes", Command: []string{"bolsillo", "images"}, Samples: spread(11*time.Millisecond, 20)},
	}}

	withDocker := base()
	withDocker.Rows = []Row{
		{Key: rowBolsillo, Label: "bolsillo run --rm busybox true", Samples: spread(60*time.Millisecond, 20)},
		{Key: rowRunc, Label: "runc run (mismo rootfs)", Skipped: "runc no está instalado (apt-get install runc)"},
		{Key: rowDockerNone, Label: "docker run --rm --network none", Samples: spread(300*time.Millisecond, 20)},
		{Key: rowDockerBridge, Label: "docker run --rm (bridge)", Err: "exit status 125"},
	}
	withDocker.RSSAfterInit, withDocker.RSSAfterRuns = 31_000_000, 29_000_000
	withDocker.Exec = &ExecBench{Rows: []Row{
		{Key: rowExecBolsillo, Label: execLabel("bolsillo"), Samples: spread(25*time.Millisecond, 20)},
		{Key: rowExecDocker, Label: execLabel("docker"), Samples: spread(60*time.Millisecond, 20)},
	}}
	withDocker.HTTP = &HTTPBench{Rounds: 6, Workers: 4, MaxRequests: 2000, Duration: 500 * time.Millisecond, Rows: []HTTPRow{
		{Key: rowHTTPPublished, Label: "HTTP a través del puerto publicado", URL: "http://127.0.0.1:40975/", loadResult: loadResult{Requests: 1500, Elapsed: 3 * time.Second}},
		{Key: rowHTTPDirect, Label: "HTTP directo a la IP del contenedor", URL: "http://10.100.161.2:80/", loadResult: loadResult{Requests: 2000, Elapsed: 2 * time.Second}},
		{Key: rowHTTPDocker, Label: "HTTP por el puerto publicado de Docker", URL: "http://127.0.0.1:41002/", loadResult: loadResult{Requests: 1400, Elapsed: 3 * time.Second}},
	}}
	withDocker.Build = &BuildBench{
		Dockerfile: referenceDockerfile, NoCacheWarmups: 1, NoCacheRuns: 5, CachedWarmups: 1, CachedRuns: 10,
		Rows: []Row{
			{Key: rowBuildBolsillo, Label: buildLabel("bolsillo", false), Samples: spread(500*time.Millisecond, 5)},
			{Key: rowBuildDocker, Label: buildLabel("docker", false), Samples: spread(800*time.Millisecond, 5)},
			{Key: rowBuildCachedBolsillo, Label: buildLabel("bolsillo", true), Samples: spread(20*time.Millisecond, 10)},
			{Key: rowBuildCachedDocker, Label: buildLabel("docker", true), Samples: spread(80*time.Millisecond, 10)},
		},
	}
	withDocker.Pull = &PullBench{
		Image: "127.0.0.1:40000/bench/cinco:1", Layers: 5, CompressedBytes: 32_527_000, Warmups: 1, Runs: 5,
		Rows: []Row{
			{Key: rowPullBolsillo, Label: "bolsillo pull de una imagen de 5 capas (32.5 MB comprimidos)", Samples: spread(400*time.Millisecond, 5)},
			{Key: rowPullDocker, Label: "docker pull de una imagen de 5 capas (32.5 MB comprimidos)", Samples: spread(1200*time.Millisecond, 5)},
		},
	}
	withDocker.List = &ListBench{Containers: 200, Images: 102, Warmups: 3, Runs: 20, Rows: []Row{
		{Key: rowListPs, Label: "bolsillo ps -a con 200 contenedores", Samples: spread(48*time.Millisecond, 20)},
		{Key: rowListImages, Label: "bolsillo images con 102 imágenes", Samples: spread(61*time.Millisecond, 20)},
	}}
	withDocker.Failures = []string{"RSS de bolsillod: open /proc/42/status: no such file or directory"}
	withDocker.Cleanup = []string{"/tmp/bolsillo-bench-1 no se borra porque aún hay montajes bajo él: /tmp/bolsillo-bench-1/root/x"}

	registryDown := base()
	registryDown.Rows = []Row{
		{Key: rowBolsillo, Label: "bolsillo run --rm busybox true", Samples: spread(60*time.Millisecond, 20)},
		{Key: rowRunc, Label: "runc run (mismo rootfs)", Samples: spread(20*time.Millisecond, 20)},
	}
	registryDown.DockerNote = noDocker.DockerNote
	registryDown.RSSAfterInit, registryDown.RSSAfterRuns = 15448*1024, 18000*1024
	registryDown.Exec = &ExecBench{Rows: []Row{
		{Key: rowExecBolsillo, Label: execLabel("bolsillo"), Err: "bolsillo exec bench-exec echo bolsillo-bench: exit status 1: Error response from daemon: container is not running"},
		{Key: rowExecDocker, Label: execLabel("docker"), Err: "docker create --name bench-exec-0123456789ab: exit status 125: Conflict"},
	}}
	registryDown.HTTP = &HTTPBench{Rounds: 6, Workers: 4, MaxRequests: 2000, Duration: 500 * time.Millisecond, Rows: []HTTPRow{
		{Key: rowHTTPPublished, Label: "HTTP a través del puerto publicado", URL: "http://127.0.0.1:40975/", Err: "Get \"http://127.0.0.1:40975/\": read tcp 127.0.0.1:51234->127.0.0.1:40975: read: connection reset by peer"},
		{Key: rowHTTPDirect, Label: "HTTP directo a la IP del contenedor", URL: "http://10.100.161.2:80/", loadResult: loadResult{Requests: 2000, Elapsed: 1250 * time.Millisecond}},
	}}
	registryDown.Build = &BuildBench{
		Dockerfile: referenceDockerfile, NoCacheWarmups: 1, NoCacheRuns: 5, CachedWarmups: 1, CachedRuns: 10,
		Rows: []Row{
			{Key: rowBuildBolsillo, Label: buildLabel("bolsillo", false), Err: "bolsillo build --force-rm --no-cache -t bench/ref:1 /tmp/bolsillo-bench-1/build: the build did not use the cache as expected: 2 steps came from the cache, want 0"},
			{Key: rowBuildDocker, Label: buildLabel("docker", false), Skipped: "Docker ya tiene una imagen bench/ref:1 que no es de este benchmark, y no se toca"},
			{Key: rowBuildCachedBolsillo, Label: buildLabel("bolsillo", true), Skipped: "la caché sale de los builds sin caché, que fallaron"},
			{Key: rowBuildCachedDocker, Label: buildLabel("docker", true), Skipped: "Docker ya tiene una imagen bench/ref:1 que no es de este benchmark, y no se toca"},
		},
	}
	registryDown.Pull = &PullBench{
		Warmups: 1, Runs: 5,
		Rows: []Row{{Key: rowPullBolsillo, Label: "bolsillo pull", Err: "bolsillo-registry exited at start (exit status 1): address already in use"}},
	}
	registryDown.Explain = &ExplainBench{Rows: explainRows(map[string][3]int{
		"ps":     {7, 7, -1},
		"images": {8, 9, -1},
		"run":    {90, 92, -1},
	})}
	registryDown.Course = &CourseBench{
		Row: Row{Key: rowCourse, Label: "bolsillo leccion auto --todas", Command: []string{"bolsillo", "leccion", "auto", "--todas"},
			Err: "bolsillo -H unix:///tmp/bolsillo-bench-1/curso/api.sock leccion auto --todas: exit status 1"},
		Tail: []string{
			"$ bolsillo run -d --name web7 -p 8070:80 busybox httpd -f -p 80",
			"Error: el puerto 8070 del anfitrión ya está en uso",
			"**La lección se detuvo.** el paso 1 de la lección 7 falló",
		},
	}

	registryDown.List = &ListBench{Warmups: 3, Runs: 20, Rows: []Row{
		{Key: rowListPs, Label: "bolsillo ps -a", Err: "bolsillo create --name bench-lista-7 busybox true: exit status 1: no space left on device"},
		{Key: rowListImages, Label: "bolsillo images", Err: "bolsillo create --name bench-lista-7 busybox true: exit status 1: no space left on device"},
	}}

	return map[string]*Report{"no-docker": noDocker, "docker-runc-missing": withDocker, "registry-down": registryDown}
}

func TestWriteText(t *testing.T) {
	for name, r := range sampleReports() {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := r.WriteText(&out); err != nil {
				t.Fatal(err)
			}
			golden(t, out.Bytes())
		})
	}
}

func TestWriteJSON(t *testing.T) {
	for name, r := range sampleReports() {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := r.WriteJSON(&out); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(out.Bytes()) {
				t.Fatalf("WriteJSON wrote invalid JSON:\n%s", out.Bytes())
			}
			golden(t, out.Bytes())
		})
	}
}

func TestTargets(t *testing.T) {
	type verdict struct {
		value float64
		met   *bool // nil: not measured
	}
	yes, no := ptr(true), ptr(false)
	tests := []struct {
		name string
		r    Report
		want map[string]verdict
	}{
		{
			name: "everything measured",
			r: Report{
				Rows: []Row{
					{Key: rowBolsillo, Samples: ms(40, 50, 60)},
					{Key: rowRunc, Samples: ms(20, 25, 30)},
					{Key: rowDockerNone, Samples: ms(200)},
					{Key: rowDockerBridge, Samples: ms(600)},
				},
				Exec: &ExecBench{Rows: []Row{
					{Key: rowExecBolsillo, Samples: ms(10, 20, 30)},
					{Key: rowExecDocker, Samples: ms(70)},
				}},
				HTTP: &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 800), rateRow(rowHTTPDirect, 1000)}},
				Pull: &PullBench{Rows: []Row{
					{Key: rowPullBolsillo, Samples: ms(500, 400, 450)},
					{Key: rowPullDocker, Samples: ms(450, 459)},
				}},
				Build: &BuildBench{Rows: []Row{
					{Key: rowBuildBolsillo, Samples: ms(400, 500, 600)},
					{Key: rowBuildDocker, Samples: ms(1000)},
					{Key: rowBuildCachedBolsillo, Samples: ms(100, 149, 200)},
					{Key: rowBuildCachedDocker, Samples: ms(80)},
				}},
				Explain: &ExplainBench{Rows: explainRows(map[string][3]int{
					"ps":     {10, 11, 25},
					"images": {12, 11, 31},
					"run":    {90, 95, 100},
				})},
				Course: &CourseBench{Row: Row{Key: rowCourse, Samples: ms(11000)}},
				List: &ListBench{Rows: []Row{
					{Key: rowListPs, Samples: ms(10, 12, 60)},
					{Key: rowListImages, Samples: ms(49)},
				}},
				RSSAfterInit: 20_000_000, RSSAfterRuns: 25_000_000,
			},
			want: map[string]verdict{
				"bolsillo/runc":               {2, yes},
				"docker-none/bolsillo":        {4, yes},
				"docker-bridge/bolsillo":      {12, yes},
				"exec-docker/exec-bolsillo":   {3.5, yes},
				"http-published/http-direct":  {0.8, yes},
				"pull-docker/pull-bolsillo":   {1.01, yes},
				"build-docker/build-bolsillo": {2, yes},
				"build-cached-bolsillo":       {149, yes},
				"explain-tty-added":           {19, yes},
				"course":                      {11, yes},
				"list-ps":                     {12, yes},
				"list-images":                 {49, yes},
				"idle-rss":                    {25_000_000, yes},
			},
		},
		{
			name: "targets missed",
			r: Report{
				Rows: []Row{
					{Key: rowBolsillo, Samples: ms(100)},
					{Key: rowRunc, Samples: ms(40)},
					{Key: rowDockerNone, Samples: ms(399)},
					{Key: rowDockerBridge, Err: "boom"},
				},
				Exec: &ExecBench{Rows: []Row{
					{Key: rowExecBolsillo, Samples: ms(30)},
					{Key: rowExecDocker, Samples: ms(60)},
				}},
				HTTP: &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 690), rateRow(rowHTTPDirect, 1000)}},
				Pull: &PullBench{Rows: []Row{
					{Key: rowPullBolsillo, Samples: ms(500)},
					{Key: rowPullDocker, Samples: ms(450)},
				}},
				Build: &BuildBench{Rows: []Row{
					{Key: rowBuildBolsillo, Samples: ms(501)},
					{Key: rowBuildDocker, Samples: ms(1000)},
					{Key: rowBuildCachedBolsillo, Samples: ms(150)},
				}},
				Explain: &ExplainBench{Rows: explainRows(map[string][3]int{
					"ps":     {10, 11, 25},
					"images": {12, 11, 32},
					"run":    {90, 95, 100},
				})},
				Course: &CourseBench{Row: Row{Key: rowCourse, Samples: ms(120000)}},
				List: &ListBench{Rows: []Row{
					{Key: rowListPs, Samples: ms(50)},
					{Key: rowListImages, Samples: ms(30, 70, 80)},
				}},
				RSSAfterInit: 30_000_000, RSSAfterRuns: 10_000_000,
			},
			want: map[string]verdict{
				"bolsillo/runc":               {2.5, no},
				"docker-none/bolsillo":        {3.99, no},
				"docker-bridge/bolsillo":      {0, nil},
				"exec-docker/exec-bolsillo":   {2, no},
				"http-published/http-direct":  {0.69, no},
				"pull-docker/pull-bolsillo":   {0.9, no},
				"build-docker/build-bolsillo": {1000.0 / 501, no},
				"build-cached-bolsillo":       {150, no},
				"explain-tty-added":           {20, no},
				"course":                      {120, no},
				"list-ps":                     {50, no},
				"list-images":                 {70, no},
				"idle-rss":                    {30_000_000, no},
			},
		},
		{
			name: "nothing measured",
			r: Report{
				Rows:  []Row{{Key: rowBolsillo, Err: "boom"}, {Key: rowRunc, Skipped: "missing"}},
				Build: &BuildBench{Rows: []Row{{Key: rowBuildBolsillo, Err: "boom"}, {Key: rowBuildDocker, Samples: ms(1000)}}},
				// The worst of two commands is not the worst of three.
				Explain: &ExplainBench{Rows: explainRows(map[string][3]int{
					"ps":     {10, 11, 25},
					"images": {12, 11, 31},
					"run":    {90, 95, -1},
				})},
				Course: &CourseBench{Row: Row{Key: rowCourse, Err: "exit status 1"}},
				List:   &ListBench{Rows: []Row{{Key: rowListPs, Err: "boom"}, {Key: rowListImages, Err: "boom"}}},
			},
			want: map[string]verdict{
				"bolsillo/runc":               {0, nil},
				"docker-none/bolsillo":        {0, nil},
				"docker-bridge/bolsillo":      {0, nil},
				"exec-docker/exec-bolsillo":   {0, nil},
				"http-published/http-direct":  {0, nil},
				"pull-docker/pull-bolsillo":   {0, nil},
				"build-docker/build-bolsillo": {0, nil},
				"build-cached-bolsillo":       {0, nil},
				"explain-tty-added":           {0, nil},
				"course":                      {0, nil},
				"list-ps":                     {0, nil},
				"list-images":                 {0, nil},
				"idle-rss":                    {0, nil},
			},
		},
		{
			name: "pull and build without Docker",
			r: Report{
				Rows: []Row{{Key: rowBolsillo, Samples: ms(50)}},
				Pull: &PullBench{Rows: []Row{{Key: rowPullBolsillo, Samples: ms(500)}}, DockerNote: "no daemon"},
				Build: &BuildBench{Rows: []Row{
					{Key: rowBuildBolsillo, Samples: ms(400)},
					{Key: rowBuildCachedBolsillo, Samples: ms(10)},
				}, DockerNote: "no daemon"},
			},
			want: map[string]verdict{
				"bolsillo/runc":               {0, nil},
				"docker-none/bolsillo":        {0, nil},
				"docker-bridge/bolsillo":      {0, nil},
				"exec-docker/exec-bolsillo":   {0, nil},
				"http-published/http-direct":  {0, nil},
				"pull-docker/pull-bolsillo":   {0, nil},
				"build-docker/build-bolsillo": {0, nil},
				"build-cached-bolsillo":       {10, yes},
				"explain-tty-added":           {0, nil},
				"course":                      {0, nil},
				"list-ps":                     {0, nil},
				"list-images":                 {0, nil},
				"idle-rss":                    {0, nil},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.Targets()
			if len(got) != len(tt.want) {
				t.Fatalf("Targets() returned %d targets, want %d", len(got), len(tt.want))
			}
			for _, target := range got {
				want, ok := tt.want[target.Key]
				if !ok {
					t.Errorf("unexpected target %q", target.Key)
					continue
				}
				if diff := target.Value - want.value; diff > 1e-9 || diff < -1e-9 {
					t.Errorf("%s value = %v, want %v", target.Key, target.Value, want.value)
				}
				switch {
				case (target.Met == nil) != (want.met == nil):
					t.Errorf("%s met = %v, want %v", target.Key, target.Met, want.met)
				case target.Met != nil && *target.Met != *want.met:
					t.Errorf("%s met = %v, want %v", target.Key, *target.Met, *want.met)
				case target.Met == nil && target.Note == "":
					t.Errorf("%s not measured but has no note", target.Key)
				}
			}
		})
	}
}

func TestFailed(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		want bool
	}{
		{"all measured", Report{Rows: []Row{{Key: rowBolsillo, Samples: ms(1)}}}, false},
		{"a skipped row is not a failure", Report{Rows: []Row{{Key: rowRunc, Skipped: "missing"}}}, false},
		{"a row error", Report{Rows: []Row{{Key: rowRunc, Err: "exit status 1"}}}, true},
		{"an RSS that could not be read", Report{Failures: []string{"RSS"}}, true},
		{"a clean-up problem is not a failure", Report{Cleanup: []string{"mount left"}}, false},
		{"a pull measured", Report{Pull: &PullBench{Rows: []Row{{Key: rowPullBolsillo, Samples: ms(1)}}}}, false},
		{"a pull row error", Report{Rows: []Row{{Key: rowBolsillo, Samples: ms(1)}}, Pull: &PullBench{Rows: []Row{{Key: rowPullDocker, Err: "exit status 1"}}}}, true},
		{"a build measured", Report{Build: &BuildBench{Rows: []Row{{Key: rowBuildBolsillo, Samples: ms(1)}, {Key: rowBuildDocker, Skipped: "taken"}}}}, false},
		{"an exec measured", Report{Exec: &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Samples: ms(1)}}, DockerNote: "no daemon"}}, false},
		{"an exec row error", Report{Rows: []Row{{Key: rowBolsillo, Samples: ms(1)}}, Exec: &ExecBench{Rows: []Row{{Key: rowExecDocker, Err: "exit status 125"}}}}, true},
		{"an HTTP measured", Report{HTTP: &HTTPBench{Rows: []HTTPRow{rateRow(rowHTTPPublished, 1), rateRow(rowHTTPDirect, 1)}}}, false},
		{"an HTTP row error", Report{Rows: []Row{{Key: rowBolsillo, Samples: ms(1)}}, HTTP: &HTTPBench{Rows: []HTTPRow{{Key: rowHTTPPublished, Err: "connection reset"}, rateRow(rowHTTPDirect, 1)}}}, true},
		{"explanations measured", Report{Explain: &ExplainBench{Rows: explainRows(map[string][3]int{"ps": {1, 1, 1}, "images": {1, 1, 1}, "run": {1, 1, 1}})}}, false},
		{"an explanation row error", Report{Explain: &ExplainBench{Rows: explainRows(map[string][3]int{"ps": {1, 1, -1}, "images": {1, 1, 1}, "run": {1, 1, 1}})}}, true},
		{"a course measured", Report{Course: &CourseBench{Row: Row{Key: rowCourse, Samples: ms(10000)}}}, false},
		{"a course that failed", Report{Course: &CourseBench{Row: Row{Key: rowCourse, Err: "exit status 1"}, Tail: []string{"x"}}}, true},
		{"listings measured", Report{List: &ListBench{Rows: []Row{{Key: rowListPs, Samples: ms(10)}, {Key: rowListImages, Samples: ms(10)}}}}, false},
		{"a listing that failed", Report{List: &ListBench{Rows: []Row{{Key: rowListPs, Err: "printed 3 lines, want 201"}, {Key: rowListImages, Samples: ms(10)}}}}, true},
		{"a build row error", Report{Rows: []Row{{Key: rowBolsillo, Samples: ms(1)}}, Build: &BuildBench{Rows: []Row{{Key: rowBuildCachedBolsillo, Err: "cache not used"}}}}, true},
	}
	for _, tt := range tests {
		if got := tt.r.Failed(); got != tt.want {
			t.Errorf("%s: Failed() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
