package cli

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client/pkg/stringid"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

const (
	defaultHistoryTableFormat  = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
	nonHumanHistoryTableFormat = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
)

// historyHeader holds the column titles of docker history.
var historyHeader = map[string]string{
	"ID":           "IMAGE",
	"CreatedSince": "CREATED",
	"CreatedAt":    "CREATED AT",
	"CreatedBy":    "CREATED BY",
	"Size":         "SIZE",
	"Comment":      "COMMENT",
}

// historyOptions are the flags of bolsillo history.
type historyOptions struct {
	image   string
	human   bool
	quiet   bool
	noTrunc bool
	format  string
}

func newHistoryCommand(f *factory) *cobra.Command {
	var opts historyOptions
	cmd := &cobra.Command{
		Use:   "history [OPCIONES] IMAGEN",
		Short: "Muestra el historial de capas de una imagen",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.image = args[0]
			return runHistory(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	fl := cmd.Flags()
	// -H is --human here, as in docker; the daemon address is still
	// -H before the command, or --host.
	fl.StringVar(&f.host, "host", "", "Dirección del daemon")
	fl.Lookup("host").Hidden = true
	fl.BoolVarP(&opts.human, "human", "H", true, "Muestra tamaños y fechas en formato legible")
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "Muestra solo los IDs")
	fl.BoolVar(&opts.noTrunc, "no-trunc", false, "No recorta la salida")
	fl.StringVar(&opts.format, "format", "", "Formato de salida: 'table', 'table PLANTILLA', 'json' o una plantilla de Go")
	return cmd
}

// listWriter returns the writer for the chosen format, like docker's
// newHistoryFormat.
func (o historyOptions) listWriter() listWriter {
	lw := listWriter{header: historyHeader, format: o.format}
	if o.format == "" || o.format == tableFormatKey {
		switch {
		case o.quiet:
			lw.format = quietFormat
		case !o.human:
			lw.format = nonHumanHistoryTableFormat
		default:
			lw.format = defaultHistoryTableFormat
		}
	}
	return lw
}

func runHistory(ctx context.Context, f *factory, opts historyOptions) error {
	lw := opts.listWriter()
	if _, err := lw.template(); err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ImageHistory(ctx, opts.image)
	if err != nil {
		return err
	}
	rows := make([]any, len(res.Items))
	for i, h := range res.Items {
		rows[i] = &historyRow{h: h, trunc: !opts.noTrunc, human: opts.human, now: f.now()}
	}
	if err := lw.write(f.Out, rows); err != nil {
		return err
	}
	if f.Explaining() {
		if img, err := api.ImageInspect(ctx, opts.image); err == nil {
			f.explain(explain.History(img.InspectResponse, res.Items))
		}
	}
	return nil
}

// historyEpoch is the date before which docker shows a creation time as
// N/A: such images were built with a zeroed clock.
var historyEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// historyRow is one line of docker history, with docker's template fields.
type historyRow struct {
	h     image.HistoryResponseItem
	trunc bool
	human bool
	now   time.Time
}

// ID returns the image ID of the step, or <missing>.
func (r *historyRow) ID() string {
	if r.trunc {
		return stringid.TruncateID(r.h.ID)
	}
	return r.h.ID
}

// CreatedAt returns the creation time in RFC 3339.
func (r *historyRow) CreatedAt() string {
	return time.Unix(r.h.Created, 0).Format(time.RFC3339)
}

// CreatedSince returns "3 minutes ago", or CreatedAt without -H.
func (r *historyRow) CreatedSince() string {
	if !r.human {
		return r.CreatedAt()
	}
	if r.h.Created <= historyEpoch {
		return "N/A"
	}
	return humanAgo(r.now, r.h.Created)
}

// CreatedBy returns the instruction, cut to 45 columns unless --no-trunc.
func (r *historyRow) CreatedBy() string {
	s := strings.ReplaceAll(r.h.CreatedBy, "\t", " ")
	if r.trunc {
		return ellipsis(s, 45)
	}
	return s
}

// Size returns the layer size: "4.26MB" with -H, bytes otherwise.
func (r *historyRow) Size() string {
	if r.human {
		return units.HumanSizeWithPrecision(float64(r.h.Size), 3)
	}
	return strconv.FormatInt(r.h.Size, 10)
}

// Comment returns the step's comment.
func (r *historyRow) Comment() string { return r.h.Comment }

// MarshalJSON renders the row for {{json .}} with docker's keys.
func (r *historyRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Comment":      r.Comment(),
		"CreatedAt":    r.CreatedAt(),
		"CreatedBy":    r.CreatedBy(),
		"CreatedSince": r.CreatedSince(),
		"ID":           r.ID(),
		"Size":         r.Size(),
	})
}
