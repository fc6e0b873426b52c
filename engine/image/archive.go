package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/errdefs"
	"bolsillo/internal/imageref"
)

// Names in a docker-archive (the format of `docker save`).
const (
	archiveManifestFile     = "manifest.json"
	archiveRepositoriesFile = "repositories"
	archiveLayerFile        = "layer.tar"
)

// Annotations that name the images of an OCI layout.
const (
	annotationRefName       = ocispec.AnnotationRefName // org.opencontainers.image.ref.name
	annotationContainerName = "io.containerd.image.name"
)

// archiveManifest is one entry of a docker-archive's manifest.json.
type archiveManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// ErrInvalidArchive is wrapped into the errors of Load for a tar that is
// truncated, is not a tar or holds no image. Test with errors.Is.
var ErrInvalidArchive = errors.New("invalid image archive")

// Save writes the images named by refs to w as a docker-archive, the tar
// that `docker save` writes and `docker load` reads: manifest.json,
// repositories, each config verbatim as <image ID hex>.json (so the image
// ID is the same in Docker) and each layer once, uncompressed, as
// <diff ID hex>/layer.tar. A reference with a tag saves that tag; a
// repository without a tag ("busybox") saves all its tags, as Docker does;
// an image ID saves the image without tags.
func (s *Store) Save(ctx context.Context, w io.Writer, refs []string) error {
	s.gc.RLock()
	defer s.gc.RUnlock()
	s.mu.RLock()
	type saved struct {
		rec  *record
		tags []string // familiar
	}
	var images []*saved
	byID := make(map[digest.Digest]*saved)
	for _, ref := range refs {
		recs, tags, err := s.saveTargets(ref)
		if err != nil {
			s.mu.RUnlock()
			return err
		}
		for i, rec := range recs {
			sv, ok := byID[rec.id]
			if !ok {
				sv = &saved{rec: rec}
				byID[rec.id] = sv
				images = append(images, sv)
			}
			if tags[i] != "" && !slices.Contains(sv.tags, tags[i]) {
				sv.tags = append(sv.tags, tags[i])
			}
		}
	}
	s.mu.RUnlock()

	tw := tar.NewWriter(w)
	written := make(map[string]bool)
	var manifest []archiveManifest
	repos := make(map[string]map[string]string)
	for _, sv := range images {
		rec := sv.rec
		entry := archiveManifest{Config: rec.id.Encoded() + ".json", RepoTags: sv.tags, Layers: []string{}}
		if entry.RepoTags == nil {
			entry.RepoTags = []string{}
		}
		if err := writeTarFile(tw, entry.Config, rec.raw); err != nil {
			return err
		}
		for i, l := range rec.layers {
			diffID := rec.config.RootFS.DiffIDs[i]
			name := diffID.Encoded() + "/" + archiveLayerFile
			entry.Layers = append(entry.Layers, name)
			if written[name] {
				continue
			}
			written[name] = true
			if err := s.writeArchiveLayer(ctx, tw, diffID, l); err != nil {
				return fmt.Errorf("saving layer %s: %w", diffID, err)
			}
		}
		if n := len(rec.config.RootFS.DiffIDs); n > 0 {
			top := rec.config.RootFS.DiffIDs[n-1].Encoded()
			for _, t := range sv.tags {
				named, err := imageref.ParseNormalizedNamed(t)
				if err != nil {
					continue
				}
				tagged, ok := named.(imageref.NamedTagged)
				if !ok {
					continue
				}
				repo := imageref.FamiliarName(named)
				if repos[repo] == nil {
					repos[repo] = make(map[string]string)
				}
				repos[repo][tagged.Tag()] = top
			}
		}
		manifest = append(manifest, entry)
	}
	mb, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	if err := writeTarFile(tw, archiveManifestFile, mb); err != nil {
		return err
	}
	rb, err := json.Marshal(repos)
	if err != nil {
		return err
	}
	if err := writeTarFile(tw, archiveRepositoriesFile, rb); err != nil {
		return err
	}
	return tw.Close()
}

