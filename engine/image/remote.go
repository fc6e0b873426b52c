package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/errdefs"
	"bolsillo/internal/imageref"
)

// ErrUnauthorized is wrapped into the errors of a registry that refused
// the credentials, or asked for some and got none. Test with errors.Is.
var ErrUnauthorized = errors.New("unauthorized")

// ErrUnreachable is wrapped into the errors of a registry that could not
// be reached: unknown host, refused connection, timeout. Test with
// errors.Is.
var ErrUnreachable = errors.New("registry unreachable")

// Registry timeouts: a host that does not answer fails within these
// instead of hanging the pull.
const (
	dialTimeout           = 15 * time.Second
	tlsHandshakeTimeout   = 15 * time.Second
	responseHeaderTimeout = 30 * time.Second
)

// PullOptions are the options of Pull.
type PullOptions struct {
	// Auth gives the credentials for the registry; nil is anonymous.
	Auth authn.Authenticator
	// Platform picks the image of a multi-platform index; nil is the
	// host's (runtime.GOOS, runtime.GOARCH and, on arm, its variant).
	Platform *v1.Platform
	// Progress, if not nil, is called for each step, from one goroutine
	// at a time.
	Progress func(Progress)
}

// PullResult is what Pull did.
type PullResult struct {
	Image *Image
	// Ref is the familiar reference pulled, with its tag or digest:
	// "busybox:latest", "busybox@sha256:...".
	Ref string
	// Digest is the digest of what the reference named in the registry: the
	// manifest, or the index for a multi-platform image. It is the one in
	// RepoDigests.
	Digest digest.Digest
	// UpToDate is true when the tag already named this image (or, for a
	// pull by digest, the image was already there): Docker says "Image is
	// up to date for busybox:latest".
	UpToDate bool
	// Dangling is the image that lost its last tag because the tag moved
	// to the pulled image, "" if none.
	Dangling digest.Digest
	// Downloaded and Existing count the layers fetched and the ones
	// already stored.
	Downloaded, Existing int
	// DownloadedBytes is the sum of the compressed sizes fetched.
	DownloadedBytes int64
}

// Pull fetches the image ref ("busybox", "localhost:5000/web:1.0",
// "busybox@sha256:...") from its registry and stores it: the blobs
// as the registry sent them, each verified against its digest, and the
// layers unpacked, the ones already stored skipped. A tag then points at
// the image. On any error (unreachable registry, unknown manifest,
// unauthorised, digest mismatch, ctx canceled) the store lists nothing
// new.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*PullResult, error) {
	named, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	rref, err := s.remoteRef(named)
	if err != nil {
		return nil, err
	}
	platform := hostPlatform()
	if opts.Platform != nil {
		platform = *opts.Platform
	}
	ropts := s.remoteOptions(ctx, opts.Auth, remote.WithPlatform(platform))
	familiar := imageref.FamiliarString(named)

	desc, err := remote.Get(rref, ropts...)
	if err != nil {
		return nil, registryError("pull", familiar, named, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, registryError("pull", familiar, named, err)
	}
	rawManifest, err := img.RawManifest()
	if err != nil {
		return nil, registryError("pull", familiar, named, err)
	}
	mediaType, err := img.MediaType()
	if err != nil {
		return nil, err
	}
	var manifest ocispec.Manifest
	if err := json.Unmarshal(rawManifest, &manifest); err != nil {
		return nil, fmt.Errorf("parsing manifest of %s: %w", familiar, err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, registryError("pull", familiar, named, err)
	}
	config, err := parseConfig(rawConfig, manifest)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", familiar, err)
	}

	rep := newReporter(opts.Progress)
	open := func(_ context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
		l, err := img.LayerByDigest(v1.Hash{Algorithm: d.Digest.Algorithm().String(), Hex: d.Digest.Encoded()})
		if err != nil {
			return nil, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, registryError("pull", familiar, named, err)
		}
		return rc, nil
	}

	op := s.startStoring()
	defer op.done()
	stats, err := s.fetchLayers(ctx, manifest.Layers, config.RootFS.DiffIDs, open, rep, false)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", familiar, err)
	}
	rec, err := s.writeFetched(string(mediaType), rawManifest, rawConfig, config, manifest.Layers)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", familiar, err)
	}

	repoDigest := named.Name() + "@" + desc.Digest.String()
	res := &PullResult{
		Ref:             familiar,
		Digest:          digest.Digest(desc.Digest.String()),
		Downloaded:      stats.downloaded,
		Existing:        stats.existing,
		DownloadedBytes: stats.bytes,
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.images[rec.id]
	if rec, err = s.add(rec); err != nil {
		return nil, err
	}
	op.listed = true
	hadDigest := slices.Contains(rec.repoDigests, repoDigest)
	if !hadDigest {
		if err := s.update(rec, func(r *record) {
			r.repoDigests = append(r.repoDigests, repoDigest)
			slices.Sort(r.repoDigests)
		}); err != nil {
			return nil, err
		}
		rec = s.images[rec.id]
	}
	if tagged, ok := named.(imageref.NamedTagged); ok {
		key := tagged.String()
		res.UpToDate = s.tags[key] == rec.id
		if res.Dangling, err = s.tag(rec.id, key); err != nil {
			return nil, err
		}
	} else {
		res.UpToDate = existed && hadDigest
	}
	res.Image = s.image(rec)
	return res, nil
}

