package explain

import (
	"fmt"
	"net"
	"strings"

	"github.com/moby/moby/api/types/image"
)

// LayerProgress is what the CLI saw for one layer in a pull/push stream.
type LayerProgress struct {
	ID     string // short layer ID as in the stream
	Status string // the last status: "Pull complete", "Already exists", "Pushed", "Layer already exists", ...
	Size   int64  // compressed size when the stream said it (progressDetail.total), else 0
}

// reused reports whether the layer did not travel: the other end already
// had it.
func (l LayerProgress) reused() bool {
	s := strings.ToLower(strings.TrimSpace(l.Status))
	return s == "already exists" || s == "layer already exists" || strings.HasPrefix(s, "mounted from")
}

// layerSplit separates the layers that travelled from those that were
// already there.
type layerSplit struct {
	moved, reused []string
	movedBytes    int64 // compressed size of the moved layers; 0 unless the stream gave every one
}

func splitLayers(layers []LayerProgress) layerSplit {
	var s layerSplit
	sized := true
	for _, l := range layers {
		if l.reused() {
			s.reused = append(s.reused, l.ID)
			continue
		}
		s.moved = append(s.moved, l.ID)
		s.movedBytes += l.Size
		sized = sized && l.Size > 0
	}
	if !sized {
		s.movedBytes = 0
	}
	return s
}

// PullData is what the CLI knows after a `pull`.
type PullData struct {
	Ref      string                 // as the student typed it ("busybox")
	Image    image.InspectResponse  // the image after the pull
	Layers   []LayerProgress        // one per layer, in stream order
	Digest   string                 // from the "Digest: sha256:..." line
	UpToDate bool                   // "Image is up to date for ..."
	Dangling *image.InspectResponse // the image the tag pointed at before, now <none>:<none>; nil if none
}

// Pull explains a `pull`: what the name means, which layers were downloaded
// and which were already on the host, compressed against unpacked size, the
// digest, and the image the tag left dangling, if any.
func Pull(d PullData) string {
	n, ok := parseImageName(d.Ref)
	name := imageArg(d.Image)
	if ok {
		name = n.Familiar
	}

	var md doc
	if d.UpToDate {
		md.title("%s ya estaba al día", code(name))
	} else {
		md.title("Imagen %s descargada", code(name))
	}
	if ok {
		md.item("%s", anatomySentence(n))
	}
	layers := splitLayers(d.Layers)
	switch {
	case d.UpToDate:
		md.item("El registro tiene el mismo digest que tu copia: no se descargó ninguna capa.")
	case len(d.Layers) > 0:
		if k := len(layers.moved); k > 0 {
			md.item("Descargó %d %s%s: %s.", k, plural(k, "capa", "capas"), compressedNote(layers.movedBytes), codeListLimit(layers.moved, 4))
		}
		if k := len(layers.reused); k > 0 {
			md.item("%d %s ya %s en el anfitrión (`Already exists`): %s. Otra imagen %s comparte, así que %s otra vez.",
				k, plural(k, "capa", "capas"), plural(k, "estaba", "estaban"), codeListLimit(layers.reused, 4),
				plural(k, "la", "las"), plural(k, "no se bajó", "no se bajaron"))
		}
	}
	if !d.UpToDate && layers.movedBytes > 0 {
		md.item("Por la red viajaron %s comprimidos; desempaquetada, la imagen ocupa %s (columna `SIZE` de `images`).", humanSize(layers.movedBytes), humanSize(d.Image.Size))
	} else {
		md.item("%s Su IMAGE ID es %s.", layersSentence(d.Image), code(shortID(d.Image.ID)))
	}
	if d.Digest != "" {
		md.item("Su digest, %s, es el hash de su manifiesto (manifest) en el registro: %s trae siempre esta misma imagen. El IMAGE ID es otro hash, el de su configuración.",
			code(d.Digest), code("bolsillo pull "+repoName(n, ok, name)+"@"+d.Digest))
	}
	if d.Dangling != nil {
		md.item("%s", danglingSentence(name, *d.Dangling))
	}
	md.item("Mírala con %s y su historial capa a capa con %s.", code("bolsillo images"), code("bolsillo history "+runName(name)))
	return md.String()
}

