package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Load: one daemon, many clients at once, the two CLIs mixed, hundreds of
// objects; every command succeeds or fails with an error, the store stays
// consistent and everything is removed at the end.

// loadVia names the CLI a client uses.
type loadVia string

const (
	viaBolsillo loadVia = "bolsillo"
	viaDocker   loadVia = "docker"
)

// viaAlternating gives half of the clients each CLI.
func viaAlternating(i int) loadVia {
	if i%2 == 0 {
		return viaDocker
	}
	return viaBolsillo
}

// loadCLI runs both CLIs against one daemon. Unlike daemon.exec, it never
// calls the test: it is safe from any goroutine.
type loadCLI struct {
	d         *daemon
	dockerCfg string
}

func newLoadCLI(t *testing.T, d *daemon) loadCLI {
	return loadCLI{d: d, dockerCfg: t.TempDir()}
}

// run runs one command, explanations off; err is only for a command that
// could not run or timed out, not for a non-zero exit.
func (c loadCLI) run(via loadVia, args ...string) (result, error) {
	var argv, env []string
	if via == viaDocker {
		argv = append([]string{"docker"}, args...)
		env = []string{"DOCKER_HOST=" + c.d.host(), "DOCKER_CONFIG=" + c.dockerCfg, "DOCKER_CLI_HINTS=false", "DOCKER_BUILDKIT=0"}
	} else {
		argv = append([]string{filepath.Join(bin, "bolsillo"), "-H", c.d.host(), "--explicar=false"}, args...)
	}
	return runCommand(argv, env)
}

// must runs one command and returns its standard output, or an error
// that quotes it unless it exited 0.
func (c loadCLI) must(via loadVia, args ...string) (string, error) {
	r, err := c.run(via, args...)
	if err == nil && r.code != 0 {
		err = fmt.Errorf("%s %s: exit %d: %s", via, strings.Join(args, " "), r.code, strings.TrimSpace(r.stderr))
	}
	return r.stdout, err
}

// mustT is must from the test's goroutine: it fails the test on an error.
func (c loadCLI) mustT(t *testing.T, via loadVia, args ...string) string {
	t.Helper()
	out, err := c.must(via, args...)
	if err != nil {
		t.Fatalf("%v\ndaemon log:\n%s", err, loadLastLines(c.d.log.String(), 30))
	}
	return out
}

