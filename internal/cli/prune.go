package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

const (
	danglingWarning = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
	allImageWarning = "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?"
)

// imagePruneOptions are the flags of bolsillo image prune.
type imagePruneOptions struct {
	all     bool
	force   bool
	filters []string
}

func newImagePruneCommand(f *factory) *cobra.Command {
	var opts imagePruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPCIONES]",
		Short: "Borra las imágenes que no se usan",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImagePrune(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.all, "all", "a", false, "Borra todas las imágenes que no usa ningún contenedor, no solo las colgadas")
	fl.BoolVarP(&opts.force, "force", "f", false, "No pide confirmación")
	fl.StringArrayVar(&opts.filters, "filter", nil, "Filtra qué se borra (por ejemplo until=24h o label=curso)")
	return cmd
}

// confirm asks message on stdout and reads the answer, like docker's
// prompt: only "y" or "Y" is a yes.
func (f *factory) confirm(message string) bool {
	fmt.Fprint(f.Out, message+" [y/N] ")
	sc := bufio.NewScanner(f.In)
	if !sc.Scan() {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(sc.Text()), "y")
}

func runImagePrune(ctx context.Context, f *factory, opts imagePruneOptions) error {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return err
	}
	filters.Add("dangling", strconv.FormatBool(!opts.all))
	warning := danglingWarning
	if opts.all {
		warning = allImageWarning
	}
	if !opts.force && !f.confirm(warning) {
		return nil
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ImagePrune(ctx, client.ImagePruneOptions{Filters: filters})
	if err != nil {
		return err
	}
	r := res.Report
	printPruned(f.Out, "Deleted Images", imagePruneLines(r.ImagesDeleted))
	printReclaimed(f.Out, r.SpaceReclaimed)
	f.explain(explain.ImagePrune(r, opts.all))
	return nil
}

// printPruned prints one section of a prune's report as docker does: the
// title, a line per item and an empty line; nothing without items.
func printPruned(w io.Writer, title string, items []string) {
	if len(items) > 0 {
		fmt.Fprintf(w, "%s:\n%s\n\n", title, strings.Join(items, "\n"))
	}
}

// printReclaimed ends a prune's report, as docker does.
func printReclaimed(w io.Writer, bytes uint64) {
	fmt.Fprintln(w, "Total reclaimed space:", units.HumanSize(float64(bytes)))
}

// imagePruneLines are the lines of docker's "Deleted Images" section.
func imagePruneLines(deleted []image.DeleteResponse) []string {
	lines := make([]string, 0, len(deleted))
	for _, d := range deleted {
		if d.Untagged != "" {
			lines = append(lines, "untagged: "+d.Untagged)
		} else {
			lines = append(lines, "deleted: "+d.Deleted)
		}
	}
	return lines
}