// parseConfig parses the config of a fetched image and checks it against
// its manifest.
func parseConfig(raw []byte, manifest ocispec.Manifest) (dockerspec.DockerOCIImage, error) {
	var config dockerspec.DockerOCIImage
	if got := digest.FromBytes(raw); got != manifest.Config.Digest {
		return config, fmt.Errorf("config digest is %s, the manifest says %s", got, manifest.Config.Digest)
	}
	if err := json.Unmarshal(raw, &config); err != nil {
		return config, fmt.Errorf("parsing image config: %w", err)
	}
	if len(config.RootFS.DiffIDs) != len(manifest.Layers) {
		return config, fmt.Errorf("the manifest has %d layers and the config %d diff IDs", len(manifest.Layers), len(config.RootFS.DiffIDs))
	}
	for _, l := range manifest.Layers {
		if err := l.Digest.Validate(); err != nil {
			return config, fmt.Errorf("layer digest %q: %w", l.Digest, err)
		}
	}
	return config, nil
}

// writeFetched writes the config and manifest blobs of a fetched image,
// both verbatim, and returns its record, not yet listed. Its layers are
// stored already.
func (s *Store) writeFetched(mediaType string, rawManifest, rawConfig []byte, config dockerspec.DockerOCIImage, layers []ocispec.Descriptor) (*record, error) {
	configDesc, err := writeBlob(s.root, ocispec.MediaTypeImageConfig, rawConfig)
	if err != nil {
		return nil, err
	}
	manifestDesc, err := writeBlob(s.root, mediaType, rawManifest)
	if err != nil {
		return nil, err
	}
	rec := &record{id: configDesc.Digest, manifest: manifestDesc, layers: layers, config: config, raw: rawConfig}
	for _, d := range config.RootFS.DiffIDs {
		size, err := s.layers.Size(d)
		if err != nil {
			return nil, err
		}
		rec.size += size
	}
	return rec, nil
}

// PushOptions are the options of Push.
type PushOptions struct {
	// Auth gives the credentials for the registry; nil is anonymous.
	Auth authn.Authenticator
	// Progress, if not nil, is called for each step, from one goroutine
	// at a time.
	Progress func(Progress)
}

// PushResult is what Push did. Docker prints it as
// "latest: digest: sha256:... size: 527".
type PushResult struct {
	// Ref is the familiar reference pushed: "localhost:5000/web:1.0".
	Ref string
	// Tag is the tag pushed: "1.0".
	Tag string
	// Digest is the digest of the manifest pushed.
	Digest digest.Digest
	// Size is the size of the manifest pushed, in bytes.
	Size int64
}