// loadLastLines returns the last n lines of s.
func loadLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// loadParallel calls f(i) for every i in [0, n) from workers goroutines and
// returns the errors of the calls that failed.
func loadParallel(n, workers int, f func(i int) error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// loadFailOn reports every error and stops the test if there was any.
func loadFailOn(t *testing.T, what string, errs []error) {
	t.Helper()
	for _, err := range errs {
		t.Errorf("%s: %v", what, err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
}

var loadHexID = regexp.MustCompile(`^(sha256:)?[0-9a-f]{64}$`)

// loadIDs returns the lines of out, each of which must be a full ID.
func loadIDs(t *testing.T, what, out string) []string {
	t.Helper()
	ids := strings.Fields(out)
	for _, id := range ids {
		if !loadHexID.MatchString(id) {
			t.Fatalf("%s printed %q, not a full ID:\n%s", what, id, out)
		}
	}
	return ids
}

// loadSameSet reports whether a and b hold the same strings, in any order.
func loadSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// loadTimed runs f and returns how long it took.
func loadTimed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// loadContainer is what the load tests read of a container's inspect.
type loadContainer struct {
	ID    string `json:"Id"`
	Name  string
	State struct {
		Status  string
		Running bool
		Pid     int
	}
	NetworkSettings struct {
		Networks map[string]struct{ IPAddress string }
	}
}

// loadImage is what the load tests read of an image's inspect.
type loadImage struct {
	ID       string `json:"Id"`
	RepoTags []string
	RootFS   struct{ Layers []string }
	Config   struct{ Labels map[string]string }
}

// loadInspect inspects every object of kind ("container" or "image") with
// one command and decodes the answer.
func loadInspect[T any](t *testing.T, c loadCLI, kind string, refs []string) []T {
	t.Helper()
	out := c.mustT(t, viaBolsillo, append([]string{kind, "inspect"}, refs...)...)
	var list []T
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%s inspect: %v", kind, err)
	}
	if len(list) != len(refs) {
		t.Fatalf("%s inspect of %d objects returned %d", kind, len(refs), len(list))
	}
	return list
}

// 50 containers started at once by 10 clients, half of them with the
// docker CLI; 150 more created, and the 200 listed by both CLIs; then all
// removed at once by 4 clients, and busybox after them.
func TestLoadContainers(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	c := newLoadCLI(t, d)

	const clients, perClient = 10, 5
	names := map[string]string{} // ID -> name
	var mu sync.Mutex
	elapsed := loadTimed(func() {
		loadFailOn(t, "run -d", loadParallel(clients, clients, func(g int) error {
			var errs []error
			for i := range perClient {
				name := fmt.Sprintf("carga-%d-%d", g, i)
				out, err := c.must(viaAlternating(g), "run", "-d", "--name", name, "busybox", "sleep", "600")
				if err != nil {
					errs = append(errs, err)
					continue
				}
				mu.Lock()
				names[strings.TrimSpace(out)] = name
				mu.Unlock()
			}
			return errors.Join(errs...)
		}))
	})
	t.Logf("%d containers started by %d clients in %s", clients*perClient, clients, elapsed.Round(time.Millisecond))

	running := slices.Collect(maps.Keys(names))
	if len(running) != clients*perClient {
		t.Fatalf("%d distinct IDs from %d runs", len(running), clients*perClient)
	}
	if got := loadIDs(t, "ps -q", c.mustT(t, viaBolsillo, "ps", "-q", "--no-trunc")); !loadSameSet(got, running) {
		t.Errorf("ps lists %d containers, not the %d started", len(got), len(running))
	}
	pids, ips := map[int]bool{}, map[string]bool{}
	for _, ctr := range loadInspect[loadContainer](t, c, "container", running) {
		if want := "/" + names[ctr.ID]; ctr.Name != want {
			t.Errorf("container %s is named %q, want %q", ctr.ID[:12], ctr.Name, want)
		}
		if !ctr.State.Running || ctr.State.Pid <= 0 || pids[ctr.State.Pid] {
			t.Errorf("container %s: running %v, pid %d (repeated: %v)", ctr.Name, ctr.State.Running, ctr.State.Pid, pids[ctr.State.Pid])
		}
		pids[ctr.State.Pid] = true
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", ctr.State.Pid)); err != nil {
			t.Errorf("container %s: its process %d does not exist", ctr.Name, ctr.State.Pid)
		}
		ip := ctr.NetworkSettings.Networks["bridge"].IPAddress
		if ip == "" || ips[ip] {
			t.Errorf("container %s has address %q (repeated: %v)", ctr.Name, ip, ips[ip])
		}
		ips[ip] = true
	}
	d.waitBridge(len(running))

	// 150 more, created and never started: 200 in all.
	const created = 150
	elapsed = loadTimed(func() {
		loadFailOn(t, "create", loadParallel(created, 5, func(i int) error {
			name := fmt.Sprintf("carga-creado-%d", i)
			out, err := c.must(viaAlternating(i), "create", "--name", name, "busybox", "true")
			if err == nil {
				mu.Lock()
				names[strings.TrimSpace(out)] = name
				mu.Unlock()
			}
			return err
		}))
	})
	t.Logf("%d containers created by 5 clients in %s", created, elapsed.Round(time.Millisecond))
	all := slices.Collect(maps.Keys(names))
	if len(all) != len(running)+created {
		t.Fatalf("%d distinct IDs, want %d", len(all), len(running)+created)
	}

	for _, via := range []loadVia{viaBolsillo, viaDocker} {
		var out string
		elapsed := loadTimed(func() { out = c.mustT(t, via, "ps", "-a", "-q", "--no-trunc") })
		t.Logf("%s ps -a with %d containers: %s", via, len(all), elapsed.Round(time.Millisecond))
		if got := loadIDs(t, "ps -a -q", out); !loadSameSet(got, all) {
			t.Errorf("%s ps -a lists %d containers, not the %d there are", via, len(got), len(all))
		}
		if got := strings.Fields(c.mustT(t, via, "ps", "-q")); len(got) != len(running) {
			t.Errorf("%s ps lists %d running containers, want %d", via, len(got), len(running))
		}
	}
	states := map[string]int{}
	for line := range strings.Lines(c.mustT(t, viaBolsillo, "ps", "-a", "--format", "{{.Names}} {{.State}}")) {
		name, state, _ := strings.Cut(strings.TrimSpace(line), " ")
		if !strings.HasPrefix(name, "carga-") {
			t.Errorf("ps -a lists %q", line)
		}
		states[state]++
	}
	if states["running"] != len(running) || states["created"] != created {
		t.Errorf("ps -a states = %v, want %d running and %d created", states, len(running), created)
	}
	// The table a student reads, with its explanation of 200 containers.
	if r := d.must("ps", "-a"); strings.Count(r.stdout, "\n") != len(all)+1 {
		t.Errorf("ps -a printed %d lines, want a header and %d containers", strings.Count(r.stdout, "\n"), len(all))
	}

	// Removed at once by 4 clients, 50 each.
	slices.Sort(all)
	loadFailOn(t, "rm -f", loadParallel(4, 4, func(i int) error {
		_, err := c.must(viaAlternating(i), append([]string{"rm", "-f"}, all[i*50:(i+1)*50]...)...)
		return err
	}))
	if out := c.mustT(t, viaDocker, "ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after rm -f:\n%s", out)
	}
	d.waitBridge(0)
	if ents, _ := os.ReadDir(filepath.Join(d.root, "containers")); len(ents) != 0 {
		t.Errorf("%d container directories left under %s", len(ents), filepath.Join(d.root, "containers"))
	}
	loadCheckStore(t, c, true)
	c.mustT(t, viaBolsillo, "rmi", "busybox")
	loadCheckEmpty(t, c)
}

