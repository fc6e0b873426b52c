package image

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/errdefs"
)

// testRegistry is an in-memory registry on 127.0.0.1, optionally behind a
// middleware.
type testRegistry struct {
	host string // "127.0.0.1:port"
}

func newTestRegistry(t *testing.T, middleware func(http.Handler) http.Handler) testRegistry {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(discardLogger()))
	if middleware != nil {
		h = middleware(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return testRegistry{host: strings.TrimPrefix(srv.URL, "http://")}
}

// ref returns the reference of repo:tag (or repo@digest) in the registry.
func (r testRegistry) ref(repoAndTag string) string { return r.host + "/" + repoAndTag }

// put uploads img as ref with ggcr, bypassing the store.
func (r testRegistry) put(t *testing.T, ref string, img v1.Image, opts ...remote.Option) {
	t.Helper()
	nref, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(nref, img, opts...); err != nil {
		t.Fatalf("uploading %s: %v", ref, err)
	}
}

func (r testRegistry) putIndex(t *testing.T, ref string, idx v1.ImageIndex) {
	t.Helper()
	nref, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(nref, idx); err != nil {
		t.Fatalf("uploading %s: %v", ref, err)
	}
}

// fetch returns the image ref as the registry has it.
func (r testRegistry) fetch(t *testing.T, ref string, opts ...remote.Option) v1.Image {
	t.Helper()
	nref, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(nref, opts...)
	if err != nil {
		t.Fatalf("fetching %s: %v", ref, err)
	}
	return img
}

func randomImage(t *testing.T, layers int64) v1.Image {
	t.Helper()
	img, err := random.Image(1024, layers)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func imageID(t *testing.T, img v1.Image) digest.Digest {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return digest.Digest(h.String())
}

func manifestDigest(t *testing.T, d interface{ Digest() (v1.Hash, error) }) digest.Digest {
	t.Helper()
	h, err := d.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return digest.Digest(h.String())
}

// actions collects progress reports.
type actions struct {
	mu   sync.Mutex
	seen []Progress
}

func (a *actions) add(p Progress) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, p)
}

// count returns how many reports had action.
func (a *actions) count(action string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, p := range a.seen {
		if p.Action == action {
			n++
		}
	}
	return n
}

// checkStoredImage checks the stored image with ggcr's validate, through
// the same view that Push uses.
func (s testStore) checkStoredImage(t *testing.T, id digest.Digest) {
	t.Helper()
	s.mu.RLock()
	rec := s.images[id]
	s.mu.RUnlock()
	if rec == nil {
		t.Fatalf("image %s is not stored", id)
	}
	img, err := s.remoteImage(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("validate.Image(%s): %v", id, err)
	}
}

// checkEmpty checks that the store lists no image and no tag.
func (s testStore) checkEmpty(t *testing.T) {
	t.Helper()
	imgs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 0 {
		t.Errorf("store lists %d images after a failed operation, want none", len(imgs))
	}
	reopened := openTestStore(t, s.dataRoot)
	if imgs, _ := reopened.List(); len(imgs) != 0 {
		t.Errorf("reopened store lists %d images after a failed operation, want none", len(imgs))
	}
}