// saveTargets resolves one argument of Save into images and the familiar
// tag each is saved with ("" for none). The caller holds s.mu.
func (s *Store) saveTargets(ref string) ([]*record, []string, error) {
	if named, err := imageref.ParseNormalizedNamed(ref); err == nil && imageref.IsNameOnly(named) {
		var recs []*record
		var tags []string
		for _, key := range slices.Sorted(maps.Keys(s.tags)) {
			kn, err := imageref.ParseNormalizedNamed(key)
			if err != nil || kn.Name() != named.Name() {
				continue
			}
			recs = append(recs, s.images[s.tags[key]])
			tags = append(tags, imageref.FamiliarString(kn))
		}
		if len(recs) > 0 {
			return recs, tags, nil
		}
	}
	rec, err := s.lookup(ref)
	if err != nil {
		return nil, nil, err
	}
	tag := ""
	if named, err := parseRef(ref); err == nil && s.tags[named.String()] == rec.id {
		if _, digested := named.(imageref.Digested); !digested {
			tag = imageref.FamiliarString(named)
		}
	}
	return []*record{rec}, []string{tag}, nil
}

// archiveTime is the modification time of the files Save writes, fixed so
// that saving the same images twice gives the same bytes.
var archiveTime = time.Unix(0, 0).UTC()

