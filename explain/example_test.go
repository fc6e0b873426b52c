package explain_test

import (
	"errors"
	"fmt"
	"os"

	"bolsillo/explain"
)

func ExampleError() {
	err := errors.New("Error response from daemon: No such container: web")
	fmt.Print(explain.Error(err, "unix:///run/bolsillo.sock"))
	// Output:
	// # No existe el contenedor `web`
	//
	// - Este daemon no tiene ningún contenedor con el nombre o ID `web`.
	// - Mira los que existen, también los detenidos, con `bolsillo ps -a`.
	// - Si lo lanzaste con `--rm`, se borró solo al terminar.
	// - Mensaje original: `Error response from daemon: No such container: web`
}

func ExamplePrinter() {
	// Not a terminal here, so the Printer writes plain Markdown.
	p := explain.NewPrinter(os.Stdout, true)
	p.Print(explain.Version(explain.VersionData{
		ClientVersion: "0.1.0", ClientAPIVersion: "1.50", Host: "unix:///run/bolsillo.sock",
		ServerName: "bolsillod", ServerVersion: "0.1.0", ServerAPIVersion: "1.50", ServerMinAPIVersion: "1.24",
		Os: "linux", Arch: "amd64", KernelVersion: "6.8.0-49-generic",
	}))
	// Output:
	// # Cliente → API REST → daemon → anfitrión
	//
	// - El cliente es `bolsillo 0.1.0`: lo que escribes en la terminal. No ejecuta nada por sí mismo.
	// - Envía peticiones HTTP a la API REST (Docker Engine API `1.50`) por `unix:///run/bolsillo.sock`.
	// - Las atiende el daemon (servidor), `bolsillod 0.1.0`, que habla la API `1.50` y acepta desde la `1.24`.
	// - El daemon crea imágenes y contenedores en el anfitrión (Docker host): `linux/amd64`, kernel `6.8.0-49-generic`.
}
