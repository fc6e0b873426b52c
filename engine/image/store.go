// Package image keeps the images of the engine: their configs, manifests
// and layers in an OCI image layout, and the tags that name them.
//
// On disk, under one directory (normally <data-root>/image):
//
//	oci-layout           {"imageLayoutVersion":"1.0.0"}
//	index.json           one manifest per image, annotated with the image ID
//	blobs/sha256/<hex>   configs, manifests and layers
//	repositories.json    tags: normalized reference -> image ID
//
// Images made here (import, load of a docker-archive) store their layer
// blobs uncompressed, so a layer blob's digest is the layer's diff ID.
// Images pulled from a registry (or loaded from an OCI layout) keep the
// blobs exactly as the registry sent them, compressed, and their manifest
// verbatim, so pushing them again gives the same manifest digest. The
// unpacked files of each layer live in a layer.Store.
// The image ID is the sha256 of the config JSON exactly as stored, as in
// Docker, so one image has the same ID in both engines. An image without
// tags is dangling (<none>:<none>).
//
// Every write is atomic (temp file, fsync, rename): after a crash, the store
// lists the images as they were before or after a change, never half of
// one. Blobs a failed operation leaves behind are listed by nobody.
package image

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/atomicfile"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/layer"
	"bolsillo/internal/imageref"
)

var (
	// ErrNotFound is wrapped into the errors for references that name no
	// image. Test for it with errors.Is.
	ErrNotFound = errors.New("no such image")
	// ErrAmbiguous is wrapped into the error for an ID prefix that matches
	// more than one image. Such an error also matches ErrNotFound, as in
	// Docker, which answers 404.
	ErrAmbiguous = errors.New("ambiguous image ID prefix")
)

// AnnotationImageID is the annotation of each manifest in index.json that
// holds the image ID.
const AnnotationImageID = "io.bolsillo.image.id"

// AnnotationRepoDigests is the annotation of each manifest in index.json
// that holds the image's repository digests, normalized
// ("docker.io/library/busybox@sha256:..."), comma-separated.
const AnnotationRepoDigests = "io.bolsillo.image.repo-digests"

// AnnotationParent is the annotation of each manifest in index.json that
// holds the ID of the image's parent, for images built or committed on top
// of a local image.
const AnnotationParent = "io.bolsillo.image.parent"

const repositoriesFile = "repositories.json"

// Image is an image of the store. It is a snapshot: changing it changes
// nothing in the store.
type Image struct {
	// ID is the digest of RawConfig: "sha256:" + 64 hex digits.
	ID digest.Digest
	// Config is the parsed image config.
	Config dockerspec.DockerOCIImage
	// RawConfig is the config JSON as stored.
	RawConfig []byte
	// RepoTags are the image's tags in familiar form, sorted:
	// "busybox:latest", "localhost:5000/x:y". Empty for a dangling image.
	RepoTags []string
	// RepoDigests are the image's repository digests in familiar form,
	// sorted: "busybox@sha256:<manifest digest>". Pulled images have one
	// per repository they were pulled from; for a multi-platform image the
	// digest is the index's, as in Docker.
	RepoDigests []string
	// Parent is the ID of the local image this one was built or committed
	// on; empty for pulled, imported and loaded images.
	Parent digest.Digest
	// Size is the sum of the unpacked sizes of the image's layers.
	Size int64
}

// record is what the store keeps in memory for each image.
type record struct {
	id       digest.Digest
	manifest ocispec.Descriptor
	layers   []ocispec.Descriptor
	config   dockerspec.DockerOCIImage
	raw      []byte
	size     int64
	// repoDigests and parent mirror the manifest's annotations.
	repoDigests []string
	parent      digest.Digest
}

// Store is the image store. It is safe for concurrent use.
type Store struct {
	root   string
	layers *layer.Store

	// now and platform are fixed by tests.
	now      func() time.Time
	platform ocispec.Platform

	// transport carries the requests to registries; insecure names the
	// registries allowed plain HTTP besides loopback ones (AllowPlainHTTP).
	transport http.RoundTripper
	insecure  map[string]bool

	// gc keeps Delete from collecting blobs and layers that an Import in
	// progress has just written: imports hold it shared, Delete exclusively.
	gc sync.RWMutex

	mu     sync.RWMutex
	images map[digest.Digest]*record
	tags   map[string]digest.Digest // normalized reference -> image ID
}

// repositories is the format of repositories.json, the same shape as
// Docker's: repository -> reference -> image ID.
type repositories struct {
	Repositories map[string]map[string]digest.Digest `json:"Repositories"`
}

