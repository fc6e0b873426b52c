package explain

import (
	"strings"

	"bolsillo/internal/imageref"
)

// dockerHubDomain is the registry a name without a host refers to.
const dockerHubDomain = "docker.io"

// officialPrefix is the Docker Hub namespace of the official images.
const officialPrefix = "library/"

// imageName is an image reference split the way Docker reads it:
// registry/repository:tag or registry/repository@digest.
type imageName struct {
	Typed      string // as the student wrote it ("busybox")
	Full       string // normalised: "docker.io/library/busybox:latest"
	Familiar   string // as docker lists it: "busybox:latest"
	Repo       string // the familiar repository, without tag: "busybox"
	Domain     string // "docker.io", "localhost:5000"
	Path       string // "library/busybox"
	Tag        string // "latest"; empty when the reference is a digest
	Digest     string // "sha256:..." when the reference has one
	TagImplied bool   // the student wrote no tag and got "latest"
}

// parseImageName normalises ref as Docker does. ok is false when ref is not a
// valid reference.
func parseImageName(ref string) (n imageName, ok bool) {
	named, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return imageName{Typed: ref}, false
	}
	n = imageName{
		Typed:  ref,
		Domain: imageref.Domain(named),
		Path:   imageref.Path(named),
	}
	if d, isDigested := named.(imageref.Digested); isDigested {
		n.Digest = d.Digest().String()
	}
	if t, isTagged := named.(imageref.Tagged); isTagged {
		n.Tag = t.Tag()
	}
	if n.Tag == "" && n.Digest == "" {
		named = imageref.TagNameOnly(named)
		n.Tag = named.(imageref.Tagged).Tag()
		n.TagImplied = true
	}
	n.Repo = imageref.FamiliarName(named)
	n.Full = named.String()
	n.Familiar = imageref.FamiliarString(named)
	return n, true
}

// isDockerHub reports whether the name lives on Docker Hub.
func (n imageName) isDockerHub() bool {
	return n.Domain == dockerHubDomain
}

// isOfficial reports whether the name is one of Docker Hub's official images.
func (n imageName) isOfficial() bool {
	return n.isDockerHub() && strings.HasPrefix(n.Path, officialPrefix)
}

// anatomy says which registry, repository and tag (or digest) the name
// points at, in one sentence fragment.
func (n imageName) anatomy() string {
	registry := "registro (registry) " + code(n.Domain)
	if n.isDockerHub() {
		registry += " (Docker Hub)"
	}
	repo := "repositorio " + code(n.Path)
	if n.isOfficial() {
		repo += " (" + code(officialPrefix) + " guarda las imágenes oficiales)"
	}
	var version string
	switch {
	case n.Digest != "":
		version = "digest " + code(n.Digest) + ": ese contenido exacto, aunque la etiqueta se mueva después"
	case n.TagImplied:
		version = "etiqueta (tag) " + code(n.Tag) + ", la que se usa cuando no escribes ninguna"
	default:
		version = "etiqueta (tag) " + code(n.Tag)
	}
	return registry + ", " + repo + " y " + version
}

// localOnly reports whether a registry address is reachable only from this
// machine.
func localOnly(hostport string) bool {
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		host = hostport[:i]
	}
	host = strings.Trim(host, "[]")
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