// anatomySentence explains how Docker reads the name the student typed.
func anatomySentence(n imageName) string {
	if n.Typed == n.Full {
		return fmt.Sprintf("%s se lee así: %s.", code(n.Typed), n.anatomy())
	}
	return fmt.Sprintf("Escribiste %s, que es %s: %s.", code(n.Typed), code(n.Full), n.anatomy())
}

// compressedNote is ", 3.2MB comprimidas" when the stream gave sizes.
func compressedNote(n int64) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%s comprimidas)", humanSize(n))
}

// repoName is the repository as the student would write it, without tag.
func repoName(n imageName, ok bool, fallback string) string {
	if ok && n.Repo != "" {
		return n.Repo
	}
	if i := strings.LastIndexByte(fallback, ':'); i > strings.LastIndexByte(fallback, '/') {
		return fallback[:i]
	}
	return fallback
}

// danglingSentence names the image that lost tag ("" when unknown) and says
// how to remove it.
func danglingSentence(tag string, old image.InspectResponse) string {
	id := shortID(old.ID)
	if id == "" {
		id = "IMAGEN"
	}
	subject := "Su nombre"
	if tag != "" {
		subject = code(tag)
	}
	return fmt.Sprintf("%s apuntaba antes a %s: esa imagen se quedó sin etiqueta, es una imagen colgada (dangling, %s) y sigue ocupando %s. Bórrala con %s o con %s.",
		subject, code(id), code(danglingTag), humanSize(old.Size), code("bolsillo rmi "+id), code("bolsillo image prune"))
}

// PushData is what the CLI knows after a `push`.
type PushData struct {
	Ref    string                // as the student typed it ("localhost:5000/mio/busybox:1.0")
	Image  image.InspectResponse // the image that was pushed
	Layers []LayerProgress       // one per layer, in stream order
	Digest string                // the manifest digest the registry answered
	Size   int64                 // the manifest's size in bytes ("size: 527")
}

// Push explains a `push`: the name says where it goes, which layers
// travelled, and what the registry stored.
func Push(d PushData) string {
	n, ok := parseImageName(d.Ref)
	name := imageArg(d.Image)
	if ok {
		name = n.Familiar
	}
	var md doc
	switch {
	case ok && n.isDockerHub():
		md.title("%s subida a Docker Hub", code(name))
	case ok:
		md.title("%s subida al registro %s", code(name), code(n.Domain))
	default:
		md.title("%s subida al registro", code(name))
	}
	if ok {
		line := "El nombre dice adónde va: " + n.anatomy() + "."
		if n.isDockerHub() {
			line += " En Docker Hub, la primera parte del repositorio es tu usuario, y hace falta `bolsillo login`."
		}
		md.item("%s", line)
	}
	layers := splitLayers(d.Layers)
	if k := len(layers.moved); k > 0 {
		md.item("Subió %d %s%s: %s.", k, plural(k, "capa", "capas"), compressedNote(layers.movedBytes), codeListLimit(layers.moved, 4))
	}
	if k := len(layers.reused); k > 0 {
		md.item("%d %s ya %s en el registro (`Layer already exists`): %s. Solo viajan las capas que le faltan.",
			k, plural(k, "capa", "capas"), plural(k, "estaba", "estaban"), codeListLimit(layers.reused, 4))
	}
	if d.Digest != "" {
		size := ""
		if d.Size > 0 {
			size = fmt.Sprintf(", de %d bytes,", d.Size)
		}
		md.item("El registro guardó su manifiesto (manifest)%s que lista la configuración y las capas; su digest es %s.", size, code(d.Digest))
	}
	md.item("El IMAGE ID %s viaja con ella: quien la descargue verá el mismo.", code(shortID(d.Image.ID)))
	switch {
	case ok && localOnly(n.Domain):
		md.item("Descárgala desde esta máquina con %s. Para el aula, el registro debe escuchar en una dirección que vean las demás (%s).",
			code("bolsillo pull "+name), code("bolsillo registry --addr 0.0.0.0:5000"))
	default:
		md.item("Cualquier máquina que llegue al registro la descarga con %s.", code("bolsillo pull "+name))
	}
	return md.String()
}