// Open opens the image store at root, creating it if missing, with the
// layers of its images in layers. Images whose manifest, config or layers
// are missing or corrupt are dropped, with their tags: the store never lists
// a broken image.
func Open(root string, layers *layer.Store) (*Store, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving image store path: %w", err)
	}
	if err := initLayout(root); err != nil {
		return nil, fmt.Errorf("opening image store: %w", err)
	}
	s := &Store{
		root:     root,
		layers:   layers,
		now:      time.Now,
		platform: ocispec.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH},
		images:   make(map[digest.Digest]*record),
		tags:     make(map[string]digest.Digest),
	}
	s.transport = newTransport(s.plainHTTP)
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("opening image store: %w", err)
	}
	// Only frees space: the store is whole without it, so a blob that
	// cannot be removed now is tried again at the next Open.
	_ = s.collectGarbage()
	return s, nil
}

// load reads index.json and repositories.json, keeping only what is whole,
// and rewrites them if something was dropped.
func (s *Store) load() error {
	var index ocispec.Index
	if err := readJSON(filepath.Join(s.root, ocispec.ImageIndexFile), &index); err != nil {
		return err
	}
	dropped := false
	for _, desc := range index.Manifests {
		rec, err := s.loadRecord(desc)
		if err != nil {
			dropped = true
			continue
		}
		s.images[rec.id] = rec
	}

	var repos repositories
	if err := readJSON(filepath.Join(s.root, repositoriesFile), &repos); err != nil {
		return err
	}
	for _, refs := range repos.Repositories {
		for ref, id := range refs {
			if _, ok := s.images[id]; !ok {
				dropped = true
				continue
			}
			s.tags[ref] = id
		}
	}
	if dropped {
		if err := s.writeIndex(); err != nil {
			return err
		}
		return s.writeRepositories()
	}
	return nil
}

// loadRecord reads the image behind a manifest descriptor of index.json
// and checks that all of it is present.
func (s *Store) loadRecord(desc ocispec.Descriptor) (*record, error) {
	b, err := readBlob(s.root, desc.Digest)
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	raw, err := readBlob(s.root, m.Config.Digest)
	if err != nil {
		return nil, err
	}
	if id := desc.Annotations[AnnotationImageID]; id != m.Config.Digest.String() {
		return nil, fmt.Errorf("manifest %s: image ID annotation %q does not match config %s", desc.Digest, id, m.Config.Digest)
	}
	var config dockerspec.DockerOCIImage
	if err := json.Unmarshal(raw, &config); err != nil {
		return nil, err
	}
	if len(config.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("manifest %s: %d layers for %d diff IDs", desc.Digest, len(m.Layers), len(config.RootFS.DiffIDs))
	}
	rec := &record{id: m.Config.Digest, manifest: desc, layers: m.Layers, config: config, raw: raw}
	if v := desc.Annotations[AnnotationRepoDigests]; v != "" {
		rec.repoDigests = strings.Split(v, ",")
	}
	if v := desc.Annotations[AnnotationParent]; v != "" {
		if rec.parent, err = digest.Parse(v); err != nil {
			return nil, fmt.Errorf("manifest %s: parent: %w", desc.Digest, err)
		}
	}
	for i, diffID := range config.RootFS.DiffIDs {
		if !blobExists(s.root, m.Layers[i].Digest) {
			return nil, fmt.Errorf("layer blob %s is missing", m.Layers[i].Digest)
		}
		size, err := s.layers.Size(diffID)
		if err != nil {
			return nil, err
		}
		rec.size += size
	}
	return rec, nil
}

// writeIndex writes index.json from s.images. The caller holds s.mu.
func (s *Store) writeIndex() error {
	index := ocispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex,
		Manifests: []ocispec.Descriptor{},
	}
	for _, id := range slices.Sorted(maps.Keys(s.images)) {
		index.Manifests = append(index.Manifests, s.images[id].manifest)
	}
	if err := atomicfile.WriteJSON(filepath.Join(s.root, ocispec.ImageIndexFile), index, 0o644); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	return nil
}

// writeRepositories writes repositories.json from s.tags. The caller holds
// s.mu.
func (s *Store) writeRepositories() error {
	repos := repositories{Repositories: make(map[string]map[string]digest.Digest)}
	for ref, id := range s.tags {
		repo := ref
		if named, err := imageref.ParseNormalizedNamed(ref); err == nil {
			repo = named.Name()
		}
		if repos.Repositories[repo] == nil {
			repos.Repositories[repo] = make(map[string]digest.Digest)
		}
		repos.Repositories[repo][ref] = id
	}
	if err := atomicfile.WriteJSON(filepath.Join(s.root, repositoriesFile), repos, 0o644); err != nil {
		return fmt.Errorf("writing tags: %w", err)
	}
	return nil
}

// image returns a snapshot of rec. The caller holds s.mu.
func (s *Store) image(rec *record) *Image {
	var tags []string
	for ref, id := range s.tags {
		if id == rec.id {
			tags = append(tags, ref)
		}
	}
	return s.imageWithTags(rec, tags)
}

