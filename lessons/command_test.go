package lessons

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		want Command
	}{
		{"bolsillo ps -a", Command{Line: "bolsillo ps -a", Kind: CmdBolsillo, Args: []string{"ps", "-a"}}},
		{"bolsillo run -d --name web busybox sh -c 'echo hola > /www/index.html && httpd -f'",
			Command{Line: "bolsillo run -d --name web busybox sh -c 'echo hola > /www/index.html && httpd -f'", Kind: CmdBolsillo,
				Args: []string{"run", "-d", "--name", "web", "busybox", "sh", "-c", "echo hola > /www/index.html && httpd -f"}}},
		{`bolsillo run busybox echo "hola \"tú\"" # saluda`,
			Command{Line: `bolsillo run busybox echo 'hola "tú"'`, Kind: CmdBolsillo, Args: []string{"run", "busybox", "echo", `hola "tú"`}}},
		{"bolsillo inspect --format '{{.State.Status}}' web",
			Command{Line: "bolsillo inspect --format '{{.State.Status}}' web", Kind: CmdBolsillo, Args: []string{"inspect", "--format", "{{.State.Status}}", "web"}}},
		{`bolsillo images -f dangling=true -q`,
			Command{Line: "bolsillo images -f dangling=true -q", Kind: CmdBolsillo, Args: []string{"images", "-f", "dangling=true", "-q"}}},
		{"bolsillo run busybox echo a#b", Command{Line: "bolsillo run busybox echo 'a#b'", Kind: CmdBolsillo, Args: []string{"run", "busybox", "echo", "a#b"}}},
		{`bolsillo run busybox echo a\ b`, Command{Line: "bolsillo run busybox echo 'a b'", Kind: CmdBolsillo, Args: []string{"run", "busybox", "echo", "a b"}}},
		{"! bolsillo rm web", Command{Line: "! bolsillo rm web", Kind: CmdBolsillo, Args: []string{"rm", "web"}, ExpectFail: true}},
		{"!bolsillo rm web", Command{Line: "! bolsillo rm web", Kind: CmdBolsillo, Args: []string{"rm", "web"}, ExpectFail: true}},
		{"curl http://127.0.0.1:8080/", Command{Line: "curl http://127.0.0.1:8080/", Kind: CmdCurl, URL: "http://127.0.0.1:8080/"}},
		{"curl -s http://localhost:8081/index.html", Command{Line: "curl -s http://localhost:8081/index.html", Kind: CmdCurl, URL: "http://localhost:8081/index.html"}},
		{"esperar 2", Command{Line: "esperar 2", Kind: CmdEsperar, Wait: 2 * time.Second}},
		{"esperar 0.5", Command{Line: "esperar 0.5", Kind: CmdEsperar, Wait: 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.line)
		if err != nil {
			t.Errorf("ParseCommand(%q) error: %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"", "línea vacía"},
		{"# solo un comentario", "línea vacía"},
		{"bolsillo", "falta el comando"},
		{"docker ps", "empieza por"},
		{"bolsillo run busybox echo 'sin cerrar", "comilla simple"},
		{`bolsillo run busybox echo "sin cerrar`, "comillas dobles"},
		{"curl http://10.0.0.1:80/", "solo se permite"},
		{"curl https://127.0.0.1:8080/", "solo se permite"},
		{"curl http://127.0.0.1/", "solo se permite"},
		{"curl", "escribe `curl URL`"},
		{"esperar 10", "como mucho"},
		{"esperar ya", "no es un número"},
		{"! esperar 1", "escribe `esperar SEGUNDOS`"},
	}
	for _, tt := range tests {
		_, err := ParseCommand(tt.line)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseCommand(%q) = %v, want error containing %q", tt.line, err, tt.want)
		}
	}
}

// A parsed line reads back as the same words.
func TestCommandLineRoundTrip(t *testing.T) {
	for _, line := range []string{
		"bolsillo run --rm busybox sh -c 'echo \"hola\" && id -un'",
		"bolsillo exec -e 'A=b c' web env",
		"bolsillo build -t 'web:1' -f Dockerfile.dev .",
	} {
		c, err := ParseCommand(line)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseCommand(c.Line)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Args, c.Args) {
			t.Errorf("%q -> %q -> %q, want %q", line, c.Line, again.Args, c.Args)
		}
	}
}
