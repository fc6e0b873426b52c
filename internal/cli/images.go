package cli

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/stringid"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

const (
	defaultImageTableFormat           = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
	defaultImageTableFormatWithDigest = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
)

// imageHeader holds the column titles of docker images.
var imageHeader = map[string]string{
	"ID":           "IMAGE ID",
	"Repository":   "REPOSITORY",
	"Tag":          "TAG",
	"Digest":       "DIGEST",
	"CreatedSince": "CREATED",
	"CreatedAt":    "CREATED AT",
	"Size":         "SIZE",
	"Containers":   "CONTAINERS",
	"SharedSize":   "SHARED SIZE",
	"UniqueSize":   "UNIQUE SIZE",
}

// imagesOptions are the flags of bolsillo images.
type imagesOptions struct {
	all       bool
	quiet     bool
	noTrunc   bool
	digests   bool
	format    string
	filters   []string
	matchName string
}

func newImagesCommand(f *factory) *cobra.Command {
	var opts imagesOptions
	cmd := &cobra.Command{
		Use:   "images [OPCIONES] [REPOSITORIO[:TAG]]",
		Short: "Lista las imágenes",
		Args:  requiresRangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.matchName = args[0]
			}
			return runImages(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.all, "all", "a", false, "Muestra todas las imágenes (también las intermedias)")
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "Muestra solo los IDs")
	fl.BoolVar(&opts.noTrunc, "no-trunc", false, "No recorta la salida")
	fl.BoolVar(&opts.digests, "digests", false, "Muestra los digests")
	fl.StringVar(&opts.format, "format", "", "Formato de salida: 'table', 'table PLANTILLA', 'json' o una plantilla de Go")
	fl.StringArrayVarP(&opts.filters, "filter", "f", nil, "Filtra la salida (por ejemplo dangling=true)")
	return cmd
}

// listWriter returns the writer for the chosen format, like docker's
// NewImageFormat.
func (o imagesOptions) listWriter() listWriter {
	lw := listWriter{header: imageHeader}
	switch {
	case o.format == "" || o.format == tableFormatKey:
		switch {
		case o.quiet:
			lw.format = quietFormat
		case o.digests:
			lw.format = defaultImageTableFormatWithDigest
		default:
			lw.format = defaultImageTableFormat
		}
	default:
		lw.format = o.format
		if lw.isTable() && o.digests && !strings.Contains(lw.format, "{{.Digest}}") {
			lw.format += `\t{{.Digest}}`
		}
	}
	return lw
}

func runImages(ctx context.Context, f *factory, opts imagesOptions) error {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return err
	}
	if opts.matchName != "" {
		filters.Add("reference", opts.matchName)
	}
	lw := opts.listWriter()
	if _, err := lw.template(); err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ImageList(ctx, client.ImageListOptions{All: opts.all, Filters: filters})
	if err != nil {
		return err
	}
	needDigest := opts.digests || strings.Contains(lw.format, "{{.Digest}}")
	var rows []any
	for _, img := range res.Items {
		for _, r := range imageRows(img, !opts.noTrunc, needDigest, opts.digests, f.now()) {
			rows = append(rows, r)
		}
	}
	if err := lw.write(f.Out, rows); err != nil {
		return err
	}
	f.explain(explain.Images(res.Items))
	return nil
}

// isDangling reports whether an image has lost every name.
func isDangling(img image.Summary) bool {
	if len(img.RepoTags) == 0 && len(img.RepoDigests) == 0 {
		return true
	}
	return len(img.RepoTags) == 1 && img.RepoTags[0] == "<none>:<none>" &&
		len(img.RepoDigests) == 1 && img.RepoDigests[0] == "<none>@<none>"
}

