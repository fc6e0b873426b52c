package explain

import (
	"fmt"
	"time"
)

// ago says how long before now t was, in Spanish, with the same steps as the
// English "3 minutes ago" that docker prints (go-units HumanDuration), so the
// explanation and the table agree.
func ago(t, now time.Time) string {
	if t.Unix() <= 0 {
		return "en una fecha desconocida"
	}
	d := now.Sub(t)
	if seconds := int(d.Seconds()); seconds < 1 {
		return "hace menos de un segundo"
	} else if seconds < 60 {
		return fmt.Sprintf("hace %d %s", seconds, plural(seconds, "segundo", "segundos"))
	} else if minutes := int(d.Minutes()); minutes == 1 {
		return "hace un minuto"
	} else if minutes < 60 {
		return fmt.Sprintf("hace %d minutos", minutes)
	} else if hours := int(d.Hours() + 0.5); hours == 1 {
		return "hace una hora"
	} else if hours < 48 {
		return fmt.Sprintf("hace %d horas", hours)
	} else if hours < 24*7*2 {
		return fmt.Sprintf("hace %d días", hours/24)
	} else if hours < 24*30*2 {
		return fmt.Sprintf("hace %d semanas", hours/24/7)
	} else if hours < 24*365*2 {
		return fmt.Sprintf("hace %d meses", hours/24/30)
	}
	return fmt.Sprintf("hace %d años", int(d.Hours())/24/365)
}
