package lessons

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoadFS: no lesson file makes LoadFS or Validate panic, and a lesson
// they accept writes its files only inside its work folder.
func FuzzLoadFS(f *testing.F) {
	for _, dir := range []string{"cursos", filepath.Join("testdata", "buenas"), filepath.Join("testdata", "malas")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for i, name := range files {
			if i >= 4 {
				break
			}
			if b, err := os.ReadFile(name); err == nil {
				f.Add(filepath.Base(name), b)
			}
		}
	}
	f.Add("01-x.yaml", []byte("id: x\nnumero: 1\narchivos: {../../etc/passwd: x, /abs: y, a/../..: z}\npasos: [{comprobar: [{x: 1}, [], {a: 1, b: 2}]}]\n"))
	f.Add("01-x.yaml", []byte("a: &a [*a, *a]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		if !fs.ValidPath(name) || path.Dir(name) != "." || !strings.HasSuffix(name, ".yaml") {
			return
		}
		ls, err := LoadFS(fstest.MapFS{name: {Data: b}})
		if err != nil {
			return
		}
		for _, l := range ls {
			names := []string{}
			for n := range l.Archivos {
				names = append(names, n)
			}
			for _, s := range l.Pasos {
				for n := range s.Ficheros {
					names = append(names, n)
				}
			}
			for _, n := range names {
				if p := path.Join("/work", l.Dir(), n); !strings.HasPrefix(p, "/work/"+l.Dir()+"/") {
					t.Errorf("lesson %s writes %q at %s, outside its folder", l.ID, n, p)
				}
			}
		}
	})
}
