package server

import (
	"archive/tar"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// filesCalls records what the files routes passed to the fake backend.
var filesCalls struct {
	sync.Mutex
	extract string
	commit  backend.CommitOptions
}

var fakeStat = apicontainer.PathStat{
	Name:  "www",
	Size:  4096,
	Mode:  os.ModeDir | 0o755,
	Mtime: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
}

func (f *fakeBackend) ContainerStatPath(ref, path string) (*apicontainer.PathStat, error) {
	if path != "/www" {
		return nil, errdefs.NotFound("Could not find the file %s in container %s", path, ref)
	}
	st := fakeStat
	return &st, nil
}

func (f *fakeBackend) ContainerArchivePath(ref, path string, open func(*apicontainer.PathStat) (io.Writer, error)) error {
	st, err := f.ContainerStatPath(ref, path)
	if err != nil {
		return err
	}
	w, err := open(st)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: "www/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		return err
	}
	return tw.Close()
}

func (f *fakeBackend) ContainerExtractToDir(ref, path string, r io.Reader, noOverwrite, copyUIDGID bool) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	filesCalls.Lock()
	defer filesCalls.Unlock()
	filesCalls.extract = strings.Join([]string{ref, path, string(b), boolString(noOverwrite), boolString(copyUIDGID)}, "|")
	return nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (f *fakeBackend) ContainerChanges(ref string) ([]apicontainer.FilesystemChange, error) {
	return []apicontainer.FilesystemChange{
		{Path: "/www", Kind: apicontainer.ChangeModify},
		{Path: "/www/index.html", Kind: apicontainer.ChangeAdd},
		{Path: "/tmp/x", Kind: apicontainer.ChangeDelete},
	}, nil
}

func (f *fakeBackend) ContainerCommit(ctx context.Context, ref string, opts backend.CommitOptions) (string, error) {
	if ref != "web" {
		return "", errdefs.NotFound("No such container: %s", ref)
	}
	filesCalls.Lock()
	defer filesCalls.Unlock()
	filesCalls.commit = opts
	return "sha256:0123", nil
}

func TestArchiveRoutes(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()

	t.Run("HEAD stat header", func(t *testing.T) {
		resp := do(t, "HEAD", srv.URL+"/v1.50/containers/web/archive?path=/www", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", resp.StatusCode)
		}
		raw, err := base64.StdEncoding.DecodeString(resp.Header.Get("X-Docker-Container-Path-Stat"))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"name": "www", "size": float64(4096), "mode": float64(1<<31 | 0o755),
			"mtime": "2025-03-01T12:00:00Z", "linkTarget": "",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("stat[%s] = %v, want %v", k, got[k], v)
			}
		}
	})

	t.Run("GET tar", func(t *testing.T) {
		resp := do(t, "GET", srv.URL+"/containers/web/archive?path=/www", "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Docker-Container-Path-Stat") == "" {
			t.Fatalf("status = %d, stat header %q", resp.StatusCode, resp.Header.Get("X-Docker-Container-Path-Stat"))
		}
		hdr, err := tar.NewReader(resp.Body).Next()
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name != "www/" {
			t.Errorf("top entry = %q, want www/", hdr.Name)
		}
	})

	tests := []routeCase{
		{"GET", "/containers/web/archive?path=/nope", "", 404, `{"message":"Could not find the file /nope in container web"}`},
		{"HEAD", "/containers/web/archive?path=/nope", "", 404, ""},
		{"GET", "/containers/web/archive", "", 400, "path cannot be empty"},
		{"PUT", "/containers/web/archive?path=/www&noOverwriteDirNonDir=true&copyUIDGID=1", "TAR", 200, ""},
		{"GET", "/containers/web/changes", "", 200, `[{"Kind":0,"Path":"/www"},{"Kind":1,"Path":"/www/index.html"},{"Kind":2,"Path":"/tmp/x"}]`},
		{"POST", "/commit?container=web&repo=docker.io/library/web&tag=2&comment=con+index&author=yo&changes=CMD+%5B%22sh%22%5D&pause=0", `{"Env":["A=b"]}`, 201, `{"Id":"sha256:0123"}`},
		{"POST", "/commit?container=fantasma", "", 404, "No such container: fantasma"},
	}
	checkRoutes(t, srv.URL, tests)

	filesCalls.Lock()
	defer filesCalls.Unlock()
	if got, want := filesCalls.extract, "web|/www|TAR|true|true"; got != want {
		t.Errorf("extract call = %q, want %q", got, want)
	}
	c := filesCalls.commit
	if c.Repo != "docker.io/library/web" || c.Tag != "2" || c.Comment != "con index" || c.Author != "yo" ||
		c.Pause || len(c.Changes) != 1 || c.Changes[0] != `CMD ["sh"]` || c.Config == nil || len(c.Config.Env) != 1 {
		t.Errorf("commit options = %+v", c)
	}
}