// imageWithTags is image with the record's tags (normalized) already
// found, so that List walks the tags once for all images.
func (s *Store) imageWithTags(rec *record, tags []string) *Image {
	img := &Image{
		ID:        rec.id,
		Config:    rec.config,
		RawConfig: slices.Clone(rec.raw),
		Parent:    rec.parent,
		Size:      rec.size,
	}
	for _, rd := range rec.repoDigests {
		img.RepoDigests = append(img.RepoDigests, FamiliarRef(rd))
	}
	slices.Sort(img.RepoDigests)
	// rec.config shares slices and maps with the record; a fresh parse of
	// the bytes that were parsed when the record was made gives the caller
	// its own copy.
	var config dockerspec.DockerOCIImage
	if err := json.Unmarshal(rec.raw, &config); err == nil {
		img.Config = config
	}
	for _, ref := range tags {
		img.RepoTags = append(img.RepoTags, FamiliarRef(ref))
	}
	slices.Sort(img.RepoTags)
	return img
}

// Get returns the image named by ref: a reference ("busybox",
// "busybox:latest", "docker.io/library/busybox:latest"), a full image ID
// with or without "sha256:", or a prefix of an ID that only one image has.
// Tags win over ID prefixes, as in Docker. It returns an error matching
// ErrNotFound if no image, or more than one, matches.
func (s *Store) Get(ref string) (*Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	return s.image(rec), nil
}