// writeTarFile writes one regular file to tw.
func writeTarFile(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: archiveTime, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// writeArchiveLayer writes the uncompressed tar of the layer blob l as
// <diff ID hex>/layer.tar. A compressed blob is read twice: once to learn
// its uncompressed size, which the tar header needs first, and once to
// copy it.
func (s *Store) writeArchiveLayer(ctx context.Context, tw *tar.Writer, diffID digest.Digest, l ocispec.Descriptor) error {
	openUncompressed := func() (io.ReadCloser, *os.File, error) {
		f, err := os.Open(blobPath(s.root, l.Digest))
		if err != nil {
			return nil, nil, err
		}
		rc, err := decompress(l.MediaType, ctxReader{ctx, f})
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return rc, f, nil
	}
	rc, f, err := openUncompressed()
	if err != nil {
		return err
	}
	d := digest.SHA256.Digester()
	size, err := io.Copy(d.Hash(), rc)
	rc.Close()
	f.Close()
	if err != nil {
		return err
	}
	if d.Digest() != diffID {
		return fmt.Errorf("stored layer is %s, want %s", d.Digest(), diffID)
	}
	if err := tw.WriteHeader(&tar.Header{Name: diffID.Encoded() + "/", Mode: 0o755, ModTime: archiveTime, Typeflag: tar.TypeDir}); err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: diffID.Encoded() + "/" + archiveLayerFile, Mode: 0o644, Size: size, ModTime: archiveTime, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	rc, f, err = openUncompressed()
	if err != nil {
		return err
	}
	defer f.Close()
	defer rc.Close()
	_, err = io.Copy(tw, rc)
	return err
}

// LoadResult is what Load stored.
type LoadResult struct {
	// Refs are the tags loaded, in familiar form: "busybox:latest".
	Refs []string
	// IDs are the images loaded without a tag.
	IDs []digest.Digest
	// Dangling are the images that lost their last tag because a loaded
	// tag moved away from them.
	Dangling []digest.Digest
}

// Load reads a tar written by `docker save` (docker-archive: manifest.json,
// layers uncompressed or gzip) or an OCI image layout tar (index.json,
// oci-layout; tags from the io.containerd.image.name and
// org.opencontainers.image.ref.name annotations) and stores its images.
// progress, if not nil, gets "Loading layer" steps. A truncated tar, a tar
// that is not an image archive, or a layer that does not match its diff ID
// is an error matching ErrInvalidArchive, and nothing is listed.
func (s *Store) Load(ctx context.Context, r io.Reader, progress func(Progress)) (*LoadResult, error) {
	f, err := os.CreateTemp(s.root, tempPrefix+"load-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return nil, fmt.Errorf("reading image archive: %w", err)
	}
	arch, err := indexArchive(f)
	if err != nil {
		return nil, errdefs.Classify(errdefs.KindInvalidParameter, err)
	}

	op := s.startStoring()
	defer op.done()
	rep := newReporter(progress)
	var loaded []loadedImage
	switch {
	case arch.has(archiveManifestFile):
		loaded, err = s.loadDockerArchive(ctx, arch, rep)
	case arch.has(ocispec.ImageIndexFile):
		loaded, err = s.loadOCILayout(ctx, arch, rep)
	default:
		err = fmt.Errorf("%w: no %s or %s in the tar", ErrInvalidArchive, archiveManifestFile, ocispec.ImageIndexFile)
	}
	if err != nil {
		return nil, errdefs.Classify(errdefs.KindInvalidParameter, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	res := &LoadResult{}
	for _, li := range loaded {
		rec, err := s.add(li.rec)
		if err != nil {
			return nil, err
		}
		op.listed = true
		if len(li.tags) == 0 {
			res.IDs = append(res.IDs, rec.id)
		}
		for _, t := range li.tags {
			dangling, err := s.tag(rec.id, t)
			if err != nil {
				return nil, err
			}
			res.Refs = append(res.Refs, FamiliarRef(t))
			if dangling != "" {
				res.Dangling = append(res.Dangling, dangling)
			}
		}
	}
	// An image left dangling by one tag may get another later in the same
	// archive.
	res.Dangling = slices.DeleteFunc(res.Dangling, s.tagged)
	return res, nil
}

// loadedImage is an image read from an archive, stored but not listed yet,
// with the normalized tags to give it.
type loadedImage struct {
	rec  *record
	tags []string
}

// loadDockerArchive stores the images of a docker-archive.
func (s *Store) loadDockerArchive(ctx context.Context, arch *archive, rep *reporter) ([]loadedImage, error) {
	mb, err := arch.read(archiveManifestFile)
	if err != nil {
		return nil, err
	}
	var entries []archiveManifest
	if err := json.Unmarshal(mb, &entries); err != nil {
		return nil, fmt.Errorf("%w: parsing %s: %w", ErrInvalidArchive, archiveManifestFile, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: %s lists no image", ErrInvalidArchive, archiveManifestFile)
	}
	var loaded []loadedImage
	for _, e := range entries {
		tags, err := normalizeTags(e.RepoTags)
		if err != nil {
			return nil, err
		}
		raw, err := arch.read(e.Config)
		if err != nil {
			return nil, err
		}
		var config dockerspec.DockerOCIImage
		if err := json.Unmarshal(raw, &config); err != nil {
			return nil, fmt.Errorf("%w: parsing config %s: %w", ErrInvalidArchive, e.Config, err)
		}
		if len(config.RootFS.DiffIDs) != len(e.Layers) {
			return nil, fmt.Errorf("%w: %s has %d layers and its config %d diff IDs", ErrInvalidArchive, e.Config, len(e.Layers), len(config.RootFS.DiffIDs))
		}
		var descs []ocispec.Descriptor
		var size int64
		for i, name := range e.Layers {
			desc, err := s.loadArchiveLayer(ctx, arch, name, config.RootFS.DiffIDs[i], rep)
			if err != nil {
				return nil, err
			}
			descs = append(descs, desc)
			n, err := s.layers.Size(desc.Digest)
			if err != nil {
				return nil, err
			}
			size += n
		}
		rec, err := s.writeImageRaw(raw, config, descs, size)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, loadedImage{rec: rec, tags: tags})
	}
	return loaded, nil
}

// loadArchiveLayer stores one layer of a docker-archive as an
// uncompressed blob and unpacks it, unless both are there already.
func (s *Store) loadArchiveLayer(ctx context.Context, arch *archive, name string, diffID digest.Digest, rep *reporter) (ocispec.Descriptor, error) {
	if err := diffID.Validate(); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%w: diff ID %q: %w", ErrInvalidArchive, diffID, err)
	}
	if s.layers.Exists(diffID) {
		if fi, err := os.Stat(blobPath(s.root, diffID)); err == nil {
			return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: diffID, Size: fi.Size()}, nil
		}
	}
	sr, err := arch.open(name)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	id := shortID(diffID)
	pr := &progressReader{r: sr, ctx: ctx, report: func(cur int64) { rep.report(id, ActionLoadingLayer, cur, sr.Size()) }}
	desc, err := s.importLayer(ctx, pr)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%w: layer %s: %w", ErrInvalidArchive, name, err)
	}
	if desc.Digest != diffID {
		return ocispec.Descriptor{}, fmt.Errorf("%w: layer %s is %s, its config says %s", ErrInvalidArchive, name, desc.Digest, diffID)
	}
	return desc, nil
}