// loadContext writes a build context: a Dockerfile and files.
func loadContext(t *testing.T, dir, dockerfile string, files map[string]string) {
	t.Helper()
	files["Dockerfile"] = dockerfile
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// 100 images that share their layers: a base with a file of its own over
// busybox, 70 builds of it that only add a label, 10 that add a small file
// and 19 commits of containers of it; both CLIs build and commit. images
// -a lists them, the data root holds each layer once, and removing them
// all leaves an empty store.
func TestLoadImages(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	c := newLoadCLI(t, d)

	base := t.TempDir()
	loadContext(t, base, "FROM busybox\nCOPY comun.txt /comun.txt\n", map[string]string{"comun.txt": strings.Repeat("capa compartida\n", 4096)})
	c.mustT(t, viaBolsillo, "build", "-q", "-t", "carga/base:1", base)
	refs := []string{"carga/base:1"}

	const labels, copies, commits = 70, 10, 19
	contexts := make([]string, labels+copies)
	for i := range contexts {
		contexts[i] = t.TempDir()
		if i < labels {
			loadContext(t, contexts[i], fmt.Sprintf("FROM carga/base:1\nLABEL variante=%d\n", i), map[string]string{})
			refs = append(refs, fmt.Sprintf("carga/etiqueta:%d", i))
		} else {
			loadContext(t, contexts[i], "FROM carga/base:1\nCOPY variante.txt /variante.txt\n", map[string]string{"variante.txt": fmt.Sprintf("variante %d\n", i)})
			refs = append(refs, fmt.Sprintf("carga/copia:%d", i))
		}
	}
	for i := range commits {
		refs = append(refs, fmt.Sprintf("carga/commit:%d", i))
	}
	elapsed := loadTimed(func() {
		loadFailOn(t, "build", loadParallel(len(contexts), 4, func(i int) error {
			_, err := c.must(viaAlternating(i), "build", "-q", "-t", refs[1+i], contexts[i])
			return err
		}))
		loadFailOn(t, "commit", loadParallel(commits, 4, func(i int) error {
			name := fmt.Sprintf("carga-commit-%d", i)
			via := viaAlternating(i)
			if _, err := c.must(via, "create", "--name", name, "carga/base:1", "true"); err != nil {
				return err
			}
			if _, err := c.must(via, "commit", "--change", fmt.Sprintf("LABEL commit=%d", i), name, refs[1+labels+copies+i]); err != nil {
				return err
			}
			_, err := c.must(via, "rm", name)
			return err
		}))
	})
	t.Logf("%d images built or committed by 4 clients in %s", len(refs)-1, elapsed.Round(time.Millisecond))
	if len(refs) != 100 {
		t.Fatalf("the test makes %d images, want 100", len(refs))
	}

	for _, via := range []loadVia{viaBolsillo, viaDocker} {
		var out string
		elapsed := loadTimed(func() { out = c.mustT(t, via, "images", "-a", "--format", "{{.Repository}}:{{.Tag}}") })
		t.Logf("%s images -a with %d images: %s", via, len(refs)+1, elapsed.Round(time.Millisecond))
		if got := strings.Fields(out); !loadSameSet(got, append([]string{"busybox:latest"}, refs...)) {
			t.Errorf("%s images -a lists %d images, want busybox and the %d made:\n%s", via, len(got), len(refs), out)
		}
	}
	if r := d.must("images", "-a"); strings.Count(r.stdout, "\n") != len(refs)+2 {
		t.Errorf("images -a printed %d lines, want a header and %d images", strings.Count(r.stdout, "\n"), len(refs)+1)
	}

	// Layers: busybox's at the bottom of all, the base's file above it,
	// then a label adds none, a file one of its own and a commit of an
	// unchanged container an empty one.
	bb := loadInspect[loadImage](t, c, "image", []string{"busybox"})[0].RootFS.Layers
	images := loadInspect[loadImage](t, c, "image", refs)
	baseLayers := images[0].RootFS.Layers
	if len(bb) != 1 || len(baseLayers) != 2 || baseLayers[0] != bb[0] {
		t.Fatalf("busybox layers %v, carga/base:1 layers %v", bb, baseLayers)
	}
	own := map[string]string{}
	for i, img := range images[1:] {
		ref, layers := refs[1+i], img.RootFS.Layers
		want := 2
		if i >= labels {
			want = 3
		}
		if len(layers) != want || !slices.Equal(layers[:2], baseLayers) {
			t.Errorf("%s has layers %v, want carga/base:1's %v and %d more", ref, layers, baseLayers, want-2)
			continue
		}
		if i >= labels && i < labels+copies {
			if other, ok := own[layers[2]]; ok {
				t.Errorf("%s and %s share the layer of a file that differs: %s", ref, other, layers[2])
			}
			own[layers[2]] = ref
		}
	}
	loadCheckStore(t, c, true)

	// Removed by 4 clients: only busybox is left, with its one layer.
	loadFailOn(t, "rmi", loadParallel(4, 4, func(i int) error {
		_, err := c.must(viaAlternating(i), append([]string{"rmi"}, refs[i*25:(i+1)*25]...)...)
		return err
	}))
	if got := strings.Fields(c.mustT(t, viaBolsillo, "images", "-a", "-q", "--no-trunc")); len(got) != 1 {
		t.Errorf("images -a after rmi: %v, want busybox alone", got)
	}
	if got := loadLayerDirs(t, c.d); !slices.Equal(got, []string{strings.TrimPrefix(bb[0], "sha256:")}) {
		t.Errorf("layers under the data root after rmi: %v, want busybox's alone", got)
	}
	c.mustT(t, viaDocker, "rmi", "busybox")
	loadCheckEmpty(t, c)
}

// 20 builds of the same tag at once, 10 by each CLI: each succeeds or
// fails with an error; one image ends with the tag, one the build that
// made it; the others are untagged; no build directory is left.
func TestLoadParallelBuildsSameTag(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	c := newLoadCLI(t, d)

	const builds, tag = 20, "carga/misma:1"
	contexts := make([]string, builds)
	for i := range contexts {
		contexts[i] = t.TempDir()
		loadContext(t, contexts[i], fmt.Sprintf("FROM busybox\nCOPY dato.txt /dato.txt\nRUN echo %d > /build\nLABEL build=%d\n", i, i),
			map[string]string{"dato.txt": fmt.Sprintf("dato %d\n", i)})
	}
	built := make([]string, builds) // image ID of each build that succeeded
	failures := make([]string, builds)
	elapsed := loadTimed(func() {
		loadFailOn(t, "build", loadParallel(builds, builds, func(i int) error {
			r, err := c.run(viaAlternating(i), "build", "-q", "-t", tag, contexts[i])
			switch {
			case err != nil:
				return err
			case r.code == 0:
				id := strings.TrimSpace(r.stdout)
				if !loadHexID.MatchString(id) {
					return fmt.Errorf("build %d succeeded but printed %q", i, r.stdout)
				}
				built[i] = strings.TrimPrefix(id, "sha256:")
			case strings.Contains(r.stderr, "panic") || strings.TrimSpace(r.stderr) == "":
				return fmt.Errorf("build %d failed without a clean error: %s", i, r)
			default:
				failures[i] = strings.TrimSpace(r.stderr)
			}
			return nil
		}))
	})
	ok := 0
	for i, id := range built {
		if id != "" {
			ok++
		} else {
			t.Logf("build %d (%s) failed cleanly: %s", i, viaAlternating(i), failures[i])
		}
	}
	t.Logf("%d builds of %s at once: %d succeeded, in %s", builds, tag, ok, elapsed.Round(time.Millisecond))
	if ok == 0 {
		t.Fatal("no build succeeded")
	}

	// One image has the tag: one that a build made, with its label and
	// its files; every other image built is untagged.
	tagged := loadInspect[loadImage](t, c, "image", []string{tag})[0]
	winner := slices.Index(built, strings.TrimPrefix(tagged.ID, "sha256:"))
	if winner < 0 {
		t.Fatalf("%s is %s, which no build printed", tag, tagged.ID)
	}
	if got := tagged.Config.Labels["build"]; got != fmt.Sprint(winner) {
		t.Errorf("%s is build %d's image but its label build=%q", tag, winner, got)
	}
	if got, want := c.mustT(t, viaBolsillo, "run", "--rm", tag, "cat", "/build", "/dato.txt"), fmt.Sprintf("%d\ndato %d\n", winner, winner); got != want {
		t.Errorf("the files of %s (build %d) = %q, want %q", tag, winner, got, want)
	}
	var others []string
	for i, id := range built {
		if id != "" && i != winner {
			others = append(others, id)
		}
	}
	present := strings.Fields(c.mustT(t, viaBolsillo, "images", "-a", "-q", "--no-trunc"))
	var kept []string
	for _, id := range others {
		if slices.Contains(present, "sha256:"+id) || slices.Contains(present, id) {
			kept = append(kept, id)
		}
	}
	if len(kept) > 0 {
		for _, img := range loadInspect[loadImage](t, c, "image", kept) {
			if len(img.RepoTags) > 0 {
				t.Errorf("image %s of another build still has tags %v", img.ID, img.RepoTags)
			}
		}
	}
	if got := strings.Fields(c.mustT(t, viaDocker, "images", "-q", "--no-trunc", "--filter", "reference="+tag)); len(got) != 1 {
		t.Errorf("images --filter reference=%s lists %v, want one image", tag, got)
	}
	if out := c.mustT(t, viaBolsillo, "ps", "-a", "-q"); out != "" {
		t.Errorf("the builds left containers:\n%s", out)
	}
	loadCheckStore(t, c, true)

	c.mustT(t, viaBolsillo, "image", "prune", "-a", "-f")
	loadCheckEmpty(t, c)
}

// loadLayerDirs lists the layers unpacked under the data root, by the
// hex digits of their diff IDs.
func loadLayerDirs(t *testing.T, d *daemon) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(d.root, "layers"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range ents {
		if loadHexID.MatchString(e.Name()) {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

// loadCheckStore checks that the store is consistent: every image
// inspects, its configuration and the directory of each of its layers
// exist, history works with both CLIs, and no build directory is left;
// with exact, the data root holds the layers of the images listed and
// nothing else (no container may exist then).
func loadCheckStore(t *testing.T, c loadCLI, exact bool) {
	t.Helper()
	ids := strings.Fields(c.mustT(t, viaBolsillo, "images", "-a", "-q", "--no-trunc"))
	slices.Sort(ids)
	ids = slices.Compact(ids)
	used := map[string]bool{}
	if len(ids) > 0 {
		for _, img := range loadInspect[loadImage](t, c, "image", ids) {
			config := filepath.Join(c.d.root, "image", "blobs", "sha256", strings.TrimPrefix(img.ID, "sha256:"))
			if _, err := os.Stat(config); err != nil {
				t.Errorf("image %s: its configuration is not in the store: %v", img.ID, err)
			}
			for _, l := range img.RootFS.Layers {
				hex := strings.TrimPrefix(l, "sha256:")
				used[hex] = true
				if _, err := os.Stat(filepath.Join(c.d.root, "layers", hex, "diff")); err != nil {
					t.Errorf("image %s: layer %s is not unpacked: %v", img.ID, l, err)
				}
			}
		}
	}
	loadFailOn(t, "history", loadParallel(len(ids), 4, func(i int) error {
		out, err := c.must(viaAlternating(i), "history", ids[i])
		if err == nil && strings.Count(out, "\n") < 2 {
			err = fmt.Errorf("history %s printed no layer:\n%s", ids[i], out)
		}
		return err
	}))
	if ents, _ := os.ReadDir(filepath.Join(c.d.root, "build")); len(ents) > 0 {
		t.Errorf("%d build directories left under %s", len(ents), filepath.Join(c.d.root, "build"))
	}
	if exact {
		if got := loadLayerDirs(t, c.d); !loadSameSet(got, slices.Collect(maps.Keys(used))) {
			t.Errorf("the data root holds %d layers, the %d images use %d:\n%v", len(got), len(ids), len(used), got)
		} else {
			t.Logf("%d images, %d layers under the data root", len(ids), len(got))
		}
	}
}

// loadCheckEmpty checks that no image, layer or blob is left.
func loadCheckEmpty(t *testing.T, c loadCLI) {
	t.Helper()
	if out := c.mustT(t, viaDocker, "images", "-a", "-q"); out != "" {
		t.Errorf("images left:\n%s", out)
	}
	if got := loadLayerDirs(t, c.d); len(got) > 0 {
		t.Errorf("layers left under the data root: %v", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(c.d.root, "image", "blobs", "sha256")); len(ents) > 0 {
		t.Errorf("%d blobs left in the image store", len(ents))
	}
	if ents, _ := os.ReadDir(filepath.Join(c.d.root, "build")); len(ents) > 0 {
		t.Errorf("%d build directories left", len(ents))
	}
}