// lookup finds the record named by ref. The caller holds s.mu.
func (s *Store) lookup(ref string) (*record, error) {
	if d, err := digest.Parse(ref); err == nil {
		if rec, ok := s.images[d]; ok {
			return rec, nil
		}
		return nil, noSuchImage(ref)
	}
	if isHex(ref) && len(ref) == 64 {
		if rec, ok := s.images[digest.NewDigestFromEncoded(digest.SHA256, ref)]; ok {
			return rec, nil
		}
		return nil, noSuchImage(ref)
	}
	named, err := parseRef(ref)
	if err == nil {
		if id, ok := s.tags[named.String()]; ok {
			return s.images[id], nil
		}
		if _, digested := named.(imageref.Digested); digested {
			for _, rec := range s.images {
				if slices.Contains(rec.repoDigests, named.String()) {
					return rec, nil
				}
			}
		}
	}
	prefix := strings.TrimPrefix(ref, digest.SHA256.String()+":")
	if isHex(prefix) {
		var found *record
		for id, rec := range s.images {
			if strings.HasPrefix(id.Encoded(), prefix) {
				if found != nil {
					return nil, errdefs.Classify(errdefs.KindNotFound, errAmbiguous{prefix})
				}
				found = rec
			}
		}
		if found != nil {
			return found, nil
		}
	}
	if err == nil {
		if _, digested := named.(imageref.Digested); !digested {
			return nil, noSuchImage(imageref.FamiliarString(named))
		}
	}
	return nil, noSuchImage(ref)
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// List returns all images, dangling ones included, newest first.
func (s *Store) List() ([]*Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	tagsOf := make(map[digest.Digest][]string, len(s.images))
	for ref, id := range s.tags {
		tagsOf[id] = append(tagsOf[id], ref)
	}
	images := make([]*Image, 0, len(s.images))
	for _, rec := range s.images {
		images = append(images, s.imageWithTags(rec, tagsOf[rec.id]))
	}
	slices.SortFunc(images, func(a, b *Image) int {
		if c := created(b).Compare(created(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return images, nil
}

func created(img *Image) time.Time {
	if img.Config.Created == nil {
		return time.Time{}
	}
	return *img.Config.Created
}

// Tag gives the image id the reference ref ("mi-imagen", "mi-imagen:1.0").
// If ref named another image, it moves: that image loses the tag and, if it
// has no other, becomes dangling; Tag then returns that image's ID, and ""
// otherwise.
func (s *Store) Tag(id digest.Digest, ref string) (dangling digest.Digest, err error) {
	tagged, err := tagRef(ref)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tag(id, tagged.String())
}

// tag points the normalized reference ref at id and returns the image left
// dangling by the move, if any. The caller holds s.mu.
func (s *Store) tag(id digest.Digest, ref string) (digest.Digest, error) {
	if _, ok := s.images[id]; !ok {
		return "", noSuchImage(id.String())
	}
	old, had := s.tags[ref]
	if had && old == id {
		return "", nil
	}
	s.tags[ref] = id
	if err := s.writeRepositories(); err != nil {
		if had {
			s.tags[ref] = old
		} else {
			delete(s.tags, ref)
		}
		return "", err
	}
	if had && !s.tagged(old) {
		return old, nil
	}
	return "", nil
}

// tagged reports whether some tag names the image id. The caller holds s.mu.
func (s *Store) tagged(id digest.Digest) bool {
	for _, tid := range s.tags {
		if tid == id {
			return true
		}
	}
	return false
}

// Untag removes the tag ref and returns the ID of the image it named. The
// image stays, dangling if it has no other tag. It returns an error
// matching ErrNotFound if ref is not a tag.
func (s *Store) Untag(ref string) (digest.Digest, error) {
	named, err := parseRef(ref)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := named.String()
	id, ok := s.tags[key]
	if !ok {
		return "", noSuchImage(imageref.FamiliarString(named))
	}
	delete(s.tags, key)
	if err := s.writeRepositories(); err != nil {
		s.tags[key] = id
		return "", err
	}
	return id, nil
}

// Children returns the IDs of the images whose parent is id, sorted.
func (s *Store) Children(id digest.Digest) []digest.Digest {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var children []digest.Digest
	for cid, rec := range s.images {
		if rec.parent == id {
			children = append(children, cid)
		}
	}
	slices.Sort(children)
	return children
}

// SetParent records that the image id was built or committed on top of
// the image parent ("" clears it). The parent must be in the store and its
// layers must be the first layers of id.
func (s *Store) SetParent(id, parent digest.Digest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.images[id]
	if !ok {
		return noSuchImage(id.String())
	}
	if parent != "" {
		prec, ok := s.images[parent]
		if !ok {
			return noSuchImage(parent.String())
		}
		pd, d := prec.config.RootFS.DiffIDs, rec.config.RootFS.DiffIDs
		if len(pd) > len(d) || !slices.Equal(pd, d[:len(pd)]) {
			return fmt.Errorf("image %s is not built on %s: their layers differ", id, parent)
		}
	}
	return s.update(rec, func(r *record) { r.parent = parent })
}

// update applies change to a copy of rec, writes the index with the copy
// and, if that worked, puts the copy in place. The caller holds s.mu.
func (s *Store) update(rec *record, change func(*record)) error {
	next := *rec
	next.repoDigests = slices.Clone(rec.repoDigests)
	change(&next)
	next.manifest.Annotations = next.annotations()
	s.images[rec.id] = &next
	if err := s.writeIndex(); err != nil {
		s.images[rec.id] = rec
		return err
	}
	return nil
}

// annotations returns the index.json annotations that describe rec.
func (rec *record) annotations() map[string]string {
	a := map[string]string{AnnotationImageID: rec.id.String()}
	if len(rec.repoDigests) > 0 {
		a[AnnotationRepoDigests] = strings.Join(rec.repoDigests, ",")
	}
	if rec.parent != "" {
		a[AnnotationParent] = rec.parent.String()
	}
	return a
}

// Delete removes the image id and its tags, then the blobs and layers that
// no other image uses. Whether the image may go (tags, containers) is the
// caller's decision.
func (s *Store) Delete(id digest.Digest) error {
	s.gc.Lock()
	defer s.gc.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()

	rec, ok := s.images[id]
	if !ok {
		return noSuchImage(id.String())
	}
	oldTags := maps.Clone(s.tags)
	delete(s.images, id)
	maps.DeleteFunc(s.tags, func(_ string, tid digest.Digest) bool { return tid == id })
	if err := s.writeIndex(); err != nil {
		s.images[id] = rec
		s.tags = oldTags
		return err
	}
	if err := s.writeRepositories(); err != nil {
		// The image is gone from the index; its tags go on the next Open.
		return err
	}

	// The image is no longer listed; what follows only frees space.
	usedBlobs := make(map[digest.Digest]bool)
	usedLayers := make(map[digest.Digest]bool)
	for _, other := range s.images {
		usedBlobs[other.manifest.Digest] = true
		usedBlobs[other.id] = true
		for _, l := range other.layers {
			usedBlobs[l.Digest] = true
		}
		for _, d := range other.config.RootFS.DiffIDs {
			usedLayers[d] = true
		}
	}
	var errs []error
	blobs := []digest.Digest{rec.manifest.Digest, rec.id}
	for _, l := range rec.layers {
		blobs = append(blobs, l.Digest)
	}
	for _, d := range blobs {
		if usedBlobs[d] {
			continue
		}
		if err := os.Remove(blobPath(s.root, d)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing blob %s: %w", d, err))
		}
	}
	for _, d := range rec.config.RootFS.DiffIDs {
		if usedLayers[d] {
			continue
		}
		if err := s.layers.Remove(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LayerDirs returns the overlay lowerdirs of img, top layer first.
func (s *Store) LayerDirs(img *Image) ([]string, error) {
	return s.layers.LowerDirs(img.Config.RootFS.DiffIDs)
}