// Push sends the image tagged ref ("localhost:5000/web:1.0") to its
// registry. Pulled images go as they came, so their manifest digest does
// not change; layers stored uncompressed (imported, loaded) go
// gzip-compressed. Layers the registry has already are not sent again.
func (s *Store) Push(ctx context.Context, ref string, opts PushOptions) (*PushResult, error) {
	tagged, err := tagRef(ref)
	if err != nil {
		return nil, err
	}
	familiar := imageref.FamiliarString(tagged)
	s.mu.RLock()
	id, ok := s.tags[tagged.String()]
	rec := s.images[id]
	s.mu.RUnlock()
	if !ok {
		return nil, errdefs.NotFound("An image does not exist locally with the tag: %s", imageref.FamiliarName(tagged))
	}
	rref, err := s.remoteRef(tagged)
	if err != nil {
		return nil, err
	}
	img, err := s.remoteImage(rec)
	if err != nil {
		return nil, fmt.Errorf("pushing %s: %w", familiar, err)
	}
	ropts := s.remoteOptions(ctx, opts.Auth)
	rep := newReporter(opts.Progress)

	s.gc.RLock()
	defer s.gc.RUnlock()
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for i := range layers {
		rep.report(shortID(rec.config.RootFS.DiffIDs[i]), ActionPreparing, 0, 0)
	}
	for i := range layers {
		if i >= maxConcurrentTransfers {
			rep.report(shortID(rec.config.RootFS.DiffIDs[i]), ActionWaiting, 0, 0)
		}
	}
	repo := rref.Context()
	g, gctx := errgroupWithLimit(ctx)
	for i, l := range layers {
		id := shortID(rec.config.RootFS.DiffIDs[i])
		g.Go(func() error {
			return s.pushLayer(gctx, repo, l, id, opts.Auth, rep)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, registryError("push", familiar, tagged, err)
	}
	if err := remote.Write(rref, img, ropts...); err != nil {
		return nil, registryError("push", familiar, tagged, err)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	size, err := img.Size()
	if err != nil {
		return nil, err
	}
	return &PushResult{Ref: familiar, Tag: tagged.Tag(), Digest: digest.Digest(d.String()), Size: size}, nil
}

// pushLayer sends one layer unless the registry has it.
func (s *Store) pushLayer(ctx context.Context, repo name.Repository, l v1.Layer, id string, auth authn.Authenticator, rep *reporter) error {
	h, err := l.Digest()
	if err != nil {
		return err
	}
	ropts := s.remoteOptions(ctx, auth)
	existing, err := remote.Layer(repo.Digest(h.String()), ropts...)
	if err != nil {
		return err
	}
	if ex, ok := existing.(interface{ Exists() (bool, error) }); ok {
		if found, err := ex.Exists(); err == nil && found {
			rep.report(id, ActionLayerExists, 0, 0)
			return nil
		}
	}
	total, err := l.Size()
	if err != nil {
		return err
	}
	updates := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := time.Time{}
		for u := range updates {
			if now := time.Now(); now.Sub(last) >= progressInterval || u.Complete == u.Total {
				last = now
				rep.report(id, ActionPushing, u.Complete, total)
			}
		}
	}()
	err = remote.WriteLayer(repo, l, append(ropts, remote.WithProgress(updates))...)
	<-done
	if err != nil {
		return err
	}
	rep.report(id, ActionPushed, 0, 0)
	return nil
}

// remoteOptions are the ggcr options for talking to registries.
func (s *Store) remoteOptions(ctx context.Context, auth authn.Authenticator, extra ...remote.Option) []remote.Option {
	if auth == nil {
		auth = authn.Anonymous
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(s.transport),
		remote.WithJobs(maxConcurrentTransfers),
		remote.WithUserAgent("bolsillo"),
	}
	return append(opts, extra...)
}

// newTransport returns the HTTP transport for registries: proxies from
// the environment, timeouts for hosts that do not answer, and plain HTTP
// refused except where plainHTTP allows it.
func newTransport(plainHTTP func(host string) bool) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = tlsHandshakeTimeout
	t.ResponseHeaderTimeout = responseHeaderTimeout
	return httpOnlyWhereAllowed{next: t, allowed: plainHTTP}
}

// httpOnlyWhereAllowed refuses plain HTTP requests to registries that are
// neither on this machine nor marked insecure, as Docker does. (ggcr alone
// would also try plain HTTP with private addresses.)
type httpOnlyWhereAllowed struct {
	next    http.RoundTripper
	allowed func(host string) bool
}

func (t httpOnlyWhereAllowed) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !t.allowed(req.URL.Host) {
		return nil, fmt.Errorf("refusing plain HTTP to registry %s: only localhost registries and those given with --insecure-registry may use it", req.URL.Host)
	}
	return t.next.RoundTrip(req)
}