// imageRows expands one image into docker's rows: one per repository and
// tag (and digest when asked), or a single <none> row when dangling.
// Repositories are sorted so the output is stable.
func imageRows(img image.Summary, trunc, needDigest, showDigests bool, now time.Time) []*imageRow {
	if isDangling(img) {
		return []*imageRow{{i: img, trunc: trunc, now: now, repo: "<none>", tag: "<none>", digest: "<none>"}}
	}
	repoTags := map[string][]string{}
	repoDigests := map[string][]string{}
	for _, s := range img.RepoTags {
		ref, err := imageref.ParseNormalizedNamed(s)
		if err != nil {
			continue
		}
		if nt, ok := ref.(imageref.NamedTagged); ok {
			name := imageref.FamiliarName(ref)
			repoTags[name] = append(repoTags[name], nt.Tag())
		}
	}
	for _, s := range img.RepoDigests {
		ref, err := imageref.ParseNormalizedNamed(s)
		if err != nil {
			continue
		}
		if c, ok := ref.(imageref.Canonical); ok {
			name := imageref.FamiliarName(ref)
			repoDigests[name] = append(repoDigests[name], c.Digest().String())
		}
	}
	var rows []*imageRow
	add := func(repo, tag, digest string) {
		rows = append(rows, &imageRow{i: img, trunc: trunc, now: now, repo: repo, tag: tag, digest: digest})
	}
	for _, repo := range sortedKeys(repoTags) {
		digests := repoDigests[repo]
		delete(repoDigests, repo)
		if !needDigest {
			digests = nil
		}
		for _, tag := range repoTags[repo] {
			if len(digests) == 0 {
				add(repo, tag, "<none>")
				continue
			}
			for _, d := range digests {
				add(repo, tag, d)
			}
		}
	}
	for _, repo := range sortedKeys(repoDigests) {
		if showDigests {
			for _, d := range repoDigests[repo] {
				add(repo, "<none>", d)
			}
		} else {
			add(repo, "<none>", "")
		}
	}
	return rows
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// imageRow is one line of docker images, with docker's template fields.
type imageRow struct {
	i                 image.Summary
	trunc             bool
	now               time.Time
	repo, tag, digest string
}

// ID returns the image ID; truncated it drops "sha256:" and keeps 12 characters.
func (r *imageRow) ID() string {
	if r.trunc {
		return stringid.TruncateID(r.i.ID)
	}
	return r.i.ID
}

// Repository returns the repository name, or <none>.
func (r *imageRow) Repository() string { return r.repo }

// Tag returns the tag, or <none>.
func (r *imageRow) Tag() string { return r.tag }

// Digest returns the repository digest, or <none>.
func (r *imageRow) Digest() string { return r.digest }

// CreatedSince returns how long ago the image was created.
func (r *imageRow) CreatedSince() string {
	if time.Unix(r.i.Created, 0).IsZero() {
		return ""
	}
	return humanAgo(r.now, r.i.Created)
}

// CreatedAt returns the creation time as Go prints a time.Time.
func (r *imageRow) CreatedAt() string { return time.Unix(r.i.Created, 0).String() }

// Size returns the image size with three significant digits, e.g. "4.26MB".
func (r *imageRow) Size() string { return units.HumanSizeWithPrecision(float64(r.i.Size), 3) }

// Containers returns how many containers use the image, or N/A.
func (r *imageRow) Containers() string {
	if r.i.Containers == -1 {
		return "N/A"
	}
	return strconv.FormatInt(r.i.Containers, 10)
}

// SharedSize returns the size shared with other images, or N/A.
func (r *imageRow) SharedSize() string {
	if r.i.SharedSize == -1 {
		return "N/A"
	}
	return units.HumanSize(float64(r.i.SharedSize))
}

// UniqueSize returns the size only this image uses, or N/A.
func (r *imageRow) UniqueSize() string {
	if r.i.Size == -1 || r.i.SharedSize == -1 {
		return "N/A"
	}
	return units.HumanSize(float64(r.i.Size - r.i.SharedSize))
}

// VirtualSize is the image size as docker's deprecated VirtualSize column
// prints it (four significant digits); docker still emits it in JSON.
func (r *imageRow) VirtualSize() string { return units.HumanSize(float64(r.i.Size)) }

// MarshalJSON renders the row for {{json .}} with docker's keys.
func (r *imageRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Containers":   r.Containers(),
		"CreatedAt":    r.CreatedAt(),
		"CreatedSince": r.CreatedSince(),
		"Digest":       r.Digest(),
		"ID":           r.ID(),
		"Repository":   r.Repository(),
		"SharedSize":   r.SharedSize(),
		"Size":         r.Size(),
		"Tag":          r.Tag(),
		"UniqueSize":   r.UniqueSize(),
		"VirtualSize":  r.VirtualSize(),
	})
}
