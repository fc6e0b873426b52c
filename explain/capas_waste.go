package explain

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
)

// Whiteout markers of the OCI and docker layer formats: ".wh.NAME" deletes
// NAME from the layers below; ".wh..wh..opq" in a directory hides
// everything the layers below had in it.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// LayerFile is one entry of a layer tar, read from its header only.
type LayerFile struct {
	Path string // absolute and clean: "/etc/passwd"
	Size int64  // bytes of a regular file; 0 for anything else
	Dir  bool
}

// LayerContents lists the entries of one layer, in tar order.
type LayerContents struct {
	Files []LayerFile
	// Unreadable is set when the layer could not be read (a compression
	// this package does not know); Files is then empty.
	Unreadable bool
}

// saveManifest is one entry of manifest.json in a `docker save` tar.
type saveManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// ReadSavedLayers reads the tar that `GET /images/{name}/get` (docker save)
// streams for one image and lists the files of each of its layers, bottom
// first, from the tar headers only: file contents are skipped. Both the
// legacy layout (<id>/layer.tar) and the OCI layout (blobs/sha256/<hex>,
// possibly gzip-compressed) are read through the manifest.json that bolsillod
// and Docker write. Only the first image of the manifest is used.
func ReadSavedLayers(r io.Reader) ([]LayerContents, error) {
	tr := tar.NewReader(r)
	scanned := make(map[string]LayerContents)
	links := make(map[string]string)
	var manifest []saveManifest
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading image archive: %w", err)
		}
		name := path.Clean(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), hdr.Linkname)
			continue
		case tar.TypeLink:
			links[name] = path.Clean(hdr.Linkname)
			continue
		case tar.TypeReg:
		default:
			continue
		}
		if name == "manifest.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				return nil, fmt.Errorf("reading manifest.json: %w", err)
			}
			continue
		}
		if c, ok := scanLayer(tr); ok {
			scanned[name] = c
		}
	}
	if len(manifest) == 0 {
		return nil, errors.New("the image archive has no manifest.json")
	}
	layers := make([]LayerContents, len(manifest[0].Layers))
	for i, name := range manifest[0].Layers {
		name = path.Clean(name)
		for range 8 { // follow a few links, never a loop
			if target, ok := links[name]; ok {
				name = target
			}
		}
		c, ok := scanned[name]
		if !ok {
			c = LayerContents{Unreadable: true}
		}
		layers[i] = c
	}
	return layers, nil
}

// scanLayer reads r as a layer tar, uncompressed or gzip-compressed, and
// lists its entries. It reports false for anything that is not a tar (a
// config or a manifest blob). A zstd layer is reported as unreadable.
func scanLayer(r io.Reader) (LayerContents, bool) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return LayerContents{}, false
		}
		defer zr.Close()
		src = zr
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return LayerContents{Unreadable: true}, true
	}
	tr := tar.NewReader(src)
	var c LayerContents
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return c, true
		}
		if err != nil {
			if len(c.Files) == 0 {
				return LayerContents{}, false
			}
			c.Unreadable = true
			return c, true
		}
		f := LayerFile{Path: path.Join("/", hdr.Name)}
		switch hdr.Typeflag {
		case tar.TypeReg:
			f.Size = hdr.Size
		case tar.TypeDir:
			f.Dir = true
		}
		c.Files = append(c.Files, f)
	}
}

// WastedFile is space an image still carries for something no container
// of it can see: a file added in one layer and deleted (or replaced) in a
// later one stays in the lower layer's tar.
type WastedFile struct {
	Path      string // the file, or the deleted directory
	Size      int64  // bytes still stored in the lower layers
	Files     int    // regular files counted in Size
	AddedIn   []int  // indexes (bottom = 0) of the layers that hold them
	RemovedIn int    // index of the layer that deleted or replaced it
	Replaced  bool   // a new version was written, not a deletion
}

// WasteReport is the wasted space found in an image's layers.
type WasteReport struct {
	Items      []WastedFile // largest first
	Total      int64
	Incomplete bool // some layer could not be read
}

// FindWaste walks the layers bottom up, keeping which layer holds each
// visible file, and records every file that a later layer deletes with a
// whiteout or replaces: its bytes still weigh in the image. Files added and
// deleted within one layer never reach the image and are not counted.
func FindWaste(layers []LayerContents) WasteReport {
	type origin struct {
		layer int
		size  int64
	}
	live := make(map[string]origin)
	var rep WasteReport
	// remove drops target and everything under it from the files visible
	// below layer i, and returns what they weighed.
	remove := func(target string, i int, keepTarget bool) (WastedFile, bool) {
		w := WastedFile{Path: target, RemovedIn: i}
		prefix := strings.TrimSuffix(target, "/") + "/"
		for p, o := range live {
			if o.layer >= i || (p != target && !strings.HasPrefix(p, prefix)) || (keepTarget && p == target) {
				continue
			}
			delete(live, p)
			if o.size == 0 {
				continue
			}
			w.Size += o.size
			w.Files++
			if !slices.Contains(w.AddedIn, o.layer) {
				w.AddedIn = append(w.AddedIn, o.layer)
			}
		}
		slices.Sort(w.AddedIn)
		return w, w.Size > 0
	}
	for i, l := range layers {
		if l.Unreadable {
			rep.Incomplete = true
		}
		for _, f := range l.Files {
			dir, base := path.Split(f.Path)
			switch {
			case base == whiteoutOpaque:
				if w, ok := remove(path.Clean(dir), i, true); ok {
					rep.Items = append(rep.Items, w)
				}
			case strings.HasPrefix(base, whiteoutPrefix):
				if w, ok := remove(path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)), i, false); ok {
					rep.Items = append(rep.Items, w)
				}
			case f.Dir:
				// A directory over a lower file of the same name hides it.
				if o, ok := live[f.Path]; ok && o.layer < i {
					if w, ok := remove(f.Path, i, false); ok {
						w.Replaced = true
						rep.Items = append(rep.Items, w)
					}
				}
			default:
				if o, ok := live[f.Path]; ok && o.layer < i && o.size > 0 {
					rep.Items = append(rep.Items, WastedFile{Path: f.Path, Size: o.size, Files: 1, AddedIn: []int{o.layer}, RemovedIn: i, Replaced: true})
				}
				live[f.Path] = origin{layer: i, size: f.Size}
			}
		}
	}
	sort.SliceStable(rep.Items, func(a, b int) bool {
		if rep.Items[a].Size != rep.Items[b].Size {
			return rep.Items[a].Size > rep.Items[b].Size
		}
		return rep.Items[a].Path < rep.Items[b].Path
	})
	for _, w := range rep.Items {
		rep.Total += w.Size
	}
	return rep
}
