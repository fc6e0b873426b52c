package registry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// startServer serves a registry on root at 127.0.0.1:<free port> and
// returns its address and a function that stops it.
func startServer(t *testing.T, opts Options) (addr string, stop func()) {
	t.Helper()
	srv, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}

func TestPushRestartPull(t *testing.T) {
	root := t.TempDir()
	img, err := random.Image(1024, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	addr, stop := startServer(t, Options{Root: root})
	ref, err := name.NewTag(addr+"/aula/busybox:1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	stop()

	// A new server on the same root, on another port: everything pushed
	// before must still be there.
	addr2, _ := startServer(t, Options{Root: root})
	ref2, err := name.NewTag(addr2+"/aula/busybox:1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref2)
	if err != nil {
		t.Fatalf("pull after restart: %v", err)
	}
	got, err := pulled.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("digest after restart = %s, want %s", got, want)
	}
	layers, err := pulled.Layers()
	if err != nil {
		t.Fatal(err)
	}
	wantLayers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != len(wantLayers) {
		t.Fatalf("pulled %d layers, want %d", len(layers), len(wantLayers))
	}
	for i := range layers {
		gotBytes := readLayer(t, layers[i].Compressed)
		wantBytes := readLayer(t, wantLayers[i].Compressed)
		if !bytes.Equal(gotBytes, wantBytes) {
			t.Errorf("layer %d differs after restart", i)
		}
	}
	tags, err := remote.List(ref2.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 1 || tags[0] != "1.0" {
		t.Errorf("tags = %q, want [1.0]", tags)
	}
}

func readLayer(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeleteEnabled(t *testing.T) {
	addr, _ := startServer(t, Options{Root: t.TempDir()})
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(addr+"/borrar:latest", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	byDigest := tag.Context().Digest(d.String())
	if err := remote.Delete(byDigest); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = remote.Image(byDigest)
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
		t.Errorf("pull after delete: err = %v, want 404", err)
	}
}

func TestLogging(t *testing.T) {
	const unknownBlob = "/v2/nada/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name    string
		verbose bool
		want    []string // substrings of the log; none: the log must be empty
	}{
		// Every push asks for blobs the registry does not have yet: the
		// 404s are not problems and a quiet registry says nothing.
		{name: "quiet", verbose: false},
		{name: "verbose", verbose: true, want: []string{
			"GET /v2/ 200",
			"HEAD " + unknownBlob + " 404",
			"blob unknown to registry",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			addr, stop := startServer(t, Options{Root: t.TempDir(), Log: &log, Verbose: tt.verbose})
			for _, req := range []struct {
				method, path string
				status       int
			}{
				{http.MethodGet, "/v2/", http.StatusOK},
				{http.MethodHead, unknownBlob, http.StatusNotFound},
			} {
				r, err := http.NewRequest(req.method, "http://"+addr+req.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != req.status {
					t.Errorf("%s %s = %d, want %d", req.method, req.path, resp.StatusCode, req.status)
				}
			}
			stop()
			got := log.String()
			if len(tt.want) == 0 && got != "" {
				t.Errorf("log = %q, want nothing", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("log = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "archivo")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		root string
		want string
	}{
		{name: "no root", root: "", want: "registry root directory not set"},
		{name: "root is a file", root: filepath.Join(file, "sub"), want: "creating registry root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), Options{Root: tt.root})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%q) error = %v, want it to contain %q", tt.root, err, tt.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
