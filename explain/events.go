package explain

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/events"
)

// eventTypeNames are the event types in Spanish, singular and plural.
var eventTypeNames = map[events.Type][2]string{
	events.ContainerEventType: {"de contenedor", "de contenedores"},
	events.ImageEventType:     {"de imagen", "de imágenes"},
	events.VolumeEventType:    {"de volumen", "de volúmenes"},
	events.NetworkEventType:   {"de red", "de redes"},
}

// eventMeanings says what each action means, by type and action (exec
// actions without their command).
var eventMeanings = map[string]string{
	"container create":         "se creó el contenedor (todavía sin proceso)",
	"container start":          "arrancó su proceso principal",
	"container attach":         "un cliente conectó su terminal a la salida del contenedor",
	"container detach":         "el cliente se desconectó con las teclas de despegue y el contenedor siguió corriendo",
	"container kill":           "el daemon envió una señal al proceso principal (el atributo `signal` dice cuál: 15 es SIGTERM, 9 es SIGKILL)",
	"container die":            "terminó el proceso principal (el atributo `exitCode` es su código de salida)",
	"container oom":            "el kernel mató un proceso por pasar el límite de memoria",
	"container stop":           "terminó un `stop`: primero SIGTERM y, si no basta, SIGKILL",
	"container restart":        "terminó un `restart`: un `stop` seguido de un `start`",
	"container destroy":        "se borró el contenedor y su capa de escritura",
	"container rename":         "el contenedor cambió de nombre (`oldName` es el anterior)",
	"container pause":          "sus procesos quedaron congelados",
	"container unpause":        "sus procesos volvieron a recibir CPU",
	"container update":         "cambiaron sus límites de recursos",
	"container resize":         "cambió el tamaño de su terminal",
	"container top":            "alguien pidió la lista de sus procesos",
	"container commit":         "su capa de escritura se confirmó en una imagen nueva (`imageID`)",
	"container archive-path":   "se copiaron archivos desde el contenedor (`cp` hacia tu máquina)",
	"container extract-to-dir": "se copiaron archivos al contenedor (`cp` desde tu máquina)",
	"container export":         "se exportó su sistema de archivos como un tar",
	"container exec_create":    "se preparó un `exec` (el comando va en la acción)",
	"container exec_start":     "arrancó el proceso del `exec`",
	"container exec_die":       "terminó el proceso del `exec` (`exitCode` es su código de salida)",
	"container prune":          "se borraron los contenedores detenidos",
	"image pull":               "se descargó una imagen de un registro",
	"image push":               "se subió una imagen a un registro",
	"image tag":                "una imagen recibió una etiqueta (`tag`)",
	"image untag":              "una imagen perdió una etiqueta",
	"image delete":             "se borró una imagen",
	"image import":             "se creó una imagen desde un tar con `import`",
	"image load":               "se cargó una imagen desde un tar con `load`",
	"image save":               "se guardó una imagen en un tar con `save`",
	"image prune":              "se borraron las imágenes sin uso",
	"volume create":            "se creó un volumen",
	"volume mount":             "un contenedor que arrancaba montó el volumen",
	"volume unmount":           "un contenedor que terminó desmontó el volumen",
	"volume destroy":           "se borró un volumen",
	"volume prune":             "se borraron los volúmenes sin uso",
	"network connect":          "un contenedor se conectó a la red al arrancar",
	"network disconnect":       "un contenedor se desconectó de la red al terminar",
}

// eventKey is an event's type and action, without an exec's command.
func eventKey(m events.Message) string {
	action, _, _ := strings.Cut(string(m.Action), ":")
	return string(m.Type) + " " + action
}

// Events explains what `bolsillo events` printed: how many events of each
// type, and what each action seen means, in the order they first happened.
func Events(msgs []events.Message) string {
	var md doc
	if len(msgs) == 0 {
		md.title("No hubo eventos")
		md.item("El daemon anota cada cosa que hace (crear, arrancar, detener, borrar...) como un evento, pero en ese intervalo no pasó nada que coincida con tus filtros.")
		md.item("Deja %s corriendo en una terminal y haz algo en otra, por ejemplo %s.", code("bolsillo events"), code("bolsillo run --rm busybox echo hola"))
		return md.String()
	}
	md.title("%d %s del daemon", len(msgs), plural(len(msgs), "evento", "eventos"))
	var types []events.Type
	count := map[events.Type]int{}
	var keys []string
	seen := map[string]bool{}
	for _, m := range msgs {
		if count[m.Type] == 0 {
			types = append(types, m.Type)
		}
		count[m.Type]++
		if k := eventKey(m); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var parts []string
	for _, t := range types {
		names, ok := eventTypeNames[t]
		if !ok {
			names = [2]string{"de tipo " + code(string(t)), "de tipo " + code(string(t))}
		}
		parts = append(parts, fmt.Sprintf("%d %s", count[t], names[min(count[t]-1, 1)]))
	}
	md.item("Cada evento lleva su hora, su tipo, su acción y el ID de lo que cambió. Por tipo: %s.", joinSpanish(parts))
	for _, k := range keys {
		if meaning, ok := eventMeanings[k]; ok {
			md.item("%s: %s.", code(k), meaning)
		}
	}
	md.item("Con %s ves solo algunos (por ejemplo %s o %s), y con %s los ves como JSON.", code("--filter"), code("type=container"), code("event=die"), code("--format '{{json .}}'"))
	return md.String()
}
