package pdf

import "testing"

func BenchmarkRender(b *testing.B) {
	l := bescheid(0)
	for b.Loop() {
		if _, err := Render(l, day); err != nil {
			b.Fatal(err)
		}
	}
}
