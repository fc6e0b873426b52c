package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pullRepo and pullTag name the image pulled, on the local registry.
const (
	pullRepo = "bench/cinco"
	pullTag  = "1"
)

// pullLayerSizes are the uncompressed sizes of the layers of the pulled
// image: each holds one file of random bytes, which gzip cannot shrink, so
// the download is as large as the layers.
var pullLayerSizes = []int64{1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20}

// pullImage is the image both engines pull, as pushed to the registry.
type pullImage struct {
	ref        string   // 127.0.0.1:PORT/bench/cinco:1
	layers     []string // digests of the compressed layers
	compressed int64    // bytes of the compressed layers, what a pull downloads
}

// benchImage builds a linux image for this machine's architecture with one
// layer per entry of sizes: a file of that many pseudo-random bytes drawn
// from seed, gzip-compressed. The same seed and sizes give the same image.
func benchImage(seed int64, sizes []int64) (v1.Image, error) {
	img := empty.Image
	rng := rand.New(rand.NewSource(seed))
	for i, size := range sizes {
		layer, err := random.Layer(size, types.DockerLayer, random.WithSource(rand.NewSource(rng.Int63())))
		if err != nil {
			return nil, fmt.Errorf("building layer %d: %w", i+1, err)
		}
		if img, err = mutate.Append(img, mutate.Addendum{
			Layer: layer,
			History: v1.History{
				CreatedBy: fmt.Sprintf("bolsillo bench: capa %d de %d, %d MiB de bytes aleatorios", i+1, len(sizes), size>>20),
				Created:   v1.Time{Time: time.Unix(0, 0).UTC()},
			},
		}); err != nil {
			return nil, fmt.Errorf("adding layer %d: %w", i+1, err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cfg.Config.Cmd = []string{"true"}
	return mutate.ConfigFile(img, cfg)
}

// pushBenchImage builds the image of pullLayerSizes with a fresh seed and
// pushes it to the registry at host. A fresh seed gives layers no engine
// can already hold, from this run or an earlier one.
func pushBenchImage(ctx context.Context, host string) (*pullImage, error) {
	img, err := benchImage(time.Now().UnixNano(), pullLayerSizes)
	if err != nil {
		return nil, err
	}
	p := &pullImage{ref: host + "/" + pullRepo + ":" + pullTag}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		digest, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		p.layers = append(p.layers, digest.String())
		p.compressed += size
	}
	tag, err := name.NewTag(p.ref, name.Insecure)
	if err != nil {
		return nil, err
	}
	if err := remote.Write(tag, img, remote.WithContext(ctx)); err != nil {
		return nil, fmt.Errorf("pushing %s: %w", p.ref, err)
	}
	return p, nil
}

// pullLabel names a pull row: "bolsillo pull de una imagen de 5 capas (32.5 MB comprimidos)".
func (p *pullImage) pullLabel(engine string) string {
	return fmt.Sprintf("%s pull de una imagen de %d capas (%s comprimidos)", engine, len(p.layers), formatMB(p.compressed))
}

// timedPull returns a measure function that times pull, checks in the
// registry's log that it downloaded every layer of the image, and then
// removes the image with rmi (not timed), so that the next pull starts
// from nothing again.
func (p *pullImage) timedPull(reg *localRegistry, pull, rmi, env []string) func(context.Context, int) (time.Duration, error) {
	return func(ctx context.Context, _ int) (time.Duration, error) {
		mark, err := reg.logSize()
		if err != nil {
			return 0, err
		}
		d, err := timeExec(ctx, pull, env)
		if err != nil {
			return 0, err
		}
		log, err := reg.logSince(mark)
		if err != nil {
			return 0, err
		}
		served, err := blobsServed(log, pullRepo)
		if err != nil {
			return 0, err
		}
		var missing int
		for _, l := range p.layers {
			if !served[l] {
				missing++
			}
		}
		if _, err := output(ctx, rmi, env); err != nil {
			return 0, err
		}
		if missing > 0 {
			return 0, fmt.Errorf("%w: %d of the %d layers were not fetched from the registry", errNotAllLayers, missing, len(p.layers))
		}
		return d, nil
	}
}

// measurePull times a pull of a 5-layer image from a local registry, with
// bolsillo and, when a Docker daemon answers, with docker, and records the
// rows in the report. Nothing it pulls stays behind.
func (b *bench) measurePull(ctx context.Context, d *daemon) {
	pb := &PullBench{Warmups: b.opts.pullWarmups, Runs: b.opts.pullRuns}
	b.report.Pull = pb
	fail := func(err error) {
		pb.Rows = append(pb.Rows, Row{Key: rowPullBolsillo, Label: "bolsillo pull", Err: err.Error()})
	}

	if _, err := os.Stat(filepath.Join(b.bin, "bolsillo-registry")); err != nil {
		fail(fmt.Errorf("no encuentro bolsillo-registry: ejecuta 'make build' o pasa -bin DIR (%w)", err))
		return
	}
	b.progress("arrancando bolsillo-registry en 127.0.0.1")
	reg, err := startRegistry(ctx, b.bin, filepath.Join(b.dir, "registry"))
	if err != nil {
		fail(err)
		return
	}
	defer func() {
		b.progress("deteniendo bolsillo-registry (PID %d) con SIGTERM", reg.pid())
		if err := reg.stop(); err != nil {
			b.cleanup("%v", err)
		}
	}()
	b.progress("subiendo una imagen de %d capas a %s", len(pullLayerSizes), reg.host)
	img, err := pushBenchImage(ctx, reg.host)
	if err != nil {
		fail(err)
		return
	}
	pb.Image, pb.Layers, pb.CompressedBytes = img.ref, len(img.layers), img.compressed

	row := Row{Key: rowPullBolsillo, Label: img.pullLabel("bolsillo"), Command: d.cli("pull", img.ref)}
	b.progress("%d + %d ejecuciones de bolsillo pull %s", pb.Warmups, pb.Runs, img.ref)
	row.Samples, err = measure(ctx, pb.Warmups, pb.Runs, img.timedPull(reg, row.Command, d.cli("rmi", "-f", img.ref), nil))
	if err != nil {
		// What a failed pull left goes with the temporary data root.
		row.Err = err.Error()
	}
	pb.Rows = append(pb.Rows, row)

	dd := dockerDaemon{sock: b.opts.dockerSock}
	if reason := b.dockerMissing(ctx); reason != "" {
		pb.DockerNote = "docker pull: sin medir; " + reason
		return
	}
	row = Row{Key: rowPullDocker, Label: img.pullLabel("docker"), Command: dd.argv("pull", img.ref)}
	b.progress("%d + %d ejecuciones de docker pull %s", pb.Warmups, pb.Runs, img.ref)
	row.Samples, err = measure(ctx, pb.Warmups, pb.Runs, img.timedPull(reg, row.Command, dd.argv("rmi", "-f", img.ref), dockerEnv))
	if err != nil {
		row.Err = err.Error()
		b.removeDockerLeftover(ctx, dd, img.ref)
	}
	pb.Rows = append(pb.Rows, row)
}

// removeDockerLeftover removes ref from Docker when a failed measurement
// left it there, and records a clean-up problem if that fails. ref holds
// layers of this run only, so nothing else in Docker goes with it.
func (b *bench) removeDockerLeftover(ctx context.Context, dd dockerDaemon, ref string) {
	ctx = context.WithoutCancel(ctx)
	if _, err := output(ctx, dd.argv("image", "inspect", ref), dockerEnv); err != nil {
		return // not there
	}
	if _, err := output(ctx, dd.argv("rmi", "-f", ref), dockerEnv); err != nil {
		b.cleanup("no se pudo borrar %s de Docker: %v", ref, err)
	}
}
