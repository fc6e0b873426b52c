package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// commandTopics maps every command path (without "bolsillo ") to the
// concept page that explains it: `bolsillo CMD --help` ends with
// "Más: bolsillo explica TEMA", and `bolsillo explica CMD` shows that page.
var commandTopics = map[string]string{
	// Containers.
	"run":     "contenedor",
	"create":  "contenedor",
	"ps":      "contenedor",
	"start":   "ciclo-de-vida",
	"stop":    "ciclo-de-vida",
	"restart": "ciclo-de-vida",
	"kill":    "ciclo-de-vida",
	"rm":      "ciclo-de-vida",
	"rename":  "ciclo-de-vida",
	"wait":    "ciclo-de-vida",
	"pause":   "ciclo-de-vida",
	"unpause": "ciclo-de-vida",
	"exec":    "interactivo",
	"attach":  "interactivo",
	"logs":    "logs",
	"inspect": "inspeccionar",
	"top":     "inspeccionar",
	"stats":   "recursos",
	"update":  "recursos",
	"cp":      "archivos",
	"diff":    "archivos",
	"commit":  "commit",
	"port":    "puertos",

	"container":         "contenedor",
	"container run":     "contenedor",
	"container create":  "contenedor",
	"container ls":      "contenedor",
	"container start":   "ciclo-de-vida",
	"container stop":    "ciclo-de-vida",
	"container restart": "ciclo-de-vida",
	"container kill":    "ciclo-de-vida",
	"container rm":      "ciclo-de-vida",
	"container rename":  "ciclo-de-vida",
	"container wait":    "ciclo-de-vida",
	"container pause":   "ciclo-de-vida",
	"container unpause": "ciclo-de-vida",
	"container prune":   "ciclo-de-vida",
	"container exec":    "interactivo",
	"container attach":  "interactivo",
	"container logs":    "logs",
	"container inspect": "inspeccionar",
	"container top":     "inspeccionar",
	"container stats":   "recursos",
	"container update":  "recursos",
	"container cp":      "archivos",
	"container diff":    "archivos",
	"container commit":  "commit",
	"container port":    "puertos",

	// Images.
	"images":  "imagen",
	"import":  "imagen",
	"rmi":     "imagen",
	"tag":     "etiquetas",
	"history": "capas",
	"build":   "dockerfile",
	"pull":    "registro",
	"push":    "registro",
	"save":    "registro",
	"load":    "registro",
	"login":   "registro",
	"logout":  "registro",

	"image":         "imagen",
	"image ls":      "imagen",
	"image import":  "imagen",
	"image inspect": "imagen",
	"image rm":      "imagen",
	"image tag":     "etiquetas",
	"image history": "capas",
	"image build":   "dockerfile",
	"image prune":   "colgadas",
	"image pull":    "registro",
	"image push":    "registro",
	"image save":    "registro",
	"image load":    "registro",

	// Volumes and networks.
	"volume":          "volumenes",
	"volume create":   "volumenes",
	"volume inspect":  "volumenes",
	"volume ls":       "volumenes",
	"volume prune":    "volumenes",
	"volume rm":       "volumenes",
	"network":         "redes",
	"network ls":      "redes",
	"network inspect": "redes",

	// The daemon and the classroom.
	"version":      "arquitectura",
	"info":         "data-root",
	"system":       "data-root",
	"system df":    "data-root",
	"system prune": "colgadas",
	"system info":  "data-root",
	"registry":     "registro",
	"lab":          "lecciones",
	"lab init":     "lecciones",
	"explica":      "lecciones",

	// Commands of the teacher and of the lessons.
	"capas":             "capas",
	"lint":              "buenas-practicas",
	"monitor":           "api",
	"events":            "api",
	"leccion":           "lecciones",
	"leccion lista":     "lecciones",
	"leccion empezar":   "lecciones",
	"leccion pista":     "lecciones",
	"leccion verificar": "lecciones",
	"leccion solucion":  "lecciones",
	"leccion reiniciar": "lecciones",
	"leccion auto":      "lecciones",
}

// annotationExplica is the command annotation holding its concept page.
const annotationExplica = "bolsillo.explica"

// helpTemplate is cobra's help text followed by the command's concept page.
const helpTemplate = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}{{with index .Annotations "` + annotationExplica + `"}}
Más: bolsillo explica {{.}}
{{end}}`

// addExplicaHelp annotates every command of the tree that has a concept page
// with it, so that its help ends with "Más: bolsillo explica TEMA".
func addExplicaHelp(root *cobra.Command) {
	root.SetHelpTemplate(helpTemplate)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if topic, ok := commandTopic(c); ok {
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[annotationExplica] = topic
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// commandTopic returns the concept page of a command of the tree.
func commandTopic(c *cobra.Command) (string, bool) {
	path := c.CommandPath()
	if root := c.Root(); c != root {
		path = strings.TrimPrefix(path, root.Name()+" ")
	}
	topic, ok := commandTopics[path]
	return topic, ok
}

func newExplicaCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "explica [TEMA]",
		Aliases: []string{"explain"},
		Short:   "Explica un concepto de Docker: capas, puertos, volúmenes, COPY... (sin TEMA, la lista)",
		Long: "Explica un concepto del curso de Docker, con un ejemplo para probar y la lección que lo practica.\n" +
			"Sin TEMA muestra la lista de temas. TEMA puede ser también un comando: bolsillo explica \"image prune\".\n" +
			"No necesita el daemon.",
		Example: "  bolsillo explica\n  bolsillo explica capas\n  bolsillo explica COPY\n  bolsillo explica ciclo de vida",
		Args:    cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return runExplica(f, strings.Join(args, " "))
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, t := range explain.Topics() {
				names = append(names, t.Name+"\t"+t.Summary)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// runExplica writes the list of topics, or the page of one topic, to
// stdout: rendered for the terminal when stdout is one, Markdown otherwise.
func runExplica(f *factory, topic string) error {
	out := explain.NewPagePrinter(f.Out)
	if strings.TrimSpace(topic) == "" {
		out.Print(explain.TopicList())
		return nil
	}
	page, ok := explain.Page(topic)
	if !ok {
		if t, isCommand := commandTopics[strings.Join(strings.Fields(topic), " ")]; isCommand {
			page, ok = explain.Page(t)
		}
	}
	if !ok {
		explain.NewPrinter(f.Err, true).Print(unknownTopic(topic))
		return statusError{code: exitGeneric}
	}
	out.Print(page)
	return nil
}

// unknownTopic is the Spanish error for a topic without a page.
func unknownTopic(topic string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "No hay ninguna página sobre «%s».", topic)
	if near := explain.ClosestTopics(topic, 3); len(near) > 0 {
		quoted := make([]string, len(near))
		for i, n := range near {
			quoted[i] = "`bolsillo explica " + n + "`"
		}
		fmt.Fprintf(&b, " ¿Querías decir %s?", strings.Join(quoted, ", "))
	}
	b.WriteString(" Mira todos los temas con `bolsillo explica`.\n")
	return b.String()
}