// dockerHubServers are the addresses `docker login` uses for Docker Hub.
var dockerHubServers = map[string]bool{
	"":                            true,
	"docker.io":                   true,
	"index.docker.io":             true,
	"registry-1.docker.io":        true,
	"https://index.docker.io/v1/": true,
}

// Login explains a `login`: the registry accepted the credentials and
// stored says where they were kept: a file path (~/.docker/config.json) or
// the name of a credential helper ("pass", "secretservice").
func Login(server, user, stored string) string {
	hub := dockerHubServers[strings.TrimSuffix(server, "/")] || dockerHubServers[server]
	where := code(server)
	if hub {
		where = "Docker Hub"
	}
	var md doc
	if user != "" {
		md.title("Sesión iniciada en %s como %s", where, code(user))
	} else {
		md.title("Sesión iniciada en %s", where)
	}
	md.item("El registro (registry) aceptó tu usuario y contraseña. Desde ahora el cliente se los pasa al daemon en cada `pull` o `push` a %s (cabecera `X-Registry-Auth`), y el daemon se los presenta al registro.", where)
	switch {
	case strings.Contains(stored, "/"):
		md.item("Se guardaron en %s, dentro de `auths`, codificados en base64: eso no es cifrar, cualquiera que lea el archivo ve la contraseña. Es el mismo archivo que usa `docker login`.", code(stored))
	case stored != "":
		md.item("Se guardaron con el almacén de credenciales (credential helper) %s: el programa %s los guarda fuera de `~/.docker/config.json`.", code(stored), code("docker-credential-"+stored))
	}
	prefix := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	if hub {
		prefix = firstNonEmpty(user, "TU_USUARIO")
	}
	prefix = strings.TrimSuffix(prefix, "/")
	md.item("Para subir una imagen, nómbrala con %s delante: %s y %s.", code(prefix+"/"), code("bolsillo tag busybox "+prefix+"/busybox"), code("bolsillo push "+prefix+"/busybox"))
	return md.String()
}

// RegistryServe explains `bolsillo registry`: what a registry is, where it
// keeps the images and how the classroom uses it.
func RegistryServe(addr, root string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	everywhere := host == "" || host == "0.0.0.0" || host == "::"
	pullHost := host
	if everywhere {
		pullHost = "TU_IP"
	}
	hostport := pullHost
	if port != "" {
		hostport = net.JoinHostPort(pullHost, port)
	}

	var md doc
	md.title("Registro del aula escuchando en %s", code(addr))
	md.item("Un registro (registry) es un servidor de imágenes, como Docker Hub: guarda capas (blobs) y manifiestos (manifests) y los sirve por HTTP con la API `/v2/` que hablan `docker` y `bolsillo`.")
	if root != "" {
		md.item("Lo guarda todo en %s: las imágenes siguen ahí aunque lo pares y lo vuelvas a arrancar.", code(root))
	}
	switch {
	case everywhere:
		md.item("Escucha en todas las interfaces de red: el aula lo encuentra por la IP de esta máquina (mírala con `hostname -I`) y el puerto %s.", code(port))
	case localOnly(addr):
		md.item("Solo escucha en esta máquina: para el aula, arráncalo con %s.", code("--addr 0.0.0.0:"+firstNonEmpty(port, "5000")))
	default:
		md.item("El aula lo encuentra en %s.", code(hostport))
	}
	md.item("Súbele imágenes: %s y %s, o todas las del laboratorio con %s.",
		code("bolsillo tag busybox "+hostport+"/busybox"), code("bolsillo push "+hostport+"/busybox"), code("bolsillo lab init --registry "+hostport))
	where := "En cada máquina del aula"
	if !everywhere && localOnly(addr) {
		where = "En esta máquina"
	}
	md.item("%s: %s. El nombre empieza por %s, así que `pull` va a este registro y no a Docker Hub.",
		where, code("bolsillo pull "+hostport+"/busybox"), code(hostport+"/"))
	md.item("Habla HTTP sin cifrar (sin TLS): úsalo solo dentro de la red del aula.")
	return md.String()
}