func TestPull(t *testing.T) {
	reg := newTestRegistry(t, nil)
	img := randomImage(t, 3)
	reg.put(t, reg.ref("lab/web:1.0"), img)
	s := newTestStore(t)

	var progress actions
	res, err := s.Pull(context.Background(), reg.ref("lab/web:1.0"), PullOptions{Progress: progress.add})
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	md := manifestDigest(t, img)
	wantRef := reg.ref("lab/web:1.0")
	if res.Ref != wantRef || res.Digest != md || res.UpToDate || res.Dangling != "" || res.Downloaded != 3 || res.Existing != 0 {
		t.Errorf("Pull = {Ref %q Digest %s UpToDate %v Dangling %q Downloaded %d Existing %d}, want {%q %s false \"\" 3 0}",
			res.Ref, res.Digest, res.UpToDate, res.Dangling, res.Downloaded, res.Existing, wantRef, md)
	}
	if res.DownloadedBytes <= 0 {
		t.Errorf("DownloadedBytes = %d, want > 0", res.DownloadedBytes)
	}
	if res.Image.ID != imageID(t, img) {
		t.Errorf("image ID = %s, want %s (the config digest)", res.Image.ID, imageID(t, img))
	}
	if want := []string{reg.ref("lab/web:1.0")}; !slices.Equal(res.Image.RepoTags, want) {
		t.Errorf("RepoTags = %v, want %v", res.Image.RepoTags, want)
	}
	if want := []string{reg.ref("lab/web@" + md.String())}; !slices.Equal(res.Image.RepoDigests, want) {
		t.Errorf("RepoDigests = %v, want %v", res.Image.RepoDigests, want)
	}
	for _, action := range []string{ActionPullingFsLayer, ActionVerifying, ActionDownloadComplete, ActionPullComplete} {
		if got := progress.count(action); got != 3 {
			t.Errorf("%q reported %d times, want 3 (once per layer)", action, got)
		}
	}
	s.checkStoredImage(t, res.Image.ID)

	// What the store keeps survives a restart, RepoDigests included.
	reopened := openTestStore(t, s.dataRoot)
	got, err := reopened.Get(reg.ref("lab/web:1.0"))
	if err != nil || !slices.Equal(got.RepoDigests, res.Image.RepoDigests) || got.Size != res.Image.Size {
		t.Errorf("after reopening: %+v, %v; want RepoDigests %v and size %d", got, err, res.Image.RepoDigests, res.Image.Size)
	}

	again, err := s.Pull(context.Background(), reg.ref("lab/web:1.0"), PullOptions{})
	if err != nil {
		t.Fatalf("second Pull: %v", err)
	}
	if !again.UpToDate || again.Downloaded != 0 || again.Existing != 3 || again.DownloadedBytes != 0 {
		t.Errorf("second Pull = {UpToDate %v Downloaded %d Existing %d bytes %d}, want {true 0 3 0}",
			again.UpToDate, again.Downloaded, again.Existing, again.DownloadedBytes)
	}
}

