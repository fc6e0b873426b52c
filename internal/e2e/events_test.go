package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// unixNano is a time as docker events' --since and --until take it.
func unixNano(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }

// TestEvents drives a daemon with the real docker CLI and reads back what
// `docker events` reports: every action, in order, as Docker publishes it.
func TestEvents(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nota.txt"), []byte("hola\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	docker := func(args ...string) result {
		t.Helper()
		r := d.docker(args...)
		if r.code != 0 {
			t.Fatalf("docker %s: %s", strings.Join(args, " "), r)
		}
		return r
	}

	since := time.Now()
	docker("volume", "create", "datos")
	docker("run", "-d", "--name", "web", "-v", "datos:/data", "busybox", "sleep", "1000")
	if r := d.docker("exec", "web", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("exec: %s", r)
	}
	docker("pause", "web")
	docker("unpause", "web")
	docker("rename", "web", "web2")
	docker("top", "web2")
	docker("cp", filepath.Join(dir, "nota.txt"), "web2:/tmp/")
	docker("cp", "web2:/tmp/nota.txt", filepath.Join(dir, "vuelta.txt"))
	docker("commit", "web2", "instantanea:1")
	docker("tag", "busybox", "copia")
	docker("rmi", "copia")
	docker("kill", "web2")
	docker("rm", "web2")
	docker("volume", "rm", "datos")
	docker("rmi", "instantanea:1")
	docker("run", "--rm", "busybox", "true")
	until := time.Now()

	window := []string{"--since", unixNano(since), "--until", unixNano(until)}
	r := docker(append([]string{"events", "--format", "{{.Type}} {{.Action}}"}, window...)...)
	want := []string{
		"volume create",
		"container create", "network connect", "volume mount", "container start",
		"container exec_create: sh -c exit 3", "container exec_start: sh -c exit 3", "container exec_die",
		"container pause", "container unpause",
		"container rename",
		"container top",
		"container extract-to-dir", "container archive-path",
		"container pause", "image tag", "container commit", "container unpause",
		"image tag", "image untag",
		"container kill", "network disconnect", "volume unmount", "container die",
		"container destroy",
		"volume destroy",
		"image untag", "image delete",
		"container create", "container attach", "network connect", "container start",
		"network disconnect", "container die", "container destroy",
	}
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("docker events printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Docker's attributes.
	type message struct {
		Type   string
		Action string
		Actor  struct {
			ID         string
			Attributes map[string]string
		}
	}
	r = docker(append([]string{"events", "--format", "{{json .}}", "--filter", "event=kill", "--filter", "event=die", "--filter", "event=rename", "--filter", "event=exec_die", "--filter", "type=container"}, window...)...)
	attrs := map[string]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		if _, ok := attrs[m.Action]; !ok { // the first of each
			attrs[m.Action] = m.Actor.Attributes
		}
	}
	for action, kv := range map[string]map[string]string{
		"exec_die": {"exitCode": "3", "name": "web", "image": "busybox"},
		"rename":   {"name": "web2", "oldName": "/web"},
		"kill":     {"signal": "9", "name": "web2"},
		"die":      {"exitCode": "137", "name": "web2"},
	} {
		for k, v := range kv {
			if attrs[action][k] != v {
				t.Errorf("%s: attribute %s = %q, want %q (all: %v)", action, k, attrs[action][k], v, attrs[action])
			}
		}
	}

	// Filters: a volume, a container's name, an exec's action prefix.
	filtered := func(args ...string) string {
		t.Helper()
		r := docker(append(append([]string{"events", "--format", "{{.Type}} {{.Action}}"}, args...), window...)...)
		return strings.TrimSpace(r.stdout)
	}
	if got := filtered("--filter", "volume=datos"); got != "volume create\nvolume mount\nvolume unmount\nvolume destroy" {
		t.Errorf("volume=datos:\n%s", got)
	}
	if got := filtered("--filter", "event=exec_start"); got != "container exec_start: sh -c exit 3" {
		t.Errorf("event=exec_start:\n%s", got)
	}
	// untag and delete name the image by its ID, as in Docker.
	if got := filtered("--filter", "image=instantanea", "--filter", "type=image"); got != "image tag" {
		t.Errorf("image=instantanea:\n%s", got)
	}

	// bolsillo events prints what docker events prints, and explains it.
	dr := docker(append([]string{"events"}, window...)...)
	br := d.must(append([]string{"events"}, window...)...)
	if br.stdout != dr.stdout {
		t.Errorf("bolsillo events printed\n%s\ndocker events printed\n%s", br.stdout, dr.stdout)
	}
	if !strings.Contains(br.stderr, "eventos del daemon") || !strings.Contains(br.stderr, "`container exec_die`") {
		t.Errorf("bolsillo events explained:\n%s", br.stderr)
	}

	// ExecIDs lists the execs that have not exited.
	docker("run", "-d", "--name", "otro", "busybox", "sleep", "1000")
	if got := strings.TrimSpace(docker("inspect", "-f", "{{json .ExecIDs}}", "otro").stdout); got != "null" {
		t.Errorf("ExecIDs without execs = %s", got)
	}
	docker("exec", "-d", "otro", "sleep", "1000")
	docker("exec", "otro", "true")
	var ids []string
	if err := json.Unmarshal([]byte(docker("inspect", "-f", "{{json .ExecIDs}}", "otro").stdout), &ids); err != nil || len(ids) != 1 || len(ids[0]) != 64 {
		t.Errorf("ExecIDs with one exec running = %q, %v", ids, err)
	}
	docker("rm", "-f", "otro")
}
