package cli

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client/pkg/jsonmessage"

	"bolsillo/explain"
)

// jsonStream is the daemon's JSON progress stream of a pull, push or load.
type jsonStream interface {
	JSONMessages(ctx context.Context) iter.Seq2[jsonstream.Message, error]
}

// streamRecord is what a command saw in a progress stream, for the
// explanation: each layer's last status and size, the digest, the
// "Status:" line and the stream lines ("Loaded image: ...").
type streamRecord struct {
	Layers   []explain.LayerProgress
	index    map[string]int
	Digest   string
	Status   string
	Lines    []string
	PushSize int64
}

// pushAux is the aux object a push stream ends with.
type pushAux struct {
	Tag    string `json:"Tag"`
	Digest string `json:"Digest"`
	Size   int64  `json:"Size"`
}

// observe records one message.
func (r *streamRecord) observe(m jsonstream.Message) {
	if m.Aux != nil {
		var a pushAux
		if json.Unmarshal(*m.Aux, &a) == nil && a.Digest != "" {
			r.Digest, r.PushSize = a.Digest, a.Size
		}
		return
	}
	if m.Stream != "" {
		r.Lines = append(r.Lines, strings.TrimRight(m.Stream, "\n"))
		return
	}
	switch {
	case m.ID == "":
		if d, ok := strings.CutPrefix(m.Status, "Digest: "); ok {
			r.Digest = d
		} else if s, ok := strings.CutPrefix(m.Status, "Status: "); ok {
			r.Status = s
		}
		return
	case strings.HasPrefix(m.Status, "Pulling from "):
		return
	}
	if r.index == nil {
		r.index = map[string]int{}
	}
	i, ok := r.index[m.ID]
	if !ok {
		i = len(r.Layers)
		r.index[m.ID] = i
		r.Layers = append(r.Layers, explain.LayerProgress{ID: m.ID})
	}
	l := &r.Layers[i]
	if m.Progress != nil && m.Progress.Total > 0 && l.Size == 0 {
		l.Size = m.Progress.Total
	}
	// Progress ticks repeat "Downloading"/"Pushing"; keep the last word.
	l.Status = m.Status
}

// displayStream prints a progress stream to out as docker does (bars on a
// terminal, plain lines otherwise) and records it.
func displayStream(ctx context.Context, s jsonStream, out io.Writer) (*streamRecord, error) {
	rec := &streamRecord{}
	msgs := func(yield func(jsonstream.Message, error) bool) {
		for m, err := range s.JSONMessages(ctx) {
			if err == nil {
				rec.observe(m)
			}
			if !yield(m, err) {
				return
			}
		}
	}
	fd, tty := isTerminal(out)
	// Aux messages are recorded above; the callback keeps them off stdout.
	err := jsonmessage.DisplayJSONMessages(msgs, out, fd, tty, func(jsonstream.Message) {})
	return rec, err
}