func TestPullMovesTagAndSharesLayers(t *testing.T) {
	reg := newTestRegistry(t, nil)
	base := randomImage(t, 1)
	baseLayers, _ := base.Layers()
	first, err := mutate.AppendLayers(base, randomLayer(t))
	if err != nil {
		t.Fatal(err)
	}
	second, err := mutate.AppendLayers(base, randomLayer(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestStore(t)
	ref := reg.ref("lab/app:latest")

	reg.put(t, ref, first)
	r1, err := s.Pull(context.Background(), ref, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg.put(t, ref, second)
	var progress actions
	r2, err := s.Pull(context.Background(), ref, PullOptions{Progress: progress.add})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		what      string
		got, want any
	}{
		{"dangling", r2.Dangling, r1.Image.ID},
		{"up to date", r2.UpToDate, false},
		{"downloaded", r2.Downloaded, 1},
		{"existing", r2.Existing, 1},
		{"Already exists reports", progress.count(ActionAlreadyExists), 1},
		{"new ID", r2.Image.ID, imageID(t, second)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	baseDigest, _ := baseLayers[0].Digest()
	for _, p := range progress.seen {
		if p.Action == ActionAlreadyExists && p.ID != baseDigest.Hex[:12] {
			t.Errorf("Already exists for %s, want the base layer %s", p.ID, baseDigest.Hex[:12])
		}
	}
	old, err := s.Get(r1.Image.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(old.RepoTags) != 0 {
		t.Errorf("old image RepoTags = %v, want none (dangling)", old.RepoTags)
	}
}

func randomLayer(t *testing.T) v1.Layer {
	t.Helper()
	l, err := random.Layer(512, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPullMultiPlatform(t *testing.T) {
	reg := newTestRegistry(t, nil)
	host := hostPlatform()
	other := v1.Platform{OS: "linux", Architecture: "s390x"}
	if host.Architecture == other.Architecture {
		other.Architecture = "ppc64le"
	}
	platformImage := func(p v1.Platform) v1.Image {
		img := randomImage(t, 2)
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		img, err = mutate.ConfigFile(img, cf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	hostImg, otherImg := platformImage(host), platformImage(other)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: otherImg, Descriptor: v1.Descriptor{Platform: &other}},
		mutate.IndexAddendum{Add: hostImg, Descriptor: v1.Descriptor{Platform: &host}},
	)
	reg.putIndex(t, reg.ref("lab/multi:1"), idx)

	tests := []struct {
		name     string
		platform *v1.Platform
		want     v1.Image
	}{
		{"host", nil, hostImg},
		{"explicit", &other, otherImg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			res, err := s.Pull(context.Background(), reg.ref("lab/multi:1"), PullOptions{Platform: tt.platform})
			if err != nil {
				t.Fatal(err)
			}
			if res.Image.ID != imageID(t, tt.want) {
				t.Errorf("pulled %s, want %s", res.Image.ID, imageID(t, tt.want))
			}
			id := manifestDigest(t, idx)
			if want := []string{reg.ref("lab/multi@" + id.String())}; res.Digest != id || !slices.Equal(res.Image.RepoDigests, want) {
				t.Errorf("Digest %s, RepoDigests %v; want the index digest: %s, %v", res.Digest, res.Image.RepoDigests, id, want)
			}
			s.checkStoredImage(t, res.Image.ID)
		})
	}
}

func TestPullByDigest(t *testing.T) {
	reg := newTestRegistry(t, nil)
	img := randomImage(t, 2)
	reg.put(t, reg.ref("lab/web:1.0"), img)
	md := manifestDigest(t, img)
	s := newTestStore(t)
	ref := reg.ref("lab/web@" + md.String())

	res, err := s.Pull(context.Background(), ref, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ref != ref || res.UpToDate || len(res.Image.RepoTags) != 0 || !slices.Equal(res.Image.RepoDigests, []string{ref}) {
		t.Errorf("Pull by digest = {Ref %q UpToDate %v RepoTags %v RepoDigests %v}, want {%q false [] [%s]}",
			res.Ref, res.UpToDate, res.Image.RepoTags, res.Image.RepoDigests, ref, ref)
	}
	if got, err := s.Get(ref); err != nil || got.ID != res.Image.ID {
		t.Errorf("Get(%q) = %v, %v", ref, got, err)
	}
	again, err := s.Pull(context.Background(), ref, PullOptions{})
	if err != nil || !again.UpToDate {
		t.Errorf("second pull by digest: UpToDate %v, %v; want true", again != nil && again.UpToDate, err)
	}
}

// basicAuth lets through the requests with user:pass, as a registry with
// htpasswd does.
func basicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="aula"`)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestPullErrors(t *testing.T) {
	img := randomImage(t, 2)
	auth := &authn.Basic{Username: "profe", Password: "secreto"}
	private := newTestRegistry(t, basicAuth("profe", "secreto"))
	private.put(t, private.ref("lab/web:1.0"), img, remote.WithAuth(auth))
	open := newTestRegistry(t, nil)
	open.put(t, open.ref("lab/web:1.0"), img)

	layers, _ := img.Layers()
	tamperedDigest, _ := layers[1].Digest()
	tampering := newTestRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+tamperedDigest.String()) {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				body := rec.Body.Bytes()
				body[len(body)/2] ^= 0xff
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				w.Write(body)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	tampering.put(t, tampering.ref("lab/web:1.0"), img)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	tests := []struct {
		name    string
		ref     string
		opts    PullOptions
		wantErr string
		is      error
		kind    func(error) bool
	}{
		{"no credentials", private.ref("lab/web:1.0"), PullOptions{}, "pull access denied", ErrUnauthorized, nil},
		{"wrong password", private.ref("lab/web:1.0"), PullOptions{Auth: &authn.Basic{Username: "profe", Password: "no"}}, "pull access denied", ErrUnauthorized, nil},
		{"unknown tag", open.ref("lab/web:nope"), PullOptions{}, "manifest for " + open.ref("lab/web:nope") + " not found", nil, errdefs.IsNotFound},
		{"unknown repository", open.ref("lab/nada:1.0"), PullOptions{}, "not found", nil, errdefs.IsNotFound},
		{"tampered blob", tampering.ref("lab/web:1.0"), PullOptions{}, "checksum", nil, nil},
		{"unreachable", closed + "/lab/web:1.0", PullOptions{}, "connection refused", ErrUnreachable, nil},
		{"invalid reference", "Busybox:Latest", PullOptions{}, "invalid reference format", nil, errdefs.IsInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := s.Pull(ctx, tt.ref, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Pull(%s) error = %v, want one containing %q", tt.ref, err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if tt.kind != nil && !tt.kind(err) {
				t.Errorf("error %v has kind %v", err, errdefs.KindOf(err))
			}
			s.checkEmpty(t)
		})
	}

	s := newTestStore(t)
	if _, err := s.Pull(context.Background(), private.ref("lab/web:1.0"), PullOptions{Auth: auth}); err != nil {
		t.Errorf("Pull with credentials: %v", err)
	}
}

func TestPullCanceled(t *testing.T) {
	reg := newTestRegistry(t, nil)
	reg.put(t, reg.ref("lab/web:1.0"), randomImage(t, 2))
	s := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.Pull(ctx, reg.ref("lab/web:1.0"), PullOptions{Progress: func(p Progress) {
		if p.Action == ActionPullingFsLayer {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Pull with a canceled context: error = %v, want context.Canceled", err)
	}
	s.checkEmpty(t)
}

func TestPushImportedThenPull(t *testing.T) {
	reg := newTestRegistry(t, nil)
	s := newTestStore(t)
	ref := reg.ref("mio/hola:1.0")
	img := s.mustImport(t, makeTar(t, "hola.txt", "adios.txt"), ImportOptions{Ref: ref})

	var progress actions
	res, err := s.Push(context.Background(), ref, PushOptions{Progress: progress.add})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	remoteImg := reg.fetch(t, ref)
	if err := validate.Image(remoteImg); err != nil {
		t.Errorf("validate.Image of the pushed image: %v", err)
	}
	if got := manifestDigest(t, remoteImg); res.Digest != got || res.Tag != "1.0" || res.Ref != ref {
		t.Errorf("Push = %+v, want digest %s, tag 1.0, ref %s", res, got, ref)
	}
	raw, _ := remoteImg.RawManifest()
	if res.Size != int64(len(raw)) {
		t.Errorf("Push size = %d, want %d", res.Size, len(raw))
	}
	layers, _ := remoteImg.Layers()
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("pushed layer media type = %s, want %s (gzip)", mt, types.OCILayer)
	}
	if progress.count(ActionPushed) != 1 || progress.count(ActionPreparing) != 1 {
		t.Errorf("progress = %+v, want one Preparing and one Pushed", progress.seen)
	}

	fresh := newTestStore(t)
	pulled, err := fresh.Pull(context.Background(), ref, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pulled.Image.ID != img.ID || !bytes.Equal(pulled.Image.RawConfig, img.RawConfig) {
		t.Errorf("pulled ID %s, want the pushed %s with the same config", pulled.Image.ID, img.ID)
	}

	// A second push finds every layer in the registry.
	var again actions
	if _, err := s.Push(context.Background(), ref, PushOptions{Progress: again.add}); err != nil {
		t.Fatal(err)
	}
	if again.count(ActionLayerExists) != 1 || again.count(ActionPushed) != 0 {
		t.Errorf("second push progress = %+v, want Layer already exists only", again.seen)
	}
}

func TestPushPulledKeepsDigest(t *testing.T) {
	from := newTestRegistry(t, nil)
	to := newTestRegistry(t, basicAuth("profe", "secreto"))
	img := randomImage(t, 3)
	from.put(t, from.ref("lab/web:1.0"), img)
	s := newTestStore(t)
	pulled, err := s.Pull(context.Background(), from.ref("lab/web:1.0"), PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(pulled.Image.ID, to.ref("aula/web:1.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(context.Background(), to.ref("aula/web:1.0"), PushOptions{}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Push without credentials: error = %v, want ErrUnauthorized", err)
	}
	auth := &authn.Basic{Username: "profe", Password: "secreto"}
	res, err := s.Push(context.Background(), to.ref("aula/web:1.0"), PushOptions{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	if want := manifestDigest(t, img); res.Digest != want {
		t.Errorf("pushed digest = %s, want the pulled manifest's %s", res.Digest, want)
	}
	if _, err := s.Push(context.Background(), to.ref("aula/nada:1.0"), PushOptions{Auth: auth}); !errdefs.IsNotFound(err) {
		t.Errorf("Push of a missing tag: error = %v, want not found", err)
	}
}

func TestPlainHTTPOnlyForLoopbackAndInsecure(t *testing.T) {
	s := &Store{}
	s.AllowPlainHTTP("192.168.1.10:5000", "aula.local")
	tests := []struct {
		ref        string
		wantScheme string
	}{
		{"localhost:5000/web:1.0", "http"},
		{"127.0.0.1:5000/web:1.0", "http"},
		{"127.3.2.1:5000/web:1.0", "http"},
		{"[::1]:5000/web:1.0", "http"},
		{"192.168.1.10:5000/busybox", "http"}, // --insecure-registry 192.168.1.10:5000
		{"aula.local:5000/busybox", "http"},   // --insecure-registry aula.local: any port
		{"busybox", "https"},
		{"ghcr.io/org/app:1", "https"},
	}
	for _, tt := range tests {
		named, err := parseRef(tt.ref)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.remoteRef(named)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Registry.Scheme(); got != tt.wantScheme {
			t.Errorf("scheme of %s = %s, want %s", tt.ref, got, tt.wantScheme)
		}
	}
	tr := newTransport(s.plainHTTP)
	for _, host := range []string{"192.168.1.11:5000", "registry.local:5000"} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/v2/", nil)
		if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "refusing plain HTTP") {
			t.Errorf("plain HTTP to %s: error = %v, want a refusal", host, err)
		}
	}
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
