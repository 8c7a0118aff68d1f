package schedule

import (
	"testing"
	"time"

	"github.com/rickb777/date/v2"
)

// TestCivilAgreesWithTime converts every day from year −400 to 10400 both
// ways and checks each against the time package.
func TestCivilAgreesWithTime(t *testing.T) {
	first, last := date.New(-400, time.January, 1), date.New(10400, time.December, 31)
	for d := first; d <= last; d++ {
		y, m, day := civil(d)
		ty, tm, tday := d.Date()
		if y != ty || m != int(tm) || day != tday {
			t.Fatalf("civil(%d) = %d-%d-%d, want %d-%d-%d", d, y, m, day, ty, tm, tday)
		}
		if back := fromCivil(y, m, day); back != d {
			t.Fatalf("fromCivil(%d, %d, %d) = %d, want %d", y, m, day, back, d)
		}
	}
}
