package container

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sync"
)

// validName is Docker's rule for container names: two characters at least.
// It is compiled on first use, not in every process libcontainer starts.
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// Generated names pair an adjective with a person from Spanish-speaking
// science, art and letters, as Docker pairs adjectives with scientists.
var (
	adjectives = []string{
		"alegre", "amable", "atento", "audaz", "brillante", "calmado", "curioso",
		"decidido", "despierto", "elegante", "feliz", "gentil", "ingenioso",
		"jovial", "lucido", "nostalgico", "optimista", "paciente", "puntual",
		"quieto", "radiante", "risueno", "sabio", "sereno", "tenaz", "tranquilo",
		"valiente", "veloz",
	}
	people = []string{
		"alcubierre", "balmis", "borges", "cabrera", "cajal", "cervantes",
		"cortazar", "dali", "delacruz", "galindo", "goya", "houssay", "kahlo",
		"leloir", "lorca", "machado", "milstein", "miro", "mistral", "molina",
		"monturiol", "mutis", "neruda", "ocampo", "ochoa", "peral", "quevedo",
		"servet", "sorolla", "unamuno", "velazquez", "zubiri",
	}
)

// randomName returns a name like "valiente_cajal" that taken does not hold.
func randomName(taken func(string) bool) string {
	for i := 0; ; i++ {
		name := adjectives[rand.IntN(len(adjectives))] + "_" + people[rand.IntN(len(people))]
		if i > 10 {
			name += fmt.Sprint(rand.IntN(10))
		}
		if !taken(name) {
			return name
		}
	}
}