// normalizeTags parses the tags of an archive.
func normalizeTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		tagged, err := tagRef(t)
		if err != nil {
			return nil, fmt.Errorf("%w: tag %q: %w", ErrInvalidArchive, t, err)
		}
		out = append(out, tagged.String())
	}
	return out, nil
}

// loadOCILayout stores the images of an OCI image layout, keeping their
// blobs and manifests as they are.
func (s *Store) loadOCILayout(ctx context.Context, arch *archive, rep *reporter) ([]loadedImage, error) {
	ib, err := arch.read(ocispec.ImageIndexFile)
	if err != nil {
		return nil, err
	}
	var index ocispec.Index
	if err := json.Unmarshal(ib, &index); err != nil {
		return nil, fmt.Errorf("%w: parsing %s: %w", ErrInvalidArchive, ocispec.ImageIndexFile, err)
	}
	blob := func(d digest.Digest) string {
		return path.Join(ocispec.ImageBlobsDir, d.Algorithm().String(), d.Encoded())
	}
	open := func(_ context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
		sr, err := arch.open(blob(d.Digest))
		if err != nil {
			return nil, err
		}
		return io.NopCloser(sr), nil
	}
	readBlob := func(d ocispec.Descriptor) ([]byte, error) {
		if err := d.Digest.Validate(); err != nil {
			return nil, fmt.Errorf("%w: digest %q: %w", ErrInvalidArchive, d.Digest, err)
		}
		b, err := arch.read(blob(d.Digest))
		if err != nil {
			return nil, err
		}
		if got := digest.FromBytes(b); got != d.Digest {
			return nil, fmt.Errorf("%w: blob %s has digest %s", ErrInvalidArchive, d.Digest, got)
		}
		return b, nil
	}

	host := hostPlatform()
	var loaded []loadedImage
	for _, desc := range index.Manifests {
		tags := layoutTags(desc.Annotations)
		if desc.MediaType == ocispec.MediaTypeImageIndex || desc.MediaType == "application/vnd.docker.distribution.manifest.list.v2+json" {
			b, err := readBlob(desc)
			if err != nil {
				return nil, err
			}
			var inner ocispec.Index
			if err := json.Unmarshal(b, &inner); err != nil {
				return nil, fmt.Errorf("%w: parsing index %s: %w", ErrInvalidArchive, desc.Digest, err)
			}
			found := false
			for _, m := range inner.Manifests {
				if len(inner.Manifests) == 1 || (m.Platform != nil && m.Platform.OS == host.OS && m.Platform.Architecture == host.Architecture) {
					desc = m
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("%w: index %s has no image for %s/%s", ErrInvalidArchive, desc.Digest, host.OS, host.Architecture)
			}
		}
		rawManifest, err := readBlob(desc)
		if err != nil {
			return nil, err
		}
		var manifest ocispec.Manifest
		if err := json.Unmarshal(rawManifest, &manifest); err != nil {
			return nil, fmt.Errorf("%w: parsing manifest %s: %w", ErrInvalidArchive, desc.Digest, err)
		}
		rawConfig, err := readBlob(manifest.Config)
		if err != nil {
			return nil, err
		}
		config, err := parseConfig(rawConfig, manifest)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidArchive, err)
		}
		if _, err := s.fetchLayers(ctx, manifest.Layers, config.RootFS.DiffIDs, open, rep, true); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidArchive, err)
		}
		mediaType := desc.MediaType
		if mediaType == "" {
			mediaType = ocispec.MediaTypeImageManifest
		}
		rec, err := s.writeFetched(mediaType, rawManifest, rawConfig, config, manifest.Layers)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, loadedImage{rec: rec, tags: tags})
	}
	if len(loaded) == 0 {
		return nil, fmt.Errorf("%w: %s lists no image", ErrInvalidArchive, ocispec.ImageIndexFile)
	}
	return loaded, nil
}

// layoutTags returns the normalized tag that the annotations of an OCI
// layout give a manifest: io.containerd.image.name, or
// org.opencontainers.image.ref.name when it is a whole reference (a bare
// "latest" names no repository).
func layoutTags(annotations map[string]string) []string {
	for _, key := range []string{annotationContainerName, annotationRefName} {
		v := annotations[key]
		if v == "" || (key == annotationRefName && !strings.ContainsAny(v, "/:")) {
			continue
		}
		if tagged, err := tagRef(v); err == nil {
			return []string{tagged.String()}
		}
	}
	return nil
}