// isLoopback reports whether host (without port) is localhost, in
// 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AllowPlainHTTP marks registries ("192.168.1.10:5000", or a host name for
// every port) as reachable over plain HTTP, like dockerd's
// --insecure-registry: a classroom registry on the teacher's machine has no
// TLS certificate. Call it before the store is used.
func (s *Store) AllowPlainHTTP(registries ...string) {
	if s.insecure == nil {
		s.insecure = map[string]bool{}
	}
	for _, r := range registries {
		s.insecure[strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r, "http://"), "https://"), "/")] = true
	}
}

// plainHTTP reports whether the registry at hostport may use plain HTTP:
// loopback registries always, others when AllowPlainHTTP named them.
func (s *Store) plainHTTP(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return isLoopback(host) || s.insecure[hostport] || s.insecure[host]
}

// RegistryOptions are the ggcr options to reach the registry at hostport
// (plain HTTP where allowed).
func (s *Store) RegistryOptions(hostport string) []name.Option {
	if s.plainHTTP(hostport) {
		return []name.Option{name.Insecure}
	}
	return nil
}

// remoteRef converts a normalized reference into ggcr's, marking
// registries that may use plain HTTP.
func (s *Store) remoteRef(named imageref.Named) (name.Reference, error) {
	var opts []name.Option
	if s.plainHTTP(imageref.Domain(named)) {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(named.String(), opts...)
	if err != nil {
		return nil, errdefs.Classify(errdefs.KindInvalidParameter, fmt.Errorf("invalid reference format: %w", err))
	}
	return r, nil
}

// hostPlatform is the platform of this machine, as Docker picks it from a
// multi-platform index.
func hostPlatform() v1.Platform {
	p := v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}
	switch runtime.GOARCH {
	case "arm64":
		p.Variant = "v8"
	case "arm":
		p.Variant = "v7"
	}
	return p
}

// registryError turns an error of ggcr into one with Docker's wording and
// a kind: "manifest for busybox:nope not found: manifest unknown",
// "pull access denied for x, repository does not exist or may require
// 'docker login'".
func registryError(op, familiar string, named imageref.Named, err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden || hasCode(terr, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
			if op == "pull" {
				return fmt.Errorf("pull access denied for %s, repository does not exist or may require 'docker login': %w: %w", imageref.FamiliarName(named), ErrUnauthorized, err)
			}
			return fmt.Errorf("push access denied for %s: %w: %w", familiar, ErrUnauthorized, err)
		case terr.StatusCode == http.StatusNotFound || hasCode(terr, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
			return errdefs.Classify(errdefs.KindNotFound, fmt.Errorf("manifest for %s not found: %w", familiar, err))
		}
		return fmt.Errorf("%s %s: %w", op, familiar, err)
	}
	var nerr net.Error
	var operr *net.OpError
	var dnserr *net.DNSError
	if errors.As(err, &dnserr) || errors.As(err, &operr) || (errors.As(err, &nerr) && nerr.Timeout()) {
		return fmt.Errorf("%s %s: %w: %w", op, familiar, ErrUnreachable, err)
	}
	if strings.Contains(err.Error(), "refusing plain HTTP") {
		return fmt.Errorf("%s %s: %w: %w", op, familiar, ErrUnreachable, err)
	}
	return fmt.Errorf("%s %s: %w", op, familiar, err)
}

func hasCode(terr *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range terr.Errors {
		if slices.Contains(codes, d.Code) {
			return true
		}
	}
	return false
}
