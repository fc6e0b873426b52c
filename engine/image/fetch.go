package image

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// Progress reports one step of a pull, push or load in Docker's words, so
// that the engine can stream it as Docker's JSON messages:
// {"status": Action, "id": ID, "progressDetail": {"current": Current, "total": Total}}.
type Progress struct {
	// ID is the short ID of the layer: the first 12 hex digits of its
	// compressed digest on pull, of its diff ID on push and load, as
	// Docker shows them.
	ID string
	// Action is Docker's status: on pull "Pulling fs layer", "Waiting",
	// "Downloading", "Verifying Checksum", "Download complete",
	// "Extracting", "Pull complete" or "Already exists"; on push
	// "Preparing", "Waiting", "Pushing", "Pushed" or "Layer already
	// exists"; on load "Loading layer".
	Action string
	// Current and Total are bytes, for "Downloading", "Extracting",
	// "Pushing" and "Loading layer"; zero otherwise.
	Current, Total int64
}

// Docker's progress statuses.
const (
	ActionPullingFsLayer     = "Pulling fs layer"
	ActionWaiting            = "Waiting"
	ActionDownloading        = "Downloading"
	ActionVerifying          = "Verifying Checksum"
	ActionDownloadComplete   = "Download complete"
	ActionExtracting         = "Extracting"
	ActionPullComplete       = "Pull complete"
	ActionAlreadyExists      = "Already exists"
	ActionPreparing          = "Preparing"
	ActionPushing            = "Pushing"
	ActionPushed             = "Pushed"
	ActionLayerExists        = "Layer already exists"
	ActionLoadingLayer       = "Loading layer"
	progressInterval         = 100 * time.Millisecond
	maxConcurrentTransfers   = 3
	shortIDLen               = 12
	progressBufferSize       = 128 << 10
	mediaTypeDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// shortID returns the 12 hex digits Docker shows for a digest.
func shortID(d digest.Digest) string {
	e := d.Encoded()
	if len(e) > shortIDLen {
		return e[:shortIDLen]
	}
	return e
}

// reporter calls a progress function, if any, from one goroutine at a time.
type reporter struct {
	mu sync.Mutex
	fn func(Progress)
}

func newReporter(fn func(Progress)) *reporter { return &reporter{fn: fn} }

func (r *reporter) report(id, action string, current, total int64) {
	if r == nil || r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn(Progress{ID: id, Action: action, Current: current, Total: total})
}

// progressReader reports the bytes read through it, at most every
// progressInterval, and once more when it reaches EOF.
type progressReader struct {
	r             io.Reader
	ctx           context.Context
	report        func(current int64)
	current       int64
	last          time.Time
	reportedFinal bool
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.current += int64(n)
	if now := time.Now(); now.Sub(p.last) >= progressInterval || (err == io.EOF && !p.reportedFinal) {
		p.last = now
		p.reportedFinal = err == io.EOF
		p.report(p.current)
	}
	return n, err
}

// blobOpener opens the compressed bytes of a blob of an image being
// fetched, from a registry or from an archive.
type blobOpener func(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error)

// fetchStats counts what fetchLayers did.
type fetchStats struct {
	downloaded, existing int
	bytes                int64
}

// fetchLayers makes sure that every layer of an image is stored: its blob,
// exactly as open gives it, in the blob directory, and its files unpacked
// in the layer store. layers and diffIDs are the manifest's layers and the
// config's diff IDs, in the same order. A layer whose diff ID is unpacked
// and whose blob is stored is not opened ("Already exists"). Each blob is
// verified against its digest and size before it is stored, and its
// uncompressed bytes against the diff ID, before anything is unpacked from
// it. With load set, the progress is "Loading layer" only, as docker load
// shows it. The caller holds s.gc shared.
func (s *Store) fetchLayers(ctx context.Context, layers []ocispec.Descriptor, diffIDs []digest.Digest, open blobOpener, rep *reporter, load bool) (fetchStats, error) {
	var stats fetchStats
	var todo []int
	for i, desc := range layers {
		if s.layers.Exists(diffIDs[i]) && blobExists(s.root, desc.Digest) {
			stats.existing++
			if !load {
				rep.report(shortID(desc.Digest), ActionAlreadyExists, 0, 0)
			}
			continue
		}
		todo = append(todo, i)
	}
	if !load {
		for _, i := range todo {
			rep.report(shortID(layers[i].Digest), ActionPullingFsLayer, 0, 0)
		}
		for n, i := range todo {
			if n >= maxConcurrentTransfers {
				rep.report(shortID(layers[i].Digest), ActionWaiting, 0, 0)
			}
		}
	}

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxConcurrentTransfers)
	for _, i := range todo {
		g.Go(func() error {
			n, err := s.fetchLayer(gctx, layers[i], diffIDs[i], open, rep, load)
			if err != nil {
				return fmt.Errorf("layer %s: %w", layers[i].Digest, err)
			}
			mu.Lock()
			stats.downloaded++
			stats.bytes += n
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fetchStats{}, err
	}
	return stats, nil
}

// fetchLayer stores the blob desc and unpacks it if its diff ID is not
// unpacked yet. It returns the number of compressed bytes it read.
func (s *Store) fetchLayer(ctx context.Context, desc ocispec.Descriptor, diffID digest.Digest, open blobOpener, rep *reporter, load bool) (int64, error) {
	id := shortID(desc.Digest)
	if load {
		id = shortID(diffID)
	}
	var n int64
	if !blobExists(s.root, desc.Digest) {
		rc, err := open(ctx, desc)
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		bw, err := newBlobWriter(s.root)
		if err != nil {
			return 0, err
		}
		action := ActionDownloading
		if load {
			action = ActionLoadingLayer
		}
		pr := &progressReader{r: rc, ctx: ctx, report: func(cur int64) { rep.report(id, action, cur, desc.Size) }}
		n, err = io.CopyBuffer(bw, pr, make([]byte, progressBufferSize))
		if err != nil {
			bw.Discard()
			return n, err
		}
		if !load {
			rep.report(id, ActionVerifying, 0, 0)
		}
		if desc.Size > 0 && n != desc.Size {
			bw.Discard()
			return n, fmt.Errorf("blob is %d bytes, the manifest says %d", n, desc.Size)
		}
		if _, err := bw.Commit(desc.MediaType, desc.Digest); err != nil {
			return n, err
		}
		if !load {
			rep.report(id, ActionDownloadComplete, 0, 0)
		}
	}

	f, err := os.Open(blobPath(s.root, desc.Digest))
	if err != nil {
		return n, err
	}
	defer f.Close()
	var r io.Reader = f
	if !load {
		r = &progressReader{r: f, ctx: ctx, report: func(cur int64) { rep.report(id, ActionExtracting, cur, desc.Size) }}
	} else {
		r = ctxReader{ctx, f}
	}
	stream, err := decompress(desc.MediaType, r)
	if err != nil {
		return n, err
	}
	defer stream.Close()

	var got digest.Digest
	if s.layers.Exists(diffID) {
		// The files are there already; the blob must still be the layer
		// the config names.
		d := digest.SHA256.Digester()
		if _, err := io.Copy(d.Hash(), stream); err != nil {
			return n, fmt.Errorf("reading layer: %w", err)
		}
		got = d.Digest()
	} else if got, _, err = s.layers.Unpack(stream); err != nil {
		return n, err
	}
	if got != diffID {
		return n, fmt.Errorf("layer diff ID is %s, the image config says %s", got, diffID)
	}
	if !load {
		rep.report(id, ActionPullComplete, 0, 0)
	}
	return n, nil
}

// decompress returns the uncompressed stream of a layer blob: gzip and
// zstd are told apart by media type and by their first bytes.
func decompress(mediaType string, r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzip layer: %w", err)
		}
		return gz, nil
	case strings.HasSuffix(mediaType, "zstd") || bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading zstd layer: %w", err)
		}
		return zr.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}
